//! The Helmholtz dataset: wave speed c(x) -> time-harmonic field u(x) on the unit square.
//!
//! Δu + (ω / c(x))² u = f on (0, 1)², outgoing waves absorbed by a perfectly matched layer
//! around the square; c = c0 + δ tanh(ξ) with ξ a Neumann Gaussian random field, and f a
//! fixed smooth line source near the top edge (y = 0.9, 0.35 <= x <= 0.65) standing in for
//! the boundary forcing of de Hoop, Huang, Qian & Stuart (2022), the benchmark MgNO uses.
//! Defaults follow that benchmark: ω = 1000, c = 20 + tanh(ξ), ξ ~ N(0, (-Δ + 9)^-2), a
//! 101 × 101 grid. docs/datasets-helmholtz.md records the choices and the reasons.
//!
//! Arrays are row-major (R, R) on the vertex nodes (i/(R-1), j/(R-1)), i along x, j along y.

use super::{
    subsample_2d, to_f32, Attribute, GenerateError, Generator, SampleArray, SampleRng, SharedArray,
};
use crate::elliptic::helmholtz::pml::{extended_side, solve_bytes};
use crate::elliptic::helmholtz::{solve_unit_square_with_pml, Pml};
use crate::random_field::GaussianRandomField;
use std::f64::consts::PI;

/// Fewest grid points per shortest wavelength the solve accepts: the 5-point scheme's phase
/// error is about (kh)²/24 per radian travelled, 1.6% at 10 points and 2.6% at 8.
pub const MIN_POINTS_PER_WAVELENGTH: f64 = 8.0;

/// Largest solve grid: the banded direct solve costs O(S⁴) time and O(S³) memory.
pub const MAX_SOLVE_RESOLUTION: usize = 1025;

/// A solve whose relative residual exceeds this is reported as failed.
pub const RESIDUAL_TOLERANCE: f64 = 1e-8;

/// Everything that defines a Helmholtz dataset. Lengths are in units of the domain side,
/// speeds in domain sides per unit time, ω in radians per unit time.
#[derive(Clone, Debug, PartialEq)]
pub struct HelmholtzParameters {
    /// R, nodes per side of the stored grid (`--resolution`). Default 101.
    pub resolution: usize,
    /// S, nodes per side of the grid solved on (`--solve-resolution`); None = R. (S - 1)
    /// must be a multiple of (R - 1): the stored grid keeps every (S-1)/(R-1)-th node.
    pub solve_resolution: Option<usize>,
    /// ω, angular frequency (`--angular-frequency`). Default 1000.
    pub angular_frequency: f64,
    /// c0, background wave speed (`--background-speed`). Default 20.
    pub background_speed: f64,
    /// δ, wave speed contrast, c = c0 + δ tanh(ξ) (`--speed-contrast`). Default 1.
    pub speed_contrast: f64,
    /// ξ's amplitude sigma, covariance sigma² (-Δ + tau²)^-gamma (`--grf-sigma`). Default 1.
    pub grf_sigma: f64,
    /// ξ's inverse length scale tau (`--grf-tau`). Default 3.
    pub grf_tau: f64,
    /// ξ's smoothness gamma (`--grf-gamma`). Default 2.
    pub grf_gamma: f64,
    /// Thickness of the absorbing layer outside the square, rounded to whole solve cells
    /// (`--pml-thickness`). Default 0.1 (0.8 background wavelengths, 10 cells at S = 101).
    pub pml_thickness: f64,
    /// The layer's design round-trip reflection at normal incidence (`--pml-reflection`).
    /// Default 1e-6.
    pub pml_reflection: f64,
    /// Height of the line source (`--source-y`). Default 0.9.
    pub source_y: f64,
    /// Left end of the line source (`--source-x-min`). Default 0.35.
    pub source_x_min: f64,
    /// Right end of the line source (`--source-x-max`). Default 0.65.
    pub source_x_max: f64,
    /// Source width w: Gaussian standard deviation across the line, tanh ramp width at its
    /// ends (`--source-width`). Default 0.02.
    pub source_width: f64,
}

impl Default for HelmholtzParameters {
    fn default() -> Self {
        Self {
            resolution: 101,
            solve_resolution: None,
            angular_frequency: 1000.0,
            background_speed: 20.0,
            speed_contrast: 1.0,
            grf_sigma: 1.0,
            grf_tau: 3.0,
            grf_gamma: 2.0,
            pml_thickness: 0.1,
            pml_reflection: 1e-6,
            source_y: 0.9,
            source_x_min: 0.35,
            source_x_max: 0.65,
            source_width: 0.02,
        }
    }
}

