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

use crate::device::DeviceError;

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

/// Sensor samples of the steps ended since the last `AcousticBackend::take_samples`.
pub struct Samples<'a> {
    pub steps: usize,
    /// Pressure, step-major: `[step][sensor]`.
    pub pressure: &'a [f32],
    /// Velocity per axis, step-major, when `AcousticSetup::sample_velocity`; empty otherwise.
    pub velocity: [&'a [f32]; 3],
}

/// What the time loop reads back from any backend, whichever form its step takes: sensor
/// samples, CW sums, whole-grid records, and the field magnitude for the stability watch.
///
/// Per step the loop advances the backend, then calls `end_step`, and `take_samples`
/// whenever `sample_capacity` steps have ended since the last take (and after the last
/// step). Read-backs may fail on a device (lost device, failed copy); the CPU never fails.
pub trait AcousticState {
    /// Ends a step: keeps the sensor samples of the last update that formed p (and of the
    /// velocity as it now is, when sampled), and with `cw = Some((w_re, w_im))` adds w p at
    /// each sensor to the running CW sums.
    fn end_step(&mut self, cw: Option<(f64, f64)>);
    /// Steps of samples the backend holds before `take_samples` must be called.
    fn sample_capacity(&self) -> usize;
    /// The samples of the steps ended since the last call.
    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError>;
    /// The running CW sums (re, im) per sensor.
    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError>;
    /// Copies the whole pressure field of the last update that formed p with
    /// `WholeGrid::keep` (requires `AcousticSetup::keep_pressure_field`).
    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError>;
    /// Copies the running max and min of p over the grid (requires
    /// `whole_grid_extremes.pressure`).
    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError>;
    /// Copies the running max and min of velocity component `axis` (requires
    /// `whole_grid_extremes.velocity`).
    fn velocity_extremes(
        &mut self,
        axis: usize,
        max: &mut [f32],
        min: &mut [f32],
    ) -> Result<(), DeviceError>;
    /// Copies `out.len()` values of velocity component `axis` from index `start` with
    /// `stride` (a grid line) into `out`.
    fn velocity_line(
        &mut self,
        axis: usize,
        start: usize,
        stride: usize,
        out: &mut [f32],
    ) -> Result<(), DeviceError>;
    /// Copies velocity component `axis` (staggered grid) into `out`.
    fn velocity_field(&mut self, axis: usize, out: &mut [f32]) -> Result<(), DeviceError>;
    /// A magnitude of the density field that grows with it (max |rho_x + rho_y + rho_z|
    /// over the grid, or its root mean square); NaN or infinite if any value is. The
    /// stability watch compares it only with itself over one run.
    fn density_magnitude(&mut self) -> Result<f32, DeviceError>;
    /// Bytes of memory held by the backend (device memory for a GPU backend).
    fn bytes_allocated(&self) -> usize;
}

/// A backend executing the catalogue (the split form of the step in `step.rs`).
pub trait AcousticBackend: AcousticState {
    /// Number of spectral buffers this backend was built with.
    fn spectral_buffers(&self) -> usize;
    fn spectral(&mut self, op: SpectralOp, inputs: &[Spec], outputs: &[Spec]);
    fn fused(&mut self, update: Update, inverse: &[Spec], forward: &[Spec]);
}

/// What one axis pass of the mixed-domain form does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisPass {
    /// Step 0 with an initial pressure: rho_i = p0 / (ndim c0^2) and
    /// u_i = dt / (2 rho0) kappa d/dx_i+ p0 (u at -dt/2), from F{p0}.
    Initial,
    /// A time step: u_i, then rho_i, with the PML of axis i, from F{p} of the last step;
    /// adds c0^2 F_i{rho_i} into F{p} of this step.
    Step,
}

/// A backend stepping the mixed-domain form of the scheme (homogeneous, linear media, lossless
/// or absorbing, whose only time-varying source is an additive pressure source): velocity u_i
/// and split density rho_i are held Fourier-transformed
/// along every axis but i, where the PML of axis i is a point-wise factor; F{p} is held whole.
/// A step is then one pass of 1D transforms per axis instead of ten 3D transforms.
pub trait MixedDomainBackend: AcousticState {
    /// F{p0} from the initial pressure the backend was built with.
    fn transform_initial_pressure(&mut self);
    /// F{S} of the additive pressure source's grid at `step` (times cos(c_ref dt |k| / 2)
    /// when k-space corrected), added to each rho_i by the axis passes of the step; nothing
    /// when no source acts at `step`.
    fn transform_pressure_source(&mut self, step: usize);
    fn axis_pass(&mut self, axis: usize, pass: AxisPass);
    /// Ends the passes of a step: F{p} of this step becomes current (with the absorption
    /// terms when absorbing), p is sampled at the sensors and recorded over the grid as
    /// `whole` says.
    fn form_pressure(&mut self, whole: WholeGrid);
}
