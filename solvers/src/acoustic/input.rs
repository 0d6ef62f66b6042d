//! What a user asks the acoustic solver for, in SI units (absorption in dB/(MHz^y cm)).
//!
//! Arrays over the grid are flat with x fastest: index = x + Nx (y + Ny z), on the user's
//! grid (the PML is added around it when `Pml::inside` is false).

/// A regular grid of 1, 2 or 3 dimensions. Unused axes have one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Points per axis (Nx, Ny, Nz).
    pub shape: [usize; 3],
    /// Spacing per axis, metres.
    pub spacing_m: [f64; 3],
    pub ndim: usize,
}

impl Grid {
    /// A grid from 1 to 3 sizes and as many spacings.
    pub fn new(shape: &[usize], spacing_m: &[f64]) -> Result<Self, String> {
        let ndim = shape.len();
        if !(1..=3).contains(&ndim) || spacing_m.len() != ndim {
            return Err(format!(
                "a grid has 1 to 3 axes with one spacing each (got {} sizes, {} spacings)",
                shape.len(),
                spacing_m.len()
            ));
        }
        let mut s = [1usize; 3];
        let mut d = [1.0f64; 3];
        for a in 0..ndim {
            if shape[a] < 2 {
                return Err(format!(
                    "axis {a} has {} points; at least 2 are needed",
                    shape[a]
                ));
            }
            if !(spacing_m[a].is_finite() && spacing_m[a] > 0.0) {
                return Err(format!(
                    "axis {a} spacing {} m must be positive",
                    spacing_m[a]
                ));
            }
            s[a] = shape[a];
            d[a] = spacing_m[a];
        }
        Ok(Self {
            shape: s,
            spacing_m: d,
            ndim,
        })
    }

    pub fn num_points(&self) -> usize {
        self.shape.iter().product()
    }

    /// Linear index of (x, y, z), x fastest.
    pub fn index(&self, x: usize, y: usize, z: usize) -> usize {
        x + self.shape[0] * (y + self.shape[1] * z)
    }

    /// (x, y, z) of a linear index.
    pub fn coords(&self, index: usize) -> [usize; 3] {
        let [nx, ny, _] = self.shape;
        [index % nx, (index / nx) % ny, index / (nx * ny)]
    }

    /// The sizes of the used axes, x first.
    pub fn dims(&self) -> &[usize] {
        &self.shape[..self.ndim]
    }
}

/// A material property: one value everywhere, or one per grid point (x fastest).
#[derive(Clone, Debug, PartialEq)]
pub enum Property {
    Uniform(f64),
    Map(Vec<f32>),
}

impl Property {
    pub fn at(&self, index: usize) -> f64 {
        match self {
            Property::Uniform(v) => *v,
            Property::Map(m) => m[index] as f64,
        }
    }

    pub fn max(&self) -> f64 {
        match self {
            Property::Uniform(v) => *v,
            Property::Map(m) => m.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b as f64)),
        }
    }

    pub fn min(&self) -> f64 {
        match self {
            Property::Uniform(v) => *v,
            Property::Map(m) => m.iter().fold(f64::INFINITY, |a, &b| a.min(b as f64)),
        }
    }
}

/// Power-law absorption alpha = alpha_coeff f^y.
#[derive(Clone, Debug, PartialEq)]
pub struct Absorption {
    /// alpha_coeff, dB/(MHz^y cm).
    pub alpha_coeff_db: Property,
    /// The exponent y; y = 1 is refused (the dispersion term tan(pi y / 2) is infinite).
    pub alpha_power: f64,
    /// k-Wave's Stokes model (medium.stokes, absorbing_flag 2): y = 2 and
    /// p = c0^2 (rho + tau rho0 div u), no fractional Laplacians.
    pub stokes: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Medium {
    /// c0, m/s.
    pub sound_speed: Property,
    /// rho0, kg/m^3.
    pub density: Property,
    /// rho0 on the staggered grids (x + dx/2, y + dy/2, z + dz/2), as k-Wave input files carry
    /// them. When absent they are interpolated from `density` as k-Wave does.
    pub density_staggered: Option<[Property; 3]>,
    pub absorption: Option<Absorption>,
    /// B/A; `Some` switches the nonlinear equations on.
    pub nonlinearity: Option<Property>,
}

/// The split-field perfectly matched layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Pml {
    /// Thickness in grid points per axis.
    pub size: [usize; 3],
    /// Absorption in Nepers per grid point per axis.
    pub alpha: [f64; 3],
    /// Inside the user's grid (k-Wave's default) or added around it.
    pub inside: bool,
}