/// Draws wave speeds and solves for the fields they scatter.
#[derive(Clone, Debug)]
pub struct HelmholtzGenerator {
    parameters: HelmholtzParameters,
    solve_resolution: usize,
    field: GaussianRandomField,
    pml: Pml,
    /// f at the solve grid's nodes.
    source: Vec<f64>,
}

fn parameter(name: &'static str, reason: impl Into<String>) -> GenerateError {
    GenerateError::Parameter {
        name,
        reason: reason.into(),
    }
}

fn require(
    ok: bool,
    name: &'static str,
    reason: impl FnOnce() -> String,
) -> Result<(), GenerateError> {
    if ok {
        Ok(())
    } else {
        Err(parameter(name, reason()))
    }
}

fn positive(value: f64) -> bool {
    value.is_finite() && value > 0.0
}

impl HelmholtzGenerator {
    pub fn new(parameters: HelmholtzParameters) -> Result<Self, GenerateError> {
        let p = &parameters;
        let r = p.resolution;
        require(r >= 3, "resolution", || {
            format!("{r}: need at least 3 nodes a side")
        })?;
        let s = p.solve_resolution.unwrap_or(r);
        let solve_name = if p.solve_resolution.is_some() {
            "solve-resolution"
        } else {
            "resolution"
        };
        require(
            s >= r && (s - 1).is_multiple_of(r - 1),
            "solve-resolution",
            || format!("{s}: S - 1 must be a multiple of R - 1 = {}", r - 1),
        )?;
        require(s <= MAX_SOLVE_RESOLUTION, solve_name, || {
            format!("{s}: at most {MAX_SOLVE_RESOLUTION} (the direct solve costs O(S^4))")
        })?;
        require(positive(p.angular_frequency), "angular-frequency", || {
            format!("{}: must be positive", p.angular_frequency)
        })?;
        require(positive(p.background_speed), "background-speed", || {
            format!("{}: must be positive", p.background_speed)
        })?;
        require(
            p.speed_contrast.is_finite()
                && p.speed_contrast >= 0.0
                && p.speed_contrast < p.background_speed,
            "speed-contrast",
            || {
                format!(
                    "{}: must lie in [0, background speed {}) so that c stays positive",
                    p.speed_contrast, p.background_speed
                )
            },
        )?;
        let slowest = p.background_speed - p.speed_contrast;
        let h = 1.0 / (s - 1) as f64;
        let points_per_wavelength = 2.0 * PI * slowest / (p.angular_frequency * h);
        require(
            points_per_wavelength >= MIN_POINTS_PER_WAVELENGTH,
            solve_name,
            || {
                let needed = (2.0 * PI * slowest
                    / (p.angular_frequency * MIN_POINTS_PER_WAVELENGTH))
                    .recip()
                    .ceil() as usize
                    + 1;
                format!(
                "{s} nodes give {points_per_wavelength:.1} points per wavelength at the slowest \
                 speed {slowest} and ω = {}; the second-order scheme needs at least \
                 {MIN_POINTS_PER_WAVELENGTH} (phase error ≈ (kh)²/24 per radian): solve on at \
                 least {needed} nodes a side (--solve-resolution), or lower the frequency",
                p.angular_frequency
            )
            },
        )?;
        require(
            positive(p.grf_sigma) || p.grf_sigma == 0.0,
            "grf-sigma",
            || format!("{}: must be non-negative", p.grf_sigma),
        )?;
        require(positive(p.grf_tau), "grf-tau", || {
            format!("{}: must be positive", p.grf_tau)
        })?;
        require(
            p.grf_gamma.is_finite() && p.grf_gamma > 1.0,
            "grf-gamma",
            || {
                format!(
                    "{}: must exceed 1 for a continuous field in 2D",
                    p.grf_gamma
                )
            },
        )?;
        require(
            positive(p.pml_thickness) && p.pml_thickness <= 1.0 && p.pml_thickness >= 2.0 * h,
            "pml-thickness",
            || {
                format!(
                    "{}: must lie in [2 solve cells = {}, 1]",
                    p.pml_thickness,
                    2.0 * h
                )
            },
        )?;
        require(
            p.pml_reflection > 0.0 && p.pml_reflection < 1.0,
            "pml-reflection",
            || format!("{}: must lie in (0, 1)", p.pml_reflection),
        )?;
        let inside = |v: f64| v.is_finite() && v > 0.0 && v < 1.0;
        require(inside(p.source_y), "source-y", || {
            format!("{}: must lie in (0, 1)", p.source_y)
        })?;
        require(inside(p.source_x_min), "source-x-min", || {
            format!("{}: must lie in (0, 1)", p.source_x_min)
        })?;
        require(
            inside(p.source_x_max) && p.source_x_max > p.source_x_min,
            "source-x-max",
            || format!("{}: must lie in (source-x-min, 1)", p.source_x_max),
        )?;
        require(
            positive(p.source_width) && p.source_width >= h,
            "source-width",
            || format!("{}: must be at least one solve cell ({h})", p.source_width),
        )?;
        let field = GaussianRandomField {
            sigma: p.grf_sigma,
            tau: p.grf_tau,
            gamma: p.grf_gamma,
        };
        let pml = Pml {
            thickness: p.pml_thickness,
            reflection: p.pml_reflection,
        };
        let source = line_source(p, s);
        Ok(Self {
            parameters,
            solve_resolution: s,
            field,
            pml,
            source,
        })
    }

