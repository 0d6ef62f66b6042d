//! `navier-stokes`: FNO's 2D vorticity benchmark (Li et al. 2021). Each sample draws an
//! initial vorticity ω0 ~ GRF(σ = 7^{3/2}, τ = 7, γ = 2.5) on the periodic unit square, solves
//! ω_t + u·∇ω = νΔω + f with f = 0.1 (sin 2π(x+y) + cos 2π(x+y)) by FNO's pseudo-spectral
//! Crank–Nicolson scheme (`fluid::vorticity`) at the solve resolution S, and stores the
//! vorticity at t = 0, 1, ..., T on every (S/R)-th node, an R² grid.

use super::{
    periodic_solve_resolution, require_positive, subsample_2d, to_f32, Attribute, GenerateError,
    Generator, SampleArray, SampleRng, SharedArray,
};
use crate::fluid::vorticity::{fno_forcing, VorticitySolver};
use crate::random_field::GaussianRandomField;

/// The initial vorticity's law in FNO's generator: σ = τ^{(2γ − d)/2} = 7^{3/2}.
pub const INITIAL_VORTICITY: GaussianRandomField = GaussianRandomField {
    sigma: 18.520259177452136, // 7^1.5
    tau: 7.0,
    gamma: 2.5,
};

/// The solve resolution when none is given: FNO solved at 256² (and stored 64²); this is the
/// smallest multiple of R that is at least that.
pub const DEFAULT_MIN_SOLVE_RESOLUTION: usize = 256;

/// What a navier-stokes dataset is. Defaults: FNO's ν = 1e-3 set (64² stored from a 256²
/// solve, T = 50), with dt = 1e-3 (FNO: 1e-4; see `dt`).
#[derive(Clone, Debug, PartialEq)]
pub struct NavierStokesParameters {
    /// `--resolution`: R, the stored grid is R² nodes (i/R, j/R). Default 64.
    pub resolution: usize,
    /// `--solve-resolution`: S, the solver's grid S², a multiple of R. Default (None): the
    /// smallest multiple of R that is at least 256.
    pub solve_resolution: Option<usize>,
    /// `--viscosity`: ν (the inverse Reynolds number of the unit domain). Default 1e-3; FNO
    /// also used 1e-4 (T = 30) and 1e-5 (T = 20).
    pub viscosity: f64,
    /// `--final-time`: T, in time units; snapshots at t = 0, 1, ..., T. Default 50.
    pub final_time: usize,
    /// `--dt`: the time step; 1/dt must be an integer. Default 1e-3: at ν = 1e-3 and 256² it
    /// differs from FNO's 1e-4 by 2.5e-5 relative L2 at t = 1 for a tenth of the cost; ν = 1e-5
    /// at 256² needs 1e-4 (the run stops with a reason when the step is too large).
    pub dt: f64,
}

impl Default for NavierStokesParameters {
    fn default() -> Self {
        Self {
            resolution: 64,
            solve_resolution: None,
            viscosity: 1e-3,
            final_time: 50,
            dt: 1e-3,
        }
    }
}

/// The navier-stokes dataset generator (validated parameters and the shared forcing).
pub struct NavierStokesGenerator {
    parameters: NavierStokesParameters,
    solve_resolution: usize,
    steps_per_unit_time: usize,
    forcing: Vec<f64>,
}

impl NavierStokesGenerator {
    pub fn new(parameters: NavierStokesParameters) -> Result<Self, GenerateError> {
        let parameter =
            |name: &'static str, reason: String| GenerateError::Parameter { name, reason };
        let solve_resolution = periodic_solve_resolution(
            parameters.resolution,
            parameters.solve_resolution,
            DEFAULT_MIN_SOLVE_RESOLUTION,
        )?;
        require_positive("viscosity", parameters.viscosity)?;
        if parameters.final_time == 0 {
            return Err(parameter("final-time", "must be at least 1".into()));
        }
        let steps_per_unit_time =
            steps_per_unit(parameters.dt).map_err(|reason| parameter("dt", reason))?;
        Ok(Self {
            forcing: fno_forcing(solve_resolution),
            parameters,
            solve_resolution,
            steps_per_unit_time,
        })
    }

    pub fn parameters(&self) -> &NavierStokesParameters {
        &self.parameters
    }

    /// S, the resolution the solver runs at.
    pub fn solve_resolution(&self) -> usize {
        self.solve_resolution
    }

    /// Steps between snapshots: 1/dt.
    pub fn steps_per_unit_time(&self) -> usize {
        self.steps_per_unit_time
    }

    fn stride(&self) -> usize {
        self.solve_resolution / self.parameters.resolution
    }
}

