//! The Darcy flow dataset of FNO (Li et al. 2021, section 5.2): −∇·(a∇u) = f on (0,1)²,
//! u = 0 on the boundary, f = 1, with a random coefficient a drawn from a Neumann Gaussian
//! random field g ~ N(0, sigma² (−Δ + tau²)^−gamma):
//!
//! - `piecewise` (FNO): a = 12 where g ≥ 0, a = 3 where g < 0 (tau 3, gamma 2);
//! - `log-normal`: a = exp(g), a smooth coefficient (defaults sigma 50, tau 3, gamma 3: g is a
//!   Matérn field of smoothness 3 − 1 = 2, C¹ samples, pointwise standard deviation ≈ 0.97, so
//!   a spans roughly [e^−2, e^2]).
//!
//! Each sample draws g at the S × S solve grid, solves there (`elliptic::darcy`) and keeps
//! every (S−1)/(R−1)-th node of the coefficient and the solution, as FNO subsampled its 421²
//! solves. Arrays are row-major (R, R) with the first axis x: value [i][j] is at
//! (x_i, y_j) = (i, j)/(R−1). The coefficient is rounded to f32 before the solve, so the
//! stored coefficient is exactly the one the solution belongs to.

use super::{
    subsample_2d, to_f32, Attribute, GenerateError, Generator, SampleArray, SampleRng, SharedArray,
};
use crate::elliptic::darcy::solve_darcy;
use crate::elliptic::multigrid::Multigrid;
use crate::random_field::GaussianRandomField;

/// FNO's solve grid: 421 × 421 nodes.
pub const DEFAULT_SOLVE_RESOLUTION: usize = 421;

/// How the coefficient a is made from the Gaussian random field g.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DarcyCoefficient {
    /// a = `coefficient_high` where g ≥ 0, `coefficient_low` where g < 0 (FNO: 12 and 3).
    Piecewise,
    /// a = exp(g).
    LogNormal,
}

impl DarcyCoefficient {
    /// The name the CLI and the file attributes use.
    pub fn name(self) -> &'static str {
        match self {
            DarcyCoefficient::Piecewise => "piecewise",
            DarcyCoefficient::LogNormal => "log-normal",
        }
    }

    /// The field's (sigma, tau, gamma) when the user sets none: FNO's for `piecewise` (sigma
    /// only scales g, so it cannot change a sign-thresholded coefficient; FNO's tau^(gamma−1)
    /// is kept), ours for `log-normal` (see the module documentation).
    pub fn default_field(self) -> GaussianRandomField {
        match self {
            DarcyCoefficient::Piecewise => GaussianRandomField {
                sigma: 3.0,
                tau: 3.0,
                gamma: 2.0,
            },
            DarcyCoefficient::LogNormal => GaussianRandomField {
                sigma: 50.0,
                tau: 3.0,
                gamma: 3.0,
            },
        }
    }
}

impl std::str::FromStr for DarcyCoefficient {
    type Err = GenerateError;

    /// Parses the CLI spelling, `piecewise` or `log-normal`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        [DarcyCoefficient::Piecewise, DarcyCoefficient::LogNormal]
            .into_iter()
            .find(|model| model.name() == name)
            .ok_or_else(|| {
                parameter_error(
                    "coefficient",
                    format!("unknown model '{name}': piecewise or log-normal"),
                )
            })
    }
}

/// Everything that defines a Darcy dataset. CLI options are the kebab-case field names.
#[derive(Clone, Debug, PartialEq)]
pub struct DarcyParameters {
    /// `--resolution`: R, stored nodes a side (boundary included). Default 85 (FNO's r = 5).
    pub resolution: usize,
    /// `--solve-resolution`: S, solve grid nodes a side; None = 421. (S−1) must be a multiple
    /// of (R−1).
    pub solve_resolution: Option<usize>,
    /// `--coefficient`: `piecewise` (default) or `log-normal`.
    pub coefficient: DarcyCoefficient,
    /// `--sigma`: the field's amplitude; None = the coefficient model's default (3 / 50).
    pub sigma: Option<f64>,
    /// `--tau`: the field's inverse length scale; None = the model's default (3 / 3).
    pub tau: Option<f64>,
    /// `--gamma`: the field's smoothness exponent (> 1); None = the model's default (2 / 3).
    pub gamma: Option<f64>,
    /// `--coefficient-high`: a where g ≥ 0 (piecewise). Default 12.
    pub coefficient_high: f64,
    /// `--coefficient-low`: a where g < 0 (piecewise). Default 3.
    pub coefficient_low: f64,
    /// `--forcing`: the constant source f. Default 1.
    pub forcing: f64,
    /// `--tolerance`: the solver's relative residual ||b − A u||₂ / ||b||₂. Default 1e-10.
    pub tolerance: f64,
}

