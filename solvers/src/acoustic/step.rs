//! One time step of k-Wave's first-order k-space scheme, in the order of the update
//! equations (Treeby et al. 2012), written once against the backend catalogue.
//!
//! The step has two forms. The split form (`advance`) is the general one: ten 3D transforms
//! (4 R2C + 6 C2R) per lossless step, as k-Wave makes. The mixed-domain form
//! (`advance_mixed`) is the same arithmetic for homogeneous linear media (lossless or
//! absorbing) whose only time-varying source is an additive pressure source, in one pass of
//! 1D transforms per axis (the work of four 3D transforms); see
//! `ferrowave_kernels::cpu::mixed`.
//!
//! Spectral buffers of the split form: 0..ndim carry grad p, then u, then the split
//! divergence; buffer 0 carries p between steps; buffers 0 and 1 carry the absorption terms;
//! buffers after those carry k-space corrected source grids.

use ferrowave_kernels::setup::AcousticSetup;
use ferrowave_kernels::{
    AcousticBackend, AcousticState, AxisPass, MixedDomainBackend, Spec, SpectralOp, Update,
    WholeGrid,
};

/// A backend with the form of step it runs (and, mixed-domain, the number of axes).
pub enum Stepper {
    Split(Box<dyn AcousticBackend>, Schedule),
    MixedDomain(Box<dyn MixedDomainBackend>, usize),
}

impl Stepper {
    /// What the loop reads back, whichever the form.
    pub fn state(&mut self) -> &mut dyn AcousticState {
        match self {
            Stepper::Split(b, _) => b.as_mut(),
            Stepper::MixedDomain(b, _) => b.as_mut(),
        }
    }

    /// Step 0 with an initial pressure.
    pub fn initial_pressure(&mut self, ndim: usize, pressure: WholeGrid, velocity: WholeGrid) {
        match self {
            Stepper::Split(b, _) => initial_pressure(b.as_mut(), ndim, pressure, velocity),
            Stepper::MixedDomain(b, _) => initial_pressure_mixed(b.as_mut(), ndim, pressure),
        }
    }

    /// Step `step` of the time loop.
    pub fn advance(&mut self, step: usize, pressure: WholeGrid, velocity: WholeGrid) {
        match self {
            Stepper::Split(b, schedule) => advance(b.as_mut(), schedule, step, pressure, velocity),
            Stepper::MixedDomain(b, ndim) => advance_mixed(b.as_mut(), *ndim, step, pressure),
        }
    }
}

/// What the loop needs to know about a run once the backend owns its setup: the dimension,
/// absorption, and when each k-space corrected source acts and which buffer it uses.
pub struct Schedule {
    pub ndim: usize,
    pub absorbing: bool,
    /// (signal length, spectral buffer) of the corrected pressure source.
    pressure: Option<(usize, Spec)>,
    velocity: [Option<(usize, Spec)>; 3],
}

impl Schedule {
    pub fn new(setup: &AcousticSetup) -> Self {
        use ferrowave_kernels::SourceInjection::Additive;
        let mut next = setup.field_spectra();
        let mut slot = |s: &Option<ferrowave_kernels::PointSource>| {
            s.as_ref().filter(|s| s.injection == Additive).map(|s| {
                next += 1;
                (s.length, next - 1)
            })
        };
        let pressure = slot(&setup.pressure_source);
        let velocity = [
            slot(&setup.velocity_sources[0]),
            slot(&setup.velocity_sources[1]),
            slot(&setup.velocity_sources[2]),
        ];
        Self {
            ndim: setup.ndim,
            absorbing: setup.absorption.is_some(),
            pressure,
            velocity,
        }
    }
}

/// The buffer of a corrected source if it acts at `step`.
fn active(source: Option<(usize, Spec)>, step: usize) -> Option<Spec> {
    source
        .filter(|(length, _)| step < *length)
        .map(|(_, slot)| slot)
}

const PRESSURE: Spec = 0;
const AXES: [Spec; 3] = [0, 1, 2];

/// A short list of buffers built without allocating: the axes plus up to three sources.
struct Inputs {
    specs: [Spec; 6],
    len: usize,
}

impl Inputs {
    fn axes(ndim: usize) -> Self {
        Self {
            specs: [0, 1, 2, 0, 0, 0],
            len: ndim,
        }
    }

    fn push(&mut self, spec: Spec) {
        self.specs[self.len] = spec;
        self.len += 1;
    }

    fn as_slice(&self) -> &[Spec] {
        &self.specs[..self.len]
    }
}