    /// The parameters this generator was built from.
    pub fn parameters(&self) -> &HelmholtzParameters {
        &self.parameters
    }

    fn step(&self) -> usize {
        (self.solve_resolution - 1) / (self.parameters.resolution - 1)
    }

    /// The wave speed drawn from `rng`, on the S × S solve grid.
    pub fn sound_speed(&self, rng: &mut SampleRng) -> Vec<f64> {
        let s = self.solve_resolution;
        let p = &self.parameters;
        let xi = self.field.neumann_2d(s, s, rng);
        xi.iter()
            .map(|&v| p.background_speed + p.speed_contrast * v.tanh())
            .collect()
    }
}

/// f(x, y) = A g(y - y_s) w(x): a Gaussian across the line, g(t) = e^{-t²/2w²} / (√(2π) w),
/// and a smooth window along it, w(x) = (tanh((x - x_min)/w) - tanh((x - x_max)/w)) / 2. The
/// strength A = 2 k0 e^{k0² w² / 2}, k0 = ω / c0, makes an infinitely long line of this source
/// radiate plane waves of amplitude exactly 1 into the background medium.
fn line_source(p: &HelmholtzParameters, side: usize) -> Vec<f64> {
    let h = 1.0 / (side - 1) as f64;
    let w = p.source_width;
    let k0 = p.angular_frequency / p.background_speed;
    let strength = 2.0 * k0 * (0.5 * (k0 * w).powi(2)).exp();
    let mut f = vec![0.0; side * side];
    for i in 0..side {
        let x = i as f64 * h;
        let window = 0.5 * (((x - p.source_x_min) / w).tanh() - ((x - p.source_x_max) / w).tanh());
        for j in 0..side {
            let t = j as f64 * h - p.source_y;
            let across = (-0.5 * (t / w).powi(2)).exp() / ((2.0 * PI).sqrt() * w);
            f[i * side + j] = strength * window * across;
        }
    }
    f
}