impl Default for DarcyParameters {
    fn default() -> Self {
        Self {
            resolution: 85,
            solve_resolution: None,
            coefficient: DarcyCoefficient::Piecewise,
            sigma: None,
            tau: None,
            gamma: None,
            coefficient_high: 12.0,
            coefficient_low: 3.0,
            forcing: 1.0,
            tolerance: 1e-10,
        }
    }
}

/// One solved sample at the solve resolution, before subsampling.
#[derive(Clone, Debug)]
pub struct DarcySample {
    /// a at the S × S nodes (f32-representable values), row-major (x, y).
    pub coefficient: Vec<f64>,
    /// u at the S × S nodes, row-major (x, y).
    pub solution: Vec<f64>,
    /// PCG iterations of the solve.
    pub iterations: usize,
    /// The solve's final relative residual.
    pub relative_residual: f64,
}

/// Draws and solves Darcy samples; see the module documentation.
#[derive(Clone, Debug)]
pub struct DarcyGenerator {
    parameters: DarcyParameters,
    solve_resolution: usize,
    field: GaussianRandomField,
}

fn parameter_error(name: &'static str, reason: impl Into<String>) -> GenerateError {
    GenerateError::Parameter {
        name,
        reason: reason.into(),
    }
}

fn check_positive(name: &'static str, value: f64) -> Result<(), GenerateError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(parameter_error(
            name,
            format!("{value} must be positive and finite"),
        ))
    }
}

impl DarcyGenerator {
    pub fn new(parameters: DarcyParameters) -> Result<Self, GenerateError> {
        let r = parameters.resolution;
        let s = parameters
            .solve_resolution
            .unwrap_or(DEFAULT_SOLVE_RESOLUTION);
        if s < 3 {
            return Err(parameter_error(
                "solve-resolution",
                format!("{s} nodes: need at least 3"),
            ));
        }
        if r < 3 {
            return Err(parameter_error(
                "resolution",
                format!("{r} nodes: need at least 3"),
            ));
        }
        if r > s || !(s - 1).is_multiple_of(r - 1) {
            return Err(parameter_error(
                "resolution",
                format!(
                    "{r} nodes cannot subsample the {s}-node solve grid: \
                     (solve resolution − 1) = {} must be a multiple of (resolution − 1) = {}",
                    s - 1,
                    r - 1
                ),
            ));
        }
        let defaults = parameters.coefficient.default_field();
        let field = GaussianRandomField {
            sigma: parameters.sigma.unwrap_or(defaults.sigma),
            tau: parameters.tau.unwrap_or(defaults.tau),
            gamma: parameters.gamma.unwrap_or(defaults.gamma),
        };
        check_positive("sigma", field.sigma)?;
        if !(field.tau.is_finite() && field.tau >= 0.0) {
            return Err(parameter_error(
                "tau",
                format!("{} must be non-negative and finite", field.tau),
            ));
        }
        // The field's pointwise variance is finite in 2D only for gamma > 1.
        if !(field.gamma.is_finite() && field.gamma > 1.0) {
            return Err(parameter_error(
                "gamma",
                format!("{} must be finite and > 1", field.gamma),
            ));
        }
        check_positive("coefficient-high", parameters.coefficient_high)?;
        check_positive("coefficient-low", parameters.coefficient_low)?;
        if !parameters.forcing.is_finite() {
            return Err(parameter_error(
                "forcing",
                format!("{} must be finite", parameters.forcing),
            ));
        }
        if !(parameters.tolerance > 0.0 && parameters.tolerance < 1.0) {
            return Err(parameter_error(
                "tolerance",
                format!("{} must be in (0, 1)", parameters.tolerance),
            ));
        }
        Ok(Self {
            parameters,
            solve_resolution: s,
            field,
        })
    }

    /// S, the solve grid's nodes a side.
    pub fn solve_resolution(&self) -> usize {
        self.solve_resolution
    }

    /// The Gaussian random field the coefficient is made from (defaults resolved).
    pub fn field(&self) -> GaussianRandomField {
        self.field
    }