/// Sets the initial condition from p0 (k-Wave's t_index = 0 with p0_source_flag): p = p0,
/// rho_i = p0 / (ndim c0^2), u_i(-dt/2) = dt / (2 rho0_sg_i) d/dx_i+ p0, so u(0) = 0.
pub fn initial_pressure(
    b: &mut dyn AcousticBackend,
    ndim: usize,
    pressure: WholeGrid,
    velocity: WholeGrid,
) {
    let axes = &AXES[..ndim];
    let quiet = WholeGrid::default();
    b.fused(Update::InitialPressure { whole: quiet }, &[], &[PRESSURE]);
    b.spectral(SpectralOp::GradientStaggeredForward, &[PRESSURE], axes);
    b.fused(Update::InitialVelocity { whole: velocity }, axes, &[]);
    // grad p for the next step needs F{p0} again: the gradient consumed it.
    b.fused(
        Update::InitialPressure { whole: pressure },
        &[],
        &[PRESSURE],
    );
}

/// Advances the fields by one step. Buffer 0 must hold F{p} of the previous step.
/// `pressure` and `velocity` say what to record over the whole grid as p and u are formed.
pub fn advance(
    b: &mut dyn AcousticBackend,
    schedule: &Schedule,
    step: usize,
    pressure: WholeGrid,
    velocity: WholeGrid,
) {
    let ndim = schedule.ndim;
    let axes = &AXES[..ndim];

    // 1-2. u_i = pml_sg_i (pml_sg_i u_i - dt / rho0_sg_i kappa d/dx_i+ p), then velocity sources.
    b.spectral(SpectralOp::GradientStaggeredForward, &[PRESSURE], axes);
    let mut velocity_inputs = Inputs::axes(ndim);
    for axis in 0..ndim {
        if let Some(slot) = active(schedule.velocity[axis], step) {
            b.fused(Update::ScatterVelocitySource { step, axis }, &[], &[slot]);
            b.spectral(SpectralOp::SourceCorrection, &[slot], &[slot]);
            velocity_inputs.push(slot);
        }
    }
    b.fused(
        Update::Velocity {
            step,
            whole: velocity,
        },
        velocity_inputs.as_slice(),
        axes,
    );

    // 3-4. rho_i = pml_i (pml_i rho_i - dt rho0 kappa d/dx_i- u_i), then pressure sources.
    b.spectral(SpectralOp::DivergenceStaggeredBackward, axes, axes);
    let mut density_inputs = Inputs::axes(ndim);
    if let Some(slot) = active(schedule.pressure, step) {
        b.fused(Update::ScatterPressureSource { step }, &[], &[slot]);
        b.spectral(SpectralOp::SourceCorrection, &[slot], &[slot]);
        density_inputs.push(slot);
    }

    // 5. p = c0^2 (rho + B/A rho^2 / (2 rho0) + tau L1{rho0 div u} - eta L2{rho}).
    if schedule.absorbing {
        b.fused(
            Update::Density {
                step,
                whole: pressure,
            },
            density_inputs.as_slice(),
            &[0, 1],
        );
        b.spectral(SpectralOp::FractionalLaplacians, &[0, 1], &[0, 1]);
        b.fused(
            Update::AbsorbingPressure {
                step,
                whole: pressure,
            },
            &[0, 1],
            &[PRESSURE],
        );
    } else {
        b.fused(
            Update::Density {
                step,
                whole: pressure,
            },
            density_inputs.as_slice(),
            &[PRESSURE],
        );
    }
}

/// Step 0 in the mixed-domain form: F{p0}, then per axis rho_i = p0 / (ndim c0^2) and
/// u_i(-dt/2) = dt / (2 rho0) d/dx_i+ p0, each held in its mixed domain.
pub fn initial_pressure_mixed(b: &mut dyn MixedDomainBackend, ndim: usize, pressure: WholeGrid) {
    b.transform_initial_pressure();
    for axis in 0..ndim {
        b.axis_pass(axis, AxisPass::Initial);
    }
    b.form_pressure(pressure);
}

/// One step in the mixed-domain form, for each axis i along its lines (F_i: the transform
/// along axis i; u_i and rho_i held transformed along the other axes):
/// u_i = pml_sg_i (pml_sg_i u_i - dt/rho0 F_i^-1{kappa d/dx_i+ F{p}}),
/// rho_i = pml_i (pml_i rho_i - dt rho0 F_i^-1{kappa d/dx_i- F_i{u_i}}),
/// then the additive pressure source rho_i += F_i^-1{cos(c_ref dt |k| / 2) F{S}} (without the
/// cosine when uncorrected), F{p} of the step = sum_i c0^2 F_i{rho_i}. The x pass comes first:
/// it starts the sum. With absorption each pass also adds F{d/dx_i u_i} into F{div u}, and
/// `form_pressure` adds k-Wave's terms in k-space:
/// F{p} += c0^2 (tau rho0 |k|^(y-2) F{div u} - eta |k|^(y-1) F{rho})
/// (Stokes: F{p} += c0^2 tau rho0 F{div u}).
pub fn advance_mixed(
    b: &mut dyn MixedDomainBackend,
    ndim: usize,
    step: usize,
    pressure: WholeGrid,
) {
    b.transform_pressure_source(step);
    for axis in 0..ndim {
        b.axis_pass(axis, AxisPass::Step);
    }
    b.form_pressure(pressure);
}
