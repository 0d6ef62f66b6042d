//! Plain-data description of one acoustic run, as a backend receives it from the solver's plan.
//!
//! Arrays are flat, x fastest: index = x + nx (y + ny z). Unused axes have size 1.
//! Every coefficient is already in the form the update equations use (dt/rho0_sg, dt rho0,
//! c0^2, ...), so each backend only executes; none re-derives physics.

/// A coefficient that is either the same everywhere or given per grid point.
#[derive(Clone, Debug, PartialEq)]
pub enum Coef {
    Uniform(f32),
    Map(Vec<f32>),
}

impl Coef {
    #[inline(always)]
    pub fn at(&self, index: usize) -> f32 {
        match self {
            Coef::Uniform(v) => *v,
            Coef::Map(m) => m[index],
        }
    }

    /// The value everywhere, if the coefficient is uniform.
    pub fn uniform(&self) -> Option<f32> {
        match self {
            Coef::Uniform(v) => Some(*v),
            Coef::Map(_) => None,
        }
    }

    /// Applies `f` point-wise, keeping a uniform coefficient uniform.
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Coef {
        match self {
            Coef::Uniform(v) => Coef::Uniform(f(*v)),
            Coef::Map(m) => Coef::Map(m.iter().map(|&v| f(v)).collect()),
        }
    }

    /// Combines two coefficients point-wise.
    pub fn zip(&self, other: &Coef, f: impl Fn(f32, f32) -> f32) -> Coef {
        match (self, other) {
            (Coef::Uniform(a), Coef::Uniform(b)) => Coef::Uniform(f(*a, *b)),
            (Coef::Map(a), Coef::Uniform(b)) => Coef::Map(a.iter().map(|&v| f(v, *b)).collect()),
            (Coef::Uniform(a), Coef::Map(b)) => Coef::Map(b.iter().map(|&v| f(*a, v)).collect()),
            (Coef::Map(a), Coef::Map(b)) => {
                Coef::Map(a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect())
            }
        }
    }

    /// Bytes held by this coefficient.
    pub fn bytes(&self) -> usize {
        match self {
            Coef::Uniform(_) => 4,
            Coef::Map(m) => 4 * m.len(),
        }
    }
}

/// How a time-varying source enters its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceInjection {
    /// The source value replaces the field at the source points.
    Dirichlet,
    /// The source value is added at the source points.
    AdditiveNoCorrection,
    /// The source values form a grid S and F^-1{cos(c_ref dt |k|/2) F{S}} is added (k-Wave's default).
    Additive,
}

/// A time-varying source on a set of grid points. Values are already scaled into the units of
/// the field they act on (density for pressure sources, velocity for velocity sources).
#[derive(Clone, Debug)]
pub struct PointSource {
    /// Linear indices of the source points (x fastest).
    pub indices: Vec<usize>,
    /// Sample n of point k is `signals[n * indices.len() + k]` when `per_point`, else `signals[n]`.
    pub signals: Vec<f32>,
    pub per_point: bool,
    /// Number of samples; sample n is applied during step n while n < length.
    pub length: usize,
    pub injection: SourceInjection,
}

impl PointSource {
    pub fn active(&self, step: usize) -> bool {
        step < self.length
    }

    #[inline]
    pub fn value(&self, step: usize, point: usize) -> f32 {
        if self.per_point {
            self.signals[step * self.indices.len() + point]
        } else {
            self.signals[step]
        }
    }
}

/// Power-law absorption coefficients (k-Wave's tau and eta terms).
#[derive(Clone, Debug)]
pub struct AbsorptionSetup {
    /// The power-law exponent y (alpha_power).
    pub power: f64,
    /// tau = -2 alpha0 c0^(y-1), alpha0 in Np/((rad/s)^y m).
    pub tau: Coef,
    /// eta = 2 alpha0 c0^y tan(pi y / 2).
    pub eta: Coef,
    /// Ambient density, multiplying div u inside the tau term.
    pub rho0: Coef,
}