impl Generator for HelmholtzGenerator {
    fn problem(&self) -> &'static str {
        "helmholtz"
    }

    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        let p = &self.parameters;
        let s = self.solve_resolution;
        let h = 1.0 / (s - 1) as f64;
        let cells = self.pml.cells(h);
        vec![
            (
                "equation",
                Attribute::Text(
                    "laplacian(u) + (omega/c)^2 u = f on (0,1)^2, PML outside; \
                     c = c0 + delta tanh(xi), xi ~ N(0, sigma^2 (-laplacian + tau^2)^-gamma) \
                     Neumann; u ~ exp(-i omega t), outgoing"
                        .into(),
                ),
            ),
            (
                "layout",
                Attribute::Text(
                    "(sample, i, j): node (x, y) = (i/(R-1), j/(R-1)), i along x".into(),
                ),
            ),
            ("resolution", Attribute::Int(p.resolution as i64)),
            ("solve_resolution", Attribute::Int(s as i64)),
            ("angular_frequency", Attribute::Float(p.angular_frequency)),
            ("background_speed", Attribute::Float(p.background_speed)),
            ("speed_contrast", Attribute::Float(p.speed_contrast)),
            ("grf_sigma", Attribute::Float(p.grf_sigma)),
            ("grf_tau", Attribute::Float(p.grf_tau)),
            ("grf_gamma", Attribute::Float(p.grf_gamma)),
            ("pml_thickness", Attribute::Float(cells as f64 * h)),
            ("pml_cells", Attribute::Int(cells as i64)),
            ("pml_reflection", Attribute::Float(p.pml_reflection)),
            ("pml_profile", Attribute::Text("quadratic".into())),
            ("source_y", Attribute::Float(p.source_y)),
            ("source_x_min", Attribute::Float(p.source_x_min)),
            ("source_x_max", Attribute::Float(p.source_x_max)),
            ("source_width", Attribute::Float(p.source_width)),
            (
                "points_per_wavelength_min",
                Attribute::Float(
                    2.0 * PI * (p.background_speed - p.speed_contrast) / (p.angular_frequency * h),
                ),
            ),
            (
                "discretisation",
                Attribute::Text(
                    "5-point finite differences, stretched-coordinate PML, banded direct LU".into(),
                ),
            ),
        ]
    }

    fn sample_arrays(&self) -> Vec<SampleArray> {
        let r = self.parameters.resolution;
        ["sound_speed", "solution_real", "solution_imag"]
            .into_iter()
            .map(|name| SampleArray {
                name,
                shape: vec![r, r],
            })
            .collect()
    }

    fn shared_arrays(&self) -> Vec<SharedArray> {
        let r = self.parameters.resolution;
        vec![
            SharedArray {
                name: "x",
                shape: vec![r],
                data: (0..r).map(|i| i as f64 / (r - 1) as f64).collect(),
            },
            SharedArray {
                name: "source",
                shape: vec![r, r],
                data: subsample_2d(&self.source, self.solve_resolution, self.step()),
            },
        ]
    }

    fn working_bytes(&self) -> usize {
        let s = self.solve_resolution;
        let r = self.parameters.resolution;
        // The solve, the random field and speed (f64) and the field (complex) on the solve
        // grid, the f32 outputs.
        solve_bytes(s, &self.pml) + 4 * s * s * 8 + 3 * r * r * 4
    }

    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let s = self.solve_resolution;
        let speed = self.sound_speed(rng);
        let result = solve_unit_square_with_pml(
            s,
            &speed,
            &self.source,
            self.parameters.angular_frequency,
            &self.pml,
        )
        .map_err(|e| GenerateError::Solver(format!("helmholtz: {e}")))?;
        // A NaN residual fails too.
        if result.relative_residual.is_nan() || result.relative_residual > RESIDUAL_TOLERANCE {
            return Err(GenerateError::Solver(format!(
                "helmholtz: relative residual {:.1e} of the direct solve exceeds {RESIDUAL_TOLERANCE:.0e} \
                 ({} unknowns)",
                result.relative_residual,
                extended_side(s, &self.pml).pow(2)
            )));
        }
        let step = self.step();
        let real: Vec<f64> = result.solution.iter().map(|u| u.re).collect();
        let imag: Vec<f64> = result.solution.iter().map(|u| u.im).collect();
        Ok(vec![
            to_f32(&subsample_2d(&speed, s, step)),
            to_f32(&subsample_2d(&real, s, step)),
            to_f32(&subsample_2d(&imag, s, step)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datagen::sample_rng;

    /// A small, quick configuration: 33 nodes, 2.5 background wavelengths across.
    fn small() -> HelmholtzParameters {
        HelmholtzParameters {
            resolution: 17,
            solve_resolution: Some(33),
            angular_frequency: 300.0,
            source_width: 0.04,
            pml_thickness: 0.125,
            ..HelmholtzParameters::default()
        }
    }

    fn error_name(parameters: HelmholtzParameters) -> &'static str {
        match HelmholtzGenerator::new(parameters) {
            Err(GenerateError::Parameter { name, .. }) => name,
            other => panic!("expected a parameter error, got {other:?}"),
        }
    }

    #[test]
    fn samples_have_the_declared_shapes_and_are_deterministic() {
        let generator = HelmholtzGenerator::new(small()).unwrap();
        let arrays = generator.sample_arrays();
        let names: Vec<&str> = arrays.iter().map(|a| a.name).collect();
        assert_eq!(names, ["sound_speed", "solution_real", "solution_imag"]);
        let a = generator.generate(&mut sample_rng(5, 2)).unwrap();
        let b = generator.generate(&mut sample_rng(5, 2)).unwrap();
        let other = generator.generate(&mut sample_rng(5, 3)).unwrap();
        assert_eq!(a.len(), arrays.len());
        for (values, array) in a.iter().zip(&arrays) {
            assert_eq!(array.shape, [17, 17]);
            assert_eq!(values.len(), 17 * 17);
            assert!(values.iter().all(|v| v.is_finite()));
        }
        let bits =
            |s: &Vec<Vec<f32>>| -> Vec<u32> { s.iter().flatten().map(|v| v.to_bits()).collect() };
        assert_eq!(bits(&a), bits(&b), "same stream, same bits");
        assert_ne!(a[0], other[0], "another stream, another medium");
        // c = 20 + tanh(xi) stays inside (19, 21); the field is not trivially zero.
        assert!(a[0].iter().all(|&c| c > 19.0 && c < 21.0));
        assert!(a[1].iter().chain(&a[2]).any(|v| v.abs() > 0.1));
    }

    #[test]
    fn the_stored_grid_subsamples_the_solve_grid() {
        let generator = HelmholtzGenerator::new(small()).unwrap();
        let speed = generator.sound_speed(&mut sample_rng(1, 0));
        let stored = generator.generate(&mut sample_rng(1, 0)).unwrap();
        // Stored node (i, j) is solve node (2i, 2j).
        for (i, j) in [(0, 0), (3, 5), (16, 16), (8, 1)] {
            assert_eq!(stored[0][i * 17 + j], speed[(2 * i) * 33 + 2 * j] as f32);
        }
        let shared = generator.shared_arrays();
        assert_eq!(shared[0].data[16], 1.0);
        assert_eq!(shared[1].shape, [17, 17]);
    }

    #[test]
    fn an_infinite_line_source_radiates_unit_plane_waves() {
        // The strength normalisation: the source's profile across the line integrates to
        // A e^{-k0² w²/2} / (2 k0) = 1 after the Gaussian's transform at k0.
        let p = HelmholtzParameters::default();
        let generator = HelmholtzGenerator::new(p.clone()).unwrap();
        let s = 101;
        let h = 0.01;
        let k0 = p.angular_frequency / p.background_speed;
        // Column through the middle of the line (x = 0.5): sum f(y) e^{i k0 (y - y_s)} h.
        let (mut re, mut im) = (0.0, 0.0);
        for j in 0..s {
            let t = j as f64 * h - p.source_y;
            let f = generator.source[50 * s + j];
            re += f * (k0 * t).cos() * h;
            im += f * (k0 * t).sin() * h;
        }
        let amplitude = (re * re + im * im).sqrt() / (2.0 * k0);
        assert!((amplitude - 1.0).abs() < 1e-6, "{amplitude}");
    }

    #[test]
    fn bad_parameters_are_refused_with_the_option_name() {
        let default = HelmholtzParameters::default;
        assert!(HelmholtzGenerator::new(default()).is_ok());
        // 51 nodes: 6.0 points per wavelength at c = 19, ω = 1000.
        let coarse = HelmholtzParameters {
            resolution: 51,
            ..default()
        };
        match HelmholtzGenerator::new(coarse.clone()) {
            Err(GenerateError::Parameter { name, reason }) => {
                assert_eq!(name, "resolution");
                assert!(reason.contains("points per wavelength"), "{reason}");
                assert!(reason.contains("at least 69 nodes"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // Solving finer and storing coarse is accepted.
        assert!(HelmholtzGenerator::new(HelmholtzParameters {
            solve_resolution: Some(101),
            ..coarse
        })
        .is_ok());
        let bad = [
            (
                HelmholtzParameters {
                    solve_resolution: Some(150),
                    ..default()
                },
                "solve-resolution",
            ),
            (
                HelmholtzParameters {
                    resolution: 2,
                    ..default()
                },
                "resolution",
            ),
            (
                HelmholtzParameters {
                    angular_frequency: -1.0,
                    ..default()
                },
                "angular-frequency",
            ),
            (
                HelmholtzParameters {
                    speed_contrast: 20.0,
                    ..default()
                },
                "speed-contrast",
            ),
            (
                HelmholtzParameters {
                    grf_gamma: 1.0,
                    ..default()
                },
                "grf-gamma",
            ),
            (
                HelmholtzParameters {
                    grf_tau: 0.0,
                    ..default()
                },
                "grf-tau",
            ),
            (
                HelmholtzParameters {
                    pml_thickness: 0.005,
                    ..default()
                },
                "pml-thickness",
            ),
            (
                HelmholtzParameters {
                    pml_reflection: 1.0,
                    ..default()
                },
                "pml-reflection",
            ),
            (
                HelmholtzParameters {
                    source_y: 1.0,
                    ..default()
                },
                "source-y",
            ),
            (
                HelmholtzParameters {
                    source_x_max: 0.3,
                    ..default()
                },
                "source-x-max",
            ),
            (
                HelmholtzParameters {
                    source_width: 0.001,
                    ..default()
                },
                "source-width",
            ),
        ];
        for (parameters, name) in bad {
            assert_eq!(error_name(parameters), name);
        }
    }
}
