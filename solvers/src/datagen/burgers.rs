//! `burgers`: FNO's 1D viscous Burgers benchmark (Li et al. 2021). Each sample draws
//! u0 ~ N(0, 625 (−Δ + 25 I)^−2) (a GRF with σ = 25, τ = 5, γ = 2) on the periodic unit
//! interval, solves u_t + (u²/2)_x = ν u_xx by the Fourier pseudo-spectral ETDRK4 scheme
//! (`fluid::burgers`) on S points, and stores u at t = k T/K, k = 0..K, on every (S/R)-th
//! point, an R-point grid.

use super::{
    periodic_solve_resolution, require_positive, Attribute, GenerateError, Generator, SampleArray,
    SampleRng, SharedArray,
};
use crate::fluid::burgers::BurgersSolver;
use crate::random_field::GaussianRandomField;

/// The initial condition's law in FNO's paper: N(0, 625 (−Δ + 25 I)^−2).
pub const INITIAL_CONDITION: GaussianRandomField = GaussianRandomField {
    sigma: 25.0,
    tau: 5.0,
    gamma: 2.0,
};

/// The solve resolution when none is given: FNO solved at 8192 points; this is the smallest
/// multiple of R that is at least that.
pub const DEFAULT_MIN_SOLVE_RESOLUTION: usize = 8192;

/// What a burgers dataset is. Defaults: FNO's (ν = 0.1, T = 1, 1024 points stored from an
/// 8192-point solve), with dt = 1e-3: FNO's Chebfun call stepped 1e-4, but ETDRK4 at 1e-3
/// differs from 1e-4 by < 4e-9 (relative L2 at t = 1, ν from 0.1 down to 1e-3), far below the
/// f32 storage, at a tenth of the cost.
#[derive(Clone, Debug, PartialEq)]
pub struct BurgersParameters {
    /// `--resolution`: R, the stored grid x_i = i/R, i = 0..R. Default 1024.
    pub resolution: usize,
    /// `--solve-resolution`: S, the solver's grid, a multiple of R. Default (None): the
    /// smallest multiple of R that is at least 8192.
    pub solve_resolution: Option<usize>,
    /// `--viscosity`: ν. Default 0.1.
    pub viscosity: f64,
    /// `--final-time`: T, the time of the last snapshot. Default 1.
    pub final_time: f64,
    /// `--output-intervals`: K, snapshots at t = k T/K for k = 0..K (K + 1 of them, t = 0
    /// first). Default 1: the initial condition and u(T), FNO's pair.
    pub output_intervals: usize,
    /// `--dt`: the time step; T/(K dt) must be a whole number. Default 1e-3.
    pub dt: f64,
}

impl Default for BurgersParameters {
    fn default() -> Self {
        Self {
            resolution: 1024,
            solve_resolution: None,
            viscosity: 0.1,
            final_time: 1.0,
            output_intervals: 1,
            dt: 1e-3,
        }
    }
}

/// The burgers dataset generator (validated parameters).
pub struct BurgersGenerator {
    parameters: BurgersParameters,
    solve_resolution: usize,
    steps_per_interval: usize,
}

impl BurgersGenerator {
    pub fn new(parameters: BurgersParameters) -> Result<Self, GenerateError> {
        let parameter =
            |name: &'static str, reason: String| GenerateError::Parameter { name, reason };
        let solve_resolution = periodic_solve_resolution(
            parameters.resolution,
            parameters.solve_resolution,
            DEFAULT_MIN_SOLVE_RESOLUTION,
        )?;
        require_positive("viscosity", parameters.viscosity)?;
        let t = parameters.final_time;
        require_positive("final-time", t)?;
        let k = parameters.output_intervals;
        if k == 0 {
            return Err(parameter("output-intervals", "must be at least 1".into()));
        }
        let dt = parameters.dt;
        require_positive("dt", dt)?;
        let interval = t / k as f64;
        let steps = (interval / dt).round();
        if steps < 1.0 || (steps * dt - interval).abs() > 1e-9 * interval || steps > 1e9 {
            return Err(parameter(
                "dt",
                format!(
                    "must divide the output interval T/K = {interval} into whole steps, got {dt}"
                ),
            ));
        }
        Ok(Self {
            parameters,
            solve_resolution,
            steps_per_interval: steps as usize,
        })
    }

