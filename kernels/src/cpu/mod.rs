//! CPU backend: rustfft/realfft transforms and rayon over z planes and spectral line blocks.
//! Every buffer is allocated in `CpuAcoustic::new`; the time loop allocates nothing.
//! `mixed` is the mixed-domain form of the step for homogeneous linear media.

mod engine;
mod huge_pages;
mod kspace_tables;
pub mod mixed;
mod plane_index;
mod shared;
mod subnormals;
mod updates;

use crate::catalogue::{AcousticBackend, AcousticState, Samples, Spec, SpectralOp, Update};
use crate::device::DeviceError;
use crate::setup::AcousticSetup;
use crate::step_form::StepForm;
use engine::Engine;
use kspace_tables::KSpaceTables;
use plane_index::PlaneIndex;
pub use subnormals::flush_subnormals_to_zero;

/// Spectral buffers the time loop needs for this setup: one per velocity component (at least
/// two when absorbing), plus one per field with an additive (k-space corrected) source.
pub fn spectral_buffers_needed(setup: &AcousticSetup) -> usize {
    setup.field_spectra() + setup.corrected_source_count()
}

/// Bytes the CPU stepper of `form` will allocate for `setup` with `threads` workers, without
/// allocating: used to refuse runs that would not fit before anything is allocated.
pub fn estimate_bytes(setup: &AcousticSetup, threads: usize, form: StepForm) -> usize {
    match form {
        StepForm::Split => split_estimate_bytes(setup, threads),
        StepForm::MixedDomain => mixed::estimate_bytes(setup, threads),
    }
}

/// Bytes `CpuAcoustic::new` will allocate for `setup` with `threads` workers.
fn split_estimate_bytes(setup: &AcousticSetup, threads: usize) -> usize {
    let [nx, ny, nz] = setup.shape;
    let n = nx * ny * nz;
    let half = (nx / 2 + 1) * ny * nz;
    let buffers = spectral_buffers_needed(setup);
    let fields = 2 * setup.ndim * n * 4;
    let spectra = buffers * half * 8;
    let tables = KSpaceTables::estimate_bytes(setup);
    let keep = if setup.keep_pressure_field { n * 4 } else { 0 };
    let extremes = (setup.whole_grid_extremes.pressure as usize
        + setup.ndim * setup.whole_grid_extremes.velocity as usize)
        * 2
        * n
        * 4;
    let coefficients = setup.coefficient_bytes();
    let planes = updates::SCRATCH_PLANES * nx * ny * 4;
    let blocks = buffers * 64 * nz * 8;
    let rows = 16 * (nx / 2 + 1) * 8 + 64 * (nx + ny + nz) * 8;
    let per_worker = planes + blocks + rows;
    fields + spectra + tables + keep + extremes + coefficients + per_worker * threads.max(1)
}

pub struct CpuAcoustic {
    setup: AcousticSetup,
    engine: Engine,
    tables: KSpaceTables,
    velocity: [Vec<f32>; 3],
    density: [Vec<f32>; 3],
    sensors: PlaneIndex,
    pressure_sources: PlaneIndex,
    velocity_sources: [PlaneIndex; 3],
    pressure_samples: Vec<f32>,
    /// Velocity at the sensors per axis, gathered at the end of each step when sampled.
    velocity_samples: Vec<f32>,
    /// Running CW sums (re, im) per sensor.
    cw_sums: [Vec<f64>; 2],
    pressure_field: Vec<f32>,
    /// Running whole-grid (max, min) of p and of each velocity component, when asked for.
    pressure_extremes: [Vec<f32>; 2],
    velocity_extremes: [[Vec<f32>; 2]; 3],
    ones: Vec<f32>,
}

/// Adds (w_re p, w_im p) of each sensor's sample p to its running CW sums.
fn add_cw_terms(sums: &mut [Vec<f64>; 2], samples: &[f32], (w_re, w_im): (f64, f64)) {
    let [sum_re, sum_im] = sums;
    for ((re, im), &p) in sum_re.iter_mut().zip(sum_im.iter_mut()).zip(samples) {
        *re += w_re * p as f64;
        *im += w_im * p as f64;
    }
}

/// A (max, min) pair of running extremes over `n` points, or empty vectors.
fn extremes(wanted: bool, n: usize) -> [Vec<f32>; 2] {
    if wanted {
        [vec![f32::NEG_INFINITY; n], vec![f32::INFINITY; n]]
    } else {
        [Vec::new(), Vec::new()]
    }
}