/// Everything a backend needs to run the k-space scheme.
#[derive(Clone, Debug)]
pub struct AcousticSetup {
    /// Grid points per axis (x, y, z); unused axes are 1.
    pub shape: [usize; 3],
    /// Number of spatial dimensions (1, 2 or 3).
    pub ndim: usize,
    /// Grid spacing per axis, metres.
    pub spacing: [f64; 3],
    pub dt: f64,
    pub c_ref: f64,
    /// PML absorption factors on the regular and staggered grids, per axis.
    pub pml: [Vec<f32>; 3],
    pub pml_staggered: [Vec<f32>; 3],
    /// dt / rho0 on the staggered grid of each axis.
    pub dt_over_rho_staggered: [Coef; 3],
    /// dt rho0 (the linear density update factor).
    pub dt_rho0: Coef,
    /// c0^2.
    pub c0_squared: Coef,
    /// B/A / (2 rho0); `Some` switches the nonlinear update on (convective term included).
    pub nonlinearity: Option<Coef>,
    pub absorption: Option<AbsorptionSetup>,
    /// Stokes absorption: tau rho0, with p = c0^2 (rho + tau rho0 div u + ...).
    pub stokes: Option<Coef>,
    /// Initial pressure, Pa, applied at step 0 (a backend may consume it at construction).
    pub initial_pressure: Option<Vec<f32>>,
    pub pressure_source: Option<PointSource>,
    pub velocity_sources: [Option<PointSource>; 3],
    /// Grid points sampled each step, in output column order.
    pub sensor_points: Vec<usize>,
    /// Whether the velocity components are sampled at the sensor points too.
    pub sample_velocity: bool,
    /// Whether the loop reads u over the grid (u_final, or grid lines for the non-staggered
    /// velocity).
    pub read_velocity_field: bool,
    /// Whether a whole-grid copy of p is kept (for p_final).
    pub keep_pressure_field: bool,
    /// Which fields get a running whole-grid max and min.
    pub whole_grid_extremes: Extremes,
}

/// Fields whose running max and min over the whole grid are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extremes {
    pub pressure: bool,
    pub velocity: bool,
}

impl AcousticSetup {
    pub fn num_points(&self) -> usize {
        self.shape.iter().product()
    }

    /// Spectral buffers the fields need: one per velocity component, at least two when
    /// absorbing (the two fractional Laplacian terms).
    pub fn field_spectra(&self) -> usize {
        if self.absorption.is_some() {
            self.ndim.max(2)
        } else {
            self.ndim
        }
    }

    /// Number of sources injected with the k-space correction (each needs a spectral buffer).
    pub fn corrected_source_count(&self) -> usize {
        let corrected = |s: &Option<PointSource>| {
            s.as_ref()
                .is_some_and(|s| s.injection == SourceInjection::Additive) as usize
        };
        corrected(&self.pressure_source)
            + self.velocity_sources.iter().map(corrected).sum::<usize>()
    }

    /// Bytes held by the medium coefficients.
    pub fn coefficient_bytes(&self) -> usize {
        self.dt_over_rho_staggered
            .iter()
            .map(Coef::bytes)
            .sum::<usize>()
            + self.dt_rho0.bytes()
            + self.c0_squared.bytes()
            + self.nonlinearity.as_ref().map_or(0, Coef::bytes)
            + self
                .absorption
                .as_ref()
                .map_or(0, |a| a.tau.bytes() + a.eta.bytes() + a.rho0.bytes())
            + self.stokes.as_ref().map_or(0, Coef::bytes)
    }

    /// The additive (k-space corrected) pressure source, if it acts at `step`.
    pub fn corrected_pressure_source(&self, step: usize) -> Option<&PointSource> {
        self.pressure_source
            .as_ref()
            .filter(|s| s.injection == SourceInjection::Additive && s.active(step))
    }

    /// The additive (k-space corrected) velocity source of `axis`, if it acts at `step`.
    pub fn corrected_velocity_source(&self, axis: usize, step: usize) -> Option<&PointSource> {
        self.velocity_sources[axis]
            .as_ref()
            .filter(|s| s.injection == SourceInjection::Additive && s.active(step))
    }
}