    pub fn parameters(&self) -> &BurgersParameters {
        &self.parameters
    }

    /// S, the resolution the solver runs at.
    pub fn solve_resolution(&self) -> usize {
        self.solve_resolution
    }

    /// Steps between snapshots: T / (K dt).
    pub fn steps_per_interval(&self) -> usize {
        self.steps_per_interval
    }

    fn stored(&self, values: &[f64]) -> Vec<f32> {
        let stride = self.solve_resolution / self.parameters.resolution;
        values.iter().step_by(stride).map(|&v| v as f32).collect()
    }
}

impl Generator for BurgersGenerator {
    fn problem(&self) -> &'static str {
        "burgers"
    }

    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        let p = &self.parameters;
        vec![
            ("equation", Attribute::Text("u_t + (u^2/2)_x = nu u_xx, periodic unit interval".into())),
            ("resolution", Attribute::Int(p.resolution as i64)),
            ("solve_resolution", Attribute::Int(self.solve_resolution as i64)),
            ("viscosity", Attribute::Float(p.viscosity)),
            ("final_time", Attribute::Float(p.final_time)),
            ("output_intervals", Attribute::Int(p.output_intervals as i64)),
            ("dt", Attribute::Float(p.dt)),
            ("steps_per_interval", Attribute::Int(self.steps_per_interval as i64)),
            ("initial_grf_sigma", Attribute::Float(INITIAL_CONDITION.sigma)),
            ("initial_grf_tau", Attribute::Float(INITIAL_CONDITION.tau)),
            ("initial_grf_gamma", Attribute::Float(INITIAL_CONDITION.gamma)),
            ("scheme", Attribute::Text("Fourier pseudo-spectral, ETDRK4 (Cox-Matthews, Kassam-Trefethen contour coefficients), 2/3 dealiasing of (u^2)_x".into())),
            ("grid", Attribute::Text("x_i = i/R".into())),
        ]
    }

    fn sample_arrays(&self) -> Vec<SampleArray> {
        let r = self.parameters.resolution;
        vec![
            SampleArray {
                name: "initial",
                shape: vec![r],
            },
            SampleArray {
                name: "solution",
                shape: vec![self.parameters.output_intervals + 1, r],
            },
        ]
    }

    fn shared_arrays(&self) -> Vec<SharedArray> {
        let r = self.parameters.resolution;
        let k = self.parameters.output_intervals;
        let t = self.parameters.final_time;
        vec![
            SharedArray {
                name: "time",
                shape: vec![k + 1],
                data: (0..=k).map(|i| t * i as f64 / k as f64).collect(),
            },
            SharedArray {
                name: "x",
                shape: vec![r],
                data: (0..r).map(|i| i as f64 / r as f64).collect(),
            },
        ]
    }

    fn working_bytes(&self) -> usize {
        let s = self.solve_resolution;
        let r = self.parameters.resolution;
        // Solver: seven spectra of 16 bytes, six coefficients of 8, two real lines (its own and
        // the FFT plan's); the field read back; the output.
        let solver = (s / 2 + 1) * (16 * 7 + 8 * 6) + s * 8 * 3;
        solver + s * 8 + (self.parameters.output_intervals + 2) * r * 4
    }

    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let s = self.solve_resolution;
        let p = &self.parameters;
        let mut solver = BurgersSolver::new(s, p.viscosity, p.dt);
        // Rounded to f32 before the solve: the stored u0 is the state the solve starts from.
        let initial: Vec<f64> = INITIAL_CONDITION
            .periodic_1d(s, rng)
            .into_iter()
            .map(|v| v as f32 as f64)
            .collect();
        solver.set_solution(&initial);
        let stored_initial = self.stored(&initial);
        let mut solution = Vec::with_capacity((p.output_intervals + 1) * p.resolution);
        solution.extend_from_slice(&stored_initial);
        let mut field = initial;
        for interval in 1..=p.output_intervals {
            solver.advance(self.steps_per_interval);
            solver.solution(&mut field);
            if !field.iter().all(|v| v.is_finite()) {
                return Err(GenerateError::Solver(format!(
                    "burgers: the solution blew up before t = {} (dt {} too large?)",
                    p.final_time * interval as f64 / p.output_intervals as f64,
                    p.dt
                )));
            }
            solution.extend(self.stored(&field));
        }
        Ok(vec![stored_initial, solution])
    }
}