impl CpuAcoustic {
    /// Builds the backend; call inside the rayon pool that will run it (one scratch set per
    /// worker of the current pool).
    pub fn new(mut setup: AcousticSetup) -> Self {
        let n = setup.num_points();
        let [nx, ny, nz] = setup.shape;
        let plane = nx * ny;
        let field = |axis: usize| {
            if axis < setup.ndim {
                huge_pages::zeroed::<f32>(n)
            } else {
                Vec::new()
            }
        };
        // The initial condition lives in the split density from the start, and p0 is freed
        // before the work buffers are allocated, so it never adds to the peak memory.
        let mut density = [field(0), field(1), field(2)];
        if let Some(p0) = setup.initial_pressure.take() {
            let scale = 1.0 / setup.ndim as f32;
            for rho in density.iter_mut().take(setup.ndim) {
                for (i, r) in rho.iter_mut().enumerate() {
                    *r = scale * p0[i] / setup.c0_squared.at(i);
                }
            }
        }
        let buffers = spectral_buffers_needed(&setup);
        let engine = Engine::new(setup.shape, buffers, updates::SCRATCH_PLANES, buffers);
        let tables = KSpaceTables::new(&setup, engine.nxh);
        let point_index = |s: &Option<crate::setup::PointSource>| {
            s.as_ref()
                .map(|s| PlaneIndex::new(&s.indices, plane, nz))
                .unwrap_or_default()
        };
        Self {
            engine,
            tables,
            velocity: [field(0), field(1), field(2)],
            density,
            sensors: PlaneIndex::new(&setup.sensor_points, plane, nz),
            pressure_sources: point_index(&setup.pressure_source),
            velocity_sources: [
                point_index(&setup.velocity_sources[0]),
                point_index(&setup.velocity_sources[1]),
                point_index(&setup.velocity_sources[2]),
            ],
            pressure_samples: vec![0.0; setup.sensor_points.len()],
            velocity_samples: vec![
                0.0;
                setup.sensor_points.len()
                    * setup.ndim
                    * setup.sample_velocity as usize
            ],
            cw_sums: [
                vec![0.0; setup.sensor_points.len()],
                vec![0.0; setup.sensor_points.len()],
            ],
            pressure_field: if setup.keep_pressure_field {
                vec![0.0; n]
            } else {
                Vec::new()
            },
            pressure_extremes: extremes(setup.whole_grid_extremes.pressure, n),
            velocity_extremes: [0, 1, 2]
                .map(|a| extremes(setup.whole_grid_extremes.velocity && a < setup.ndim, n)),
            ones: vec![1.0; nx.max(ny).max(nz)],
            setup,
        }
    }
}

impl AcousticBackend for CpuAcoustic {
    fn spectral_buffers(&self) -> usize {
        self.engine.buffer_count()
    }

    fn spectral(&mut self, op: SpectralOp, inputs: &[Spec], outputs: &[Spec]) {
        let tables = &self.tables;
        let ny = self.engine.ny;
        self.engine.line_pass(inputs, outputs, |block, data| {
            tables.apply(op, block, ny, data)
        });
    }

    fn fused(&mut self, update: Update, inverse: &[Spec], forward: &[Spec]) {
        updates::run(self, update, inverse, forward);
    }
}

impl AcousticState for CpuAcoustic {
    fn end_step(&mut self, cw: Option<(f64, f64)>) {
        if self.setup.sample_velocity {
            let sensors = self.setup.sensor_points.len();
            for axis in 0..self.setup.ndim {
                let u = &self.velocity[axis];
                let samples = &mut self.velocity_samples[axis * sensors..(axis + 1) * sensors];
                for (s, &p) in samples.iter_mut().zip(&self.setup.sensor_points) {
                    *s = u[p];
                }
            }
        }
        if let Some(weights) = cw {
            add_cw_terms(&mut self.cw_sums, &self.pressure_samples, weights);
        }
    }

    fn sample_capacity(&self) -> usize {
        1
    }

    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError> {
        let sensors = self.setup.sensor_points.len();
        let velocity = |axis: usize| {
            if self.setup.sample_velocity && axis < self.setup.ndim {
                &self.velocity_samples[axis * sensors..(axis + 1) * sensors]
            } else {
                &[][..]
            }
        };
        Ok(Samples {
            steps: 1,
            pressure: &self.pressure_samples,
            velocity: [velocity(0), velocity(1), velocity(2)],
        })
    }

    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        Ok((self.cw_sums[0].clone(), self.cw_sums[1].clone()))
    }

    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError> {
        out.copy_from_slice(&self.pressure_field);
        Ok(())
    }

    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError> {
        max.copy_from_slice(&self.pressure_extremes[0]);
        min.copy_from_slice(&self.pressure_extremes[1]);
        Ok(())
    }

    fn velocity_extremes(
        &mut self,
        axis: usize,
        max: &mut [f32],
        min: &mut [f32],
    ) -> Result<(), DeviceError> {
        max.copy_from_slice(&self.velocity_extremes[axis][0]);
        min.copy_from_slice(&self.velocity_extremes[axis][1]);
        Ok(())
    }

    fn velocity_line(
        &mut self,
        axis: usize,
        start: usize,
        stride: usize,
        out: &mut [f32],
    ) -> Result<(), DeviceError> {
        let u = &self.velocity[axis];
        for (k, v) in out.iter_mut().enumerate() {
            *v = u[start + k * stride];
        }
        Ok(())
    }

    fn velocity_field(&mut self, axis: usize, out: &mut [f32]) -> Result<(), DeviceError> {
        out.copy_from_slice(&self.velocity[axis]);
        Ok(())
    }

    fn density_magnitude(&mut self) -> Result<f32, DeviceError> {
        use rayon::prelude::*;
        let ndim = self.setup.ndim;
        let rho = &self.density;
        Ok((0..self.setup.num_points())
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                let total: f32 = (0..ndim).map(|a| rho[a][i]).sum();
                if total.is_finite() {
                    total.abs()
                } else {
                    f32::INFINITY
                }
            })
            .reduce(|| 0.0, f32::max))
    }

    fn bytes_allocated(&self) -> usize {
        let fields: usize = self
            .velocity
            .iter()
            .chain(&self.density)
            .map(|f| f.len() * 4)
            .sum();
        let coefficients = self.setup.coefficient_bytes();
        fields
            + coefficients
            + self.engine.bytes()
            + self.tables.bytes()
            + self.pressure_field.len() * 4
            + self
                .pressure_extremes
                .iter()
                .chain(self.velocity_extremes.iter().flatten())
                .map(|v| v.len() * 4)
                .sum::<usize>()
            + self.sensors.bytes()
            + self.pressure_samples.len() * 4
            + self.velocity_samples.len() * 4
            + self.cw_sums.iter().map(|s| s.len() * 8).sum::<usize>()
    }
}