    /// Draws a coefficient at the solve grid and solves for u there.
    pub fn solve_sample(&self, rng: &mut SampleRng) -> Result<DarcySample, GenerateError> {
        let s = self.solve_resolution;
        let p = &self.parameters;
        let mut coefficient = self.field.neumann_2d(s, s, rng);
        for a in coefficient.iter_mut() {
            let value = match p.coefficient {
                DarcyCoefficient::Piecewise if *a >= 0.0 => p.coefficient_high,
                DarcyCoefficient::Piecewise => p.coefficient_low,
                DarcyCoefficient::LogNormal => a.exp(),
            };
            // Solve with the values the file will hold.
            *a = value as f32 as f64;
        }
        let solved = solve_darcy(&coefficient, s, p.forcing, p.tolerance)
            .map_err(|e| GenerateError::Solver(format!("darcy: {e}")))?;
        Ok(DarcySample {
            coefficient,
            solution: solved.u,
            iterations: solved.iterations,
            relative_residual: solved.relative_residual,
        })
    }

    fn step(&self) -> usize {
        (self.solve_resolution - 1) / (self.parameters.resolution - 1)
    }
}

impl Generator for DarcyGenerator {
    fn problem(&self) -> &'static str {
        "darcy"
    }

    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        let p = &self.parameters;
        let mut attributes = vec![
            (
                "equation",
                Attribute::Text("-div(a grad u) = f on (0,1)^2, u = 0 on the boundary".to_string()),
            ),
            (
                "discretisation",
                Attribute::Text(
                    "vertex grid of solve_resolution^2 nodes, h = 1/(solve_resolution-1), \
                     5-point stencil, face coefficient 2 a1 a2 / (a1 + a2) of the nodal a"
                        .to_string(),
                ),
            ),
            (
                "layout",
                Attribute::Text("row-major (x, y): first axis x".to_string()),
            ),
            ("resolution", Attribute::Int(p.resolution as i64)),
            (
                "solve_resolution",
                Attribute::Int(self.solve_resolution as i64),
            ),
            ("subsample_step", Attribute::Int(self.step() as i64)),
            (
                "coefficient",
                Attribute::Text(p.coefficient.name().to_string()),
            ),
            ("grf_sigma", Attribute::Float(self.field.sigma)),
            ("grf_tau", Attribute::Float(self.field.tau)),
            ("grf_gamma", Attribute::Float(self.field.gamma)),
            (
                "grf_boundary",
                Attribute::Text("neumann (cosine series), zero mean".to_string()),
            ),
        ];
        if p.coefficient == DarcyCoefficient::Piecewise {
            attributes.push(("coefficient_high", Attribute::Float(p.coefficient_high)));
            attributes.push(("coefficient_low", Attribute::Float(p.coefficient_low)));
        }
        attributes.push(("forcing", Attribute::Float(p.forcing)));
        attributes.push(("relative_residual_tolerance", Attribute::Float(p.tolerance)));
        attributes.push((
            "solver",
            Attribute::Text(
                "conjugate gradients, symmetric Gauss-Seidel multigrid V-cycle preconditioner"
                    .to_string(),
            ),
        ));
        attributes
    }

    fn sample_arrays(&self) -> Vec<SampleArray> {
        let r = self.parameters.resolution;
        vec![
            SampleArray {
                name: "coefficient",
                shape: vec![r, r],
            },
            SampleArray {
                name: "solution",
                shape: vec![r, r],
            },
        ]
    }

    fn shared_arrays(&self) -> Vec<SharedArray> {
        let r = self.parameters.resolution;
        let nodes: Vec<f64> = (0..r).map(|i| i as f64 / (r - 1) as f64).collect();
        vec![
            SharedArray {
                name: "x",
                shape: vec![r],
                data: nodes.clone(),
            },
            SharedArray {
                name: "y",
                shape: vec![r],
                data: nodes,
            },
        ]
    }

    fn working_bytes(&self) -> usize {
        let (s, r) = (self.solve_resolution, self.parameters.resolution);
        let f64_bytes = std::mem::size_of::<f64>();
        // At S²: the field/coefficient, the source, the right-hand side, two face arrays, u and
        // CG's r, z, p, q; then the multigrid hierarchy.
        let solve = 10 * s * s * f64_bytes + Multigrid::bytes_for(s);
        // Subsampled f64 copies and the f32 outputs.
        let output = 2 * r * r * (f64_bytes + std::mem::size_of::<f32>());
        solve + output
    }

    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let sample = self.solve_sample(rng)?;
        let (s, step) = (self.solve_resolution, self.step());
        let (coefficient, solution) = if step == 1 {
            (sample.coefficient, sample.solution)
        } else {
            (
                subsample_2d(&sample.coefficient, s, step),
                subsample_2d(&sample.solution, s, step),
            )
        };
        Ok(vec![to_f32(&coefficient), to_f32(&solution)])
    }
}
