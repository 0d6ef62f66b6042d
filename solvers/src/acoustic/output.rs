//! What a run returns: recorded quantities at their natural shapes.

use ndarray::{Array1, Array2, ArrayD};

/// A whole-grid field over the user's grid, shape (Nx[, Ny[, Nz]]), indexed [x, y, z].
pub type Field = ArrayD<f32>;

/// Per-sensor recordings. Series are (sensors, samples); statistics are (sensors,).
#[derive(Clone, Debug, Default)]
pub struct SensorData {
    /// Pressure p(t = n dt), Pa.
    pub p: Option<Array2<f32>>,
    pub p_max: Option<Array1<f32>>,
    pub p_min: Option<Array1<f32>>,
    pub p_rms: Option<Array1<f32>>,
    /// Velocity components on their staggered grids at t = (n - 1/2) dt, m/s.
    pub u: Option<Vec<Array2<f32>>>,
    /// Velocity components moved to the regular grid, same times as `u`.
    pub u_non_staggered: Option<Vec<Array2<f32>>>,
    pub u_max: Option<Vec<Array1<f32>>>,
    pub u_min: Option<Vec<Array1<f32>>>,
    pub u_rms: Option<Vec<Array1<f32>>>,
    /// Steady-state pressure amplitude (Pa) and phase (rad, of exp(i 2 pi f t)).
    pub cw_amplitude: Option<Array1<f32>>,
    pub cw_phase: Option<Array1<f32>>,
    /// Pressure over the whole (user) grid after the last step.
    pub p_final: Option<Field>,
    /// Velocity components over the whole (user) grid after the last step.
    pub u_final: Option<Vec<Field>>,
    /// Running max / min over the recorded steps of p over the whole grid.
    pub p_max_all: Option<Field>,
    pub p_min_all: Option<Field>,
    /// Running max / min of each velocity component over the whole grid.
    pub u_max_all: Option<Vec<Field>>,
    pub u_min_all: Option<Vec<Field>>,
}

/// Facts about a finished run, for the summary and the result file.
#[derive(Clone, Debug)]
pub struct RunStats {
    pub steps: usize,
    pub dt_s: f64,
    pub wall_seconds: f64,
    /// Memory the backend allocated (device memory for a GPU backend).
    pub bytes_allocated: usize,
    pub threads: usize,
    /// The backend that ran the steps.
    pub device: ferrowave_kernels::DeviceKind,
}