impl Pml {
    /// k-Wave's defaults: 20 points (10 in 3D), alpha 2, inside.
    pub fn kwave_default(ndim: usize) -> Self {
        let size = if ndim == 3 { 10 } else { 20 };
        Self {
            size: [
                size,
                if ndim > 1 { size } else { 0 },
                if ndim > 2 { size } else { 0 },
            ],
            alpha: [2.0; 3],
            inside: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpec {
    /// Time step, s. Default: cfl * min(dx) / max(c0).
    pub dt_s: Option<f64>,
    /// Simulated time, s. Default (k-Wave's): the grid diagonal over min(c0).
    pub end_time_s: Option<f64>,
    /// Number of steps; overrides `end_time_s`.
    pub steps: Option<usize>,
    /// Courant number used when dt is not given.
    pub cfl: f64,
}

impl Default for TimeSpec {
    fn default() -> Self {
        Self {
            dt_s: None,
            end_time_s: None,
            steps: None,
            cfl: 0.3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceMode {
    /// The source replaces the field at its points.
    Dirichlet,
    /// Added at its points, with k-Wave's k-space source correction (the default).
    Additive,
    /// Added at its points, uncorrected.
    AdditiveNoCorrection,
}

/// Whether signal values are physical (Pa, m/s) or already scaled as k-Wave's
/// `scaleSourceTerms` writes them into its input files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalUnits {
    Physical,
    KWaveScaled,
}

/// A time-varying source on a set of grid points.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeVaryingSource {
    /// Linear indices of the source points on the user's grid.
    pub points: Vec<usize>,
    /// One signal for all points (`per_point` false, `length` values) or one per point
    /// (`length * points.len()` values, sample-major: sample n of point k at n * points + k).
    pub signals: Vec<f32>,
    pub per_point: bool,
    pub length: usize,
    pub mode: SourceMode,
    pub units: SignalUnits,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sources {
    /// Initial pressure p0, Pa, over the user's grid.
    pub initial_pressure: Option<Vec<f32>>,
    /// Apply k-Wave's default p0 smoothing (Blackman window in k-space, max restored).
    pub smooth_initial_pressure: bool,
    /// Pressure source, Pa (or k-Wave scaled).
    pub pressure: Option<TimeVaryingSource>,
    /// Velocity sources ux, uy, uz, m/s (or k-Wave scaled).
    pub velocity: [Option<TimeVaryingSource>; 3],
}

/// Steady-state amplitude and phase at one frequency, accumulated over the last periods.
#[derive(Clone, Debug, PartialEq)]
pub struct ContinuousWave {
    pub frequency_hz: f64,
    pub periods: f64,
}

/// What the sensor records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    pub p: bool,
    pub p_max: bool,
    pub p_min: bool,
    pub p_rms: bool,
    pub p_final: bool,
    pub u: bool,
    pub u_max: bool,
    pub u_min: bool,
    pub u_rms: bool,
    pub u_final: bool,
    /// Velocity series moved to the regular grid (k-Wave's u_non_staggered_raw).
    pub u_non_staggered: bool,
    /// Running max / min of p over the whole grid (k-Wave's p_max_all, p_min_all).
    pub p_max_all: bool,
    pub p_min_all: bool,
    /// Running max / min of each velocity component over the whole grid.
    pub u_max_all: bool,
    pub u_min_all: bool,
    pub cw: Option<ContinuousWave>,
}

impl Record {
    pub fn any_velocity(&self) -> bool {
        self.u || self.u_max || self.u_min || self.u_rms
    }

    /// Whether a whole-grid field (final, max or min) is recorded.
    pub fn any_whole_grid(&self) -> bool {
        self.p_final
            || self.u_final
            || self.p_max_all
            || self.p_min_all
            || self.u_max_all
            || self.u_min_all
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sensor {
    /// Linear indices of the sensor points on the user's grid, in output order.
    pub points: Vec<usize>,
    pub record: Record,
    /// First recorded step (0-based); earlier samples are not stored or accumulated.
    pub record_start_step: usize,
}

/// A complete acoustic simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    pub grid: Grid,
    pub medium: Medium,
    pub pml: Pml,
    pub time: TimeSpec,
    pub sources: Sources,
    pub sensor: Sensor,
    /// Reference sound speed of the k-space correction; default max(c0).
    pub c_ref_m_s: Option<f64>,
}
