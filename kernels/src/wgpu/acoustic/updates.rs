//! The fused updates of the catalogue as dispatches, between the inverse transforms of their
//! inputs and the forward transforms of their outputs (recorded by the caller).
//!
//! Point sources are applied by a dispatch over the source points between the update phase
//! and the finish phase of the velocity and density kernels, so the order of the CPU is kept:
//! PML update, point source, corrected source, records.

use super::kernels::{Job, Kernel};
use super::layout::point_wise;
use super::WgpuAcoustic;
use crate::catalogue::{Spec, Update, WholeGrid};
use crate::setup::SourceInjection;

const PHASE_UPDATE: u32 = 1;
const PHASE_FINISH: u32 = 2;
const TARGET_VELOCITY: u32 = 0;
const TARGET_DENSITY: u32 = 1;

fn with_whole(mut job: Job, whole: WholeGrid) -> Job {
    job.extent[2] = whole.keep as u32;
    job.extent[3] = whole.extremes as u32;
    job
}

impl WgpuAcoustic {
    /// A job reading source `slot` (0 pressure, 1 + axis velocity) at `step`.
    fn source_job(&self, slot: usize, step: usize) -> Job {
        let table = self.layout.sources[slot].expect("the source has a table");
        let mut job = Job::new();
        job.what[1] = step as u32;
        job.source = [
            table.indices,
            table.signals,
            table.points,
            table.per_point as u32,
        ];
        job
    }

    /// Samples p from output 0 (its real field) into the current sample row.
    fn gather_pressure(&mut self, encoder: &mut wgpu::CommandEncoder, output: Spec) {
        let mut job = Job::new().with_outputs(&[output]);
        job.what[3] = self.filled as u32;
        let sensors = self.layout.sensors;
        self.kernels
            .dispatch(encoder, Kernel::GatherPressure, job, sensors);
    }

    /// Applies a Dirichlet or uncorrected additive source to components first..last of
    /// `target`.
    fn point_source(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        slot: usize,
        step: usize,
        target: u32,
        axes: (usize, usize),
        injection: SourceInjection,
    ) {
        let mut job = self.source_job(slot, step);
        let additive = (injection == SourceInjection::AdditiveNoCorrection) as u32;
        job.source_target = [additive, target, axes.0 as u32, axes.1 as u32];
        let points = job.source[2] as usize;
        self.kernels
            .dispatch(encoder, Kernel::PointSource, job, points);
    }
}

pub(super) fn record(
    b: &mut WgpuAcoustic,
    encoder: &mut wgpu::CommandEncoder,
    update: Update,
    inverse: &[Spec],
    forward: &[Spec],
) {
    let n = b.layout.n;
    let ndim = b.setup.ndim;
    match update {
        Update::InitialPressure { whole } => {
            let job = with_whole(Job::new().with_outputs(forward), whole);
            b.kernels.dispatch(encoder, Kernel::InitialPressure, job, n);
            b.gather_pressure(encoder, forward[0]);
        }
        Update::InitialVelocity { whole } => {
            let job = with_whole(Job::new().with_inputs(inverse), whole);
            b.kernels.dispatch(encoder, Kernel::InitialVelocity, job, n);
        }
        Update::ScatterPressureSource { step } | Update::ScatterVelocitySource { step, .. } => {
            let slot = match update {
                Update::ScatterVelocitySource { axis, .. } => 1 + axis,
                _ => 0,
            };
            let output = forward[0];
            encoder.clear_buffer(&b.spectral[output], 0, Some(4 * n as u64));
            let job = b.source_job(slot, step).with_outputs(&[output]);
            let points = job.source[2] as usize;
            b.kernels
                .dispatch(encoder, Kernel::ScatterSource, job, points);
        }
        Update::Velocity { step, whole } => {
            let mut job = with_whole(Job::new().with_inputs(inverse).with_outputs(forward), whole);
            job.what[1] = step as u32;
            job.what[2] = forward.len() as u32;
            let mut next = ndim as u32;
            for axis in 0..ndim {
                if b.setup.corrected_velocity_source(axis, step).is_some() {
                    job.corrected[axis] = next;
                    next += 1;
                }
            }
            let point_sources: [Option<SourceInjection>; 3] = std::array::from_fn(|axis| {
                b.setup.velocity_sources[axis]
                    .as_ref()
                    .filter(|s| axis < ndim && s.active(step) && point_wise(s))
                    .map(|s| s.injection)
            });
            let has_sources = point_sources.iter().any(Option::is_some);
            phased(
                b,
                encoder,
                Kernel::VelocityUpdate,
                job,
                has_sources,
                |b, encoder| {
                    for (axis, injection) in point_sources.iter().enumerate() {
                        let Some(injection) = *injection else {
                            continue;
                        };
                        b.point_source(
                            encoder,
                            1 + axis,
                            step,
                            TARGET_VELOCITY,
                            (axis, axis + 1),
                            injection,
                        );
                    }
                },
            );
        }
        Update::Density { step, whole } => {
            let mut job = with_whole(Job::new().with_inputs(inverse).with_outputs(forward), whole);
            job.what[1] = step as u32;
            if b.setup.corrected_pressure_source(step).is_some() {
                job.corrected[0] = ndim as u32;
            }
            let injection = b
                .setup
                .pressure_source
                .as_ref()
                .filter(|s| s.active(step) && point_wise(s))
                .map(|s| s.injection);
            phased(
                b,
                encoder,
                Kernel::DensityUpdate,
                job,
                injection.is_some(),
                |b, encoder| {
                    if let Some(injection) = injection {
                        b.point_source(encoder, 0, step, TARGET_DENSITY, (0, ndim), injection);
                    }
                },
            );
            if b.setup.absorption.is_none() {
                b.gather_pressure(encoder, forward[0]);
            }
        }
        Update::AbsorbingPressure { step: _, whole } => {
            let job = with_whole(Job::new().with_inputs(inverse).with_outputs(forward), whole);
            b.kernels
                .dispatch(encoder, Kernel::AbsorbingPressure, job, n);
            b.gather_pressure(encoder, forward[0]);
        }
    }
}

/// Runs `kernel` as one dispatch when no point source acts, or as update phase, point
/// sources (recorded by `sources`), finish phase.
fn phased(
    b: &mut WgpuAcoustic,
    encoder: &mut wgpu::CommandEncoder,
    kernel: Kernel,
    job: Job,
    has_sources: bool,
    sources: impl FnOnce(&mut WgpuAcoustic, &mut wgpu::CommandEncoder),
) {
    let n = b.layout.n;
    let phase = |bits: u32| {
        let mut phased = job;
        phased.what[0] = bits;
        phased
    };
    if has_sources {
        b.kernels.dispatch(encoder, kernel, phase(PHASE_UPDATE), n);
        sources(b, encoder);
        b.kernels.dispatch(encoder, kernel, phase(PHASE_FINISH), n);
    } else {
        b.kernels
            .dispatch(encoder, kernel, phase(PHASE_UPDATE | PHASE_FINISH), n);
    }
}