/// 1/dt as a whole number of steps, or why `dt` does not divide the unit of time.
fn steps_per_unit(dt: f64) -> Result<usize, String> {
    if !(dt > 0.0 && dt <= 1.0) {
        return Err(format!("must be in (0, 1], got {dt}"));
    }
    let steps = (1.0 / dt).round();
    if (steps * dt - 1.0).abs() > 1e-9 || steps > 1e9 {
        return Err(format!(
            "must divide one time unit into a whole number of steps (1/dt = {}), got {dt}",
            1.0 / dt
        ));
    }
    Ok(steps as usize)
}

impl Generator for NavierStokesGenerator {
    fn problem(&self) -> &'static str {
        "navier-stokes"
    }

    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        let p = &self.parameters;
        vec![
            ("equation", Attribute::Text("w_t + u.grad(w) = nu lap(w) + f, u = (psi_y, -psi_x), -lap(psi) = w, periodic unit square".into())),
            ("resolution", Attribute::Int(p.resolution as i64)),
            ("solve_resolution", Attribute::Int(self.solve_resolution as i64)),
            ("viscosity", Attribute::Float(p.viscosity)),
            ("final_time", Attribute::Float(p.final_time as f64)),
            ("dt", Attribute::Float(p.dt)),
            ("steps_per_unit_time", Attribute::Int(self.steps_per_unit_time as i64)),
            ("forcing", Attribute::Text("0.1*(sin(2*pi*(x+y)) + cos(2*pi*(x+y)))".into())),
            ("initial_grf_sigma", Attribute::Float(INITIAL_VORTICITY.sigma)),
            ("initial_grf_tau", Attribute::Float(INITIAL_VORTICITY.tau)),
            ("initial_grf_gamma", Attribute::Float(INITIAL_VORTICITY.gamma)),
            ("scheme", Attribute::Text("pseudo-spectral (FNO ns_2d): explicit advection, Crank-Nicolson diffusion, 2/3 dealiasing of u.grad(w)".into())),
            ("grid", Attribute::Text("node (i, j) at (x, y) = (i/R, j/R); axis 0 is x".into())),
        ]
    }

    fn sample_arrays(&self) -> Vec<SampleArray> {
        let r = self.parameters.resolution;
        vec![SampleArray {
            name: "vorticity",
            shape: vec![self.parameters.final_time + 1, r, r],
        }]
    }

    fn shared_arrays(&self) -> Vec<SharedArray> {
        let r = self.parameters.resolution;
        let t = self.parameters.final_time;
        vec![
            SharedArray {
                name: "time",
                shape: vec![t + 1],
                data: (0..=t).map(|k| k as f64).collect(),
            },
            SharedArray {
                name: "forcing",
                shape: vec![r, r],
                data: fno_forcing(r),
            },
        ]
    }

    fn working_bytes(&self) -> usize {
        let s = self.solve_resolution;
        let r = self.parameters.resolution;
        let spectrum = s * (s / 2 + 1);
        // Solver: six real spectral tables-or-states of 16 bytes, three of 8, four real fields;
        // the FFT plan's work spectrum; the field read back; the output.
        let solver = spectrum * (16 * 4 + 8 * 3) + s * s * 8 * 4;
        let output = (self.parameters.final_time + 1) * r * r * 4;
        solver + s * s * 8 + output
    }

    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let s = self.solve_resolution;
        let r = self.parameters.resolution;
        let stride = self.stride();
        let mut solver = VorticitySolver::new(
            s,
            self.parameters.viscosity,
            self.parameters.dt,
            &self.forcing,
        );
        // Rounded to f32 before the solve: the stored ω0 is then exactly the state the
        // trajectory starts from, and a restart from the file reproduces it.
        let initial: Vec<f64> = INITIAL_VORTICITY
            .periodic_2d(s, s, rng)
            .into_iter()
            .map(|v| v as f32 as f64)
            .collect();
        solver.set_vorticity(&initial);
        let mut out = Vec::with_capacity((self.parameters.final_time + 1) * r * r);
        out.extend(to_f32(&subsample_2d(&initial, s, stride)));
        let mut field = initial;
        for time in 1..=self.parameters.final_time {
            solver.advance(self.steps_per_unit_time);
            solver.vorticity(&mut field);
            if !field.iter().all(|v| v.is_finite()) {
                return Err(GenerateError::Solver(format!(
                    "navier-stokes: the vorticity blew up before t = {time} (dt {} too large for \
                     viscosity {} at {s}²?)",
                    self.parameters.dt, self.parameters.viscosity
                )));
            }
            out.extend(to_f32(&subsample_2d(&field, s, stride)));
        }
        Ok(vec![out])
    }
}
