//! The catalogue of operations the acoustic time loop is written against.
//!
//! A backend owns the fields (velocity, split density), the spectral work buffers and the
//! k-space factors. The loop in `ferrowave-solvers` calls two kinds of operation:
//! - `spectral`: forward transform along the last remaining axis, multiply by a k-space
//!   operator, inverse transform, for whole buffers at once;
//! - `fused`: one pass over the grid that inverse-transforms some buffers, applies one of the
//!   named point-wise updates, and forward-transforms its results into other buffers.
//!
//! Spectral buffers hold fields in a backend-defined partially transformed state between the
//! two; a buffer read by an operation is consumed by it.

/// A spectral work buffer.
pub type Spec = usize;

/// k-space operators applied by `AcousticBackend::spectral`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpectralOp {
    /// One input, `ndim` outputs: kappa d/dx_i+ (derivative shifted by +d/2).
    GradientStaggeredForward,
    /// `ndim` inputs, `ndim` outputs: output i = kappa d/dx_i- of input i.
    DivergenceStaggeredBackward,
    /// Two inputs, two outputs: |k|^(y-2) and |k|^(y-1) (k-Wave's absorption operators).
    FractionalLaplacians,
    /// One input, one output: cos(c_ref dt |k| / 2), the additive source correction.
    SourceCorrection,
}

/// What an update that forms p (or u) records over the whole grid as it goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WholeGrid {
    /// Keep a copy of the field (requires `AcousticSetup::keep_pressure_field`).
    pub keep: bool,
    /// Fold the field into the running max/min (requires `AcousticSetup::whole_grid_extremes`).
    pub extremes: bool,
}

/// Named fused point-wise updates applied by `AcousticBackend::fused`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// Forms p = p0 from the split density the backend initialised to p0 / (ndim c0^2),
    /// samples it, forward output: p.
    InitialPressure { whole: WholeGrid },
    /// Inverse inputs: kappa d/dx_i+ p0. Sets u_i = dt / (2 rho0_sg_i) d/dx_i+ p0 (u at -dt/2).
    InitialVelocity { whole: WholeGrid },
    /// Forward output: the source grid of this step's additive pressure source.
    ScatterPressureSource { step: usize },
    /// Forward output: the source grid of this step's additive velocity source on `axis`.
    ScatterVelocitySource { step: usize, axis: usize },
    /// Inverse inputs: kappa d/dx_i+ p for each axis, then the corrected source of each axis
    /// with an active additive velocity source. Updates u_i with the PML, applies point
    /// sources, forward outputs: u_i.
    Velocity { step: usize, whole: WholeGrid },
    /// Inverse inputs: kappa d/dx_i- u_i for each axis, then the corrected pressure source if
    /// active. Updates rho_i with the PML, applies point sources. Forward outputs: p (and p
    /// is sampled) when lossless; rho0 div u and rho when absorbing.
    Density { step: usize, whole: WholeGrid },
    /// Inverse inputs: |k|^(y-2) F{rho0 div u} and |k|^(y-1) F{rho}. Forms p with the tau
    /// and eta terms and samples it. Forward output: p.
    AbsorbingPressure { step: usize, whole: WholeGrid },
}

/// A backend executing the catalogue.
pub trait AcousticBackend {
    /// Number of spectral buffers this backend was built with.
    fn spectral_buffers(&self) -> usize;
    fn spectral(&mut self, op: SpectralOp, inputs: &[Spec], outputs: &[Spec]);
    fn fused(&mut self, update: Update, inverse: &[Spec], forward: &[Spec]);
    /// Pressure at the sensor points from the last update that formed p.
    fn pressure_samples(&self) -> &[f32];
    /// Velocity component `axis` at the sensor points (staggered grid), as of the last
    /// velocity update.
    fn velocity_samples(&mut self, axis: usize) -> &[f32];
    /// The whole pressure field of the last update that formed p with `WholeGrid::keep`
    /// (requires `AcousticSetup::keep_pressure_field`).
    fn pressure_field(&self) -> &[f32];
    /// Running (max, min) of p over the grid (requires `whole_grid_extremes.pressure`).
    fn pressure_extremes(&self) -> (&[f32], &[f32]);
    /// Running (max, min) of velocity component `axis` (requires `whole_grid_extremes.velocity`).
    fn velocity_extremes(&self, axis: usize) -> (&[f32], &[f32]);
    /// Copies `out.len()` values of velocity component `axis` from index `start` with
    /// `stride` (a grid line) into `out`.
    fn velocity_line(&self, axis: usize, start: usize, stride: usize, out: &mut [f32]);
    /// Copies velocity component `axis` (staggered grid) into `out`.
    fn velocity_field(&self, axis: usize, out: &mut [f32]);
    /// max |rho_x + rho_y + rho_z| over the grid; NaN or infinite if any value is.
    fn density_magnitude(&self) -> f32;
    /// Bytes of memory held by the backend.
    fn bytes_allocated(&self) -> usize;
}
