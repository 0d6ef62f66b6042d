//! `CudaAcoustic`: the catalogue on one CUDA device and one stream.

use super::deferred::DeferredError;
use super::driver::{describe, failed, open_first_device};
use super::fft::GridFft;
use super::memory::{bytes_without_fft, DeviceMemory, Sizes};
use super::params::{
    CoefArg, Launch, Scene, SourceArg, PHASE_ALL, PHASE_FINISH, PHASE_UPDATE, SKIP_POINT,
    SOURCE_ADDITIVE, SOURCE_DIRICHLET,
};
use super::program::{launch, launch_blocks, Kernels};
use crate::catalogue::{
    AcousticBackend, AcousticState, Samples, Spec, SpectralOp, Update, WholeGrid,
};
use crate::device::{DeviceError, DeviceKind};
use crate::kspace;
use crate::setup::{AcousticSetup, Coef, PointSource, SourceInjection};
use cudarc::driver::{CudaContext, CudaFunction, CudaStream};
use std::sync::Arc;

/// A point source on the device and when it acts.
#[derive(Clone, Copy)]
struct DeviceSource {
    arg: SourceArg,
    length: usize,
    injection: SourceInjection,
}

impl DeviceSource {
    fn upload(memory: &mut DeviceMemory, source: &PointSource) -> Result<Self, DeviceError> {
        let mut indices: Vec<u32> = source.indices.iter().map(|&i| i as u32).collect();
        if source.injection != SourceInjection::AdditiveNoCorrection {
            skip_overwritten_points(&mut indices);
        }
        let arg = SourceArg {
            index: memory.upload(&indices)?,
            signal: memory.upload(&source.signals)?,
            count: indices.len() as u32,
            per_point: source.per_point as u32,
            length: source.length as u32,
            mode: match source.injection {
                SourceInjection::Dirichlet => SOURCE_DIRICHLET,
                _ => SOURCE_ADDITIVE,
            },
        };
        Ok(Self {
            arg,
            length: source.length,
            injection: source.injection,
        })
    }

    /// Applied at the points (Dirichlet or uncorrected additive) at `step`.
    fn point_at(&self, step: usize) -> bool {
        step < self.length && self.injection != SourceInjection::Additive
    }

    /// Injected through a k-space corrected source grid at `step`.
    fn corrected_at(&self, step: usize) -> bool {
        step < self.length && self.injection == SourceInjection::Additive
    }
}

/// Marks every point that a later point of the same index overwrites with `SKIP_POINT`, so
/// that threads writing values in parallel leave the last one, as the CPU's sequential loop.
pub(super) fn skip_overwritten_points(indices: &mut [u32]) {
    let mut seen = std::collections::HashSet::new();
    for index in indices.iter_mut().rev() {
        if !seen.insert(*index) {
            *index = SKIP_POINT;
        }
    }
}

/// Samples read back from the device block, split per quantity.
#[derive(Default)]
struct HostSamples {
    block: Vec<f32>,
    pressure: Vec<f32>,
    velocity: [Vec<f32>; 3],
    /// Scratch for `velocity_line`.
    line: Vec<f32>,
}

pub struct CudaAcoustic {
    // Declaration order is drop order: the plans go before the memory they use.
    fft: GridFft,
    kernels: Kernels,
    memory: DeviceMemory,
    stream: Arc<CudaStream>,
    _ctx: Arc<CudaContext>,
    scene: Scene,
    sizes: Sizes,
    ndim: usize,
    sample_velocity: bool,
    /// Real-view addresses of the spectral buffers.
    spectra: Vec<u64>,
    pressure_source: Option<DeviceSource>,
    velocity_sources: [Option<DeviceSource>; 3],
    /// Sample rows written since the last `take_samples`.
    filled: usize,
    host: HostSamples,
    /// The first error of a call that cannot return one; every later read-back returns it.
    error: DeferredError,
}

fn unsupported(reason: String) -> DeviceError {
    DeviceError::Unsupported {
        device: DeviceKind::Cuda,
        reason,
    }
}

fn coef(memory: &mut DeviceMemory, c: &Coef) -> Result<CoefArg, DeviceError> {
    Ok(match c {
        Coef::Uniform(value) => CoefArg {
            value: *value,
            ..Default::default()
        },
        Coef::Map(map) => CoefArg {
            map: memory.upload(map)?,
            ..Default::default()
        },
    })
}

fn optional_coef(memory: &mut DeviceMemory, c: Option<&Coef>) -> Result<CoefArg, DeviceError> {
    c.map_or(Ok(CoefArg::default()), |c| coef(memory, c))
}

/// Shifted-derivative factors i k exp(sign i k d/2) of `axis` over `count` wavenumbers as
/// (re, im) pairs; zero beyond `ndim`, as the CPU tables.
fn derivative(setup: &AcousticSetup, k: &[f64], axis: usize, count: usize, sign: f64) -> Vec<f32> {
    (0..count)
        .flat_map(|i| {
            if axis >= setup.ndim {
                return [0.0, 0.0];
            }
            let (re, im) = kspace::shifted_derivative(k[i], setup.spacing[axis], sign);
            [re as f32, im as f32]
        })
        .collect()
}

impl CudaAcoustic {
    /// Opens CUDA device 0 and uploads the run. Refuses, before allocating the fields, a run
    /// that needs more than the device's free memory.
    pub fn new(mut setup: AcousticSetup) -> Result<Self, DeviceError> {
        let [nx, ny, nz] = setup.shape;
        let nxh = nx / 2 + 1;
        let padded = 2 * nxh * ny * nz;
        if padded >= i32::MAX as usize {
            return Err(unsupported(format!(
                "the grid {nx} x {ny} x {nz} is larger than the CUDA backend's 2^31-element \
                 buffers"
            )));
        }
        let ctx = open_first_device()?;
        let stream = ctx.default_stream();
        let (device, free, _) = describe(&ctx)?;
        let fft = GridFft::new(setup.shape, setup.ndim, &stream)?;
        let needed = (bytes_without_fft(&setup) + fft.work_bytes) as u64;
        if needed > free {
            return Err(DeviceError::OutOfMemory {
                device,
                needed_bytes: needed,
                available_bytes: free,
            });
        }
        let kernels = Kernels::load(&ctx)?;
        let sizes = Sizes::new(&setup);
        let ndim = setup.ndim;
        let n = sizes.points;
        let mut memory = DeviceMemory::new(stream.clone(), device, free);
        let mut scene = Scene {
            nx: nx as u32,
            ny: ny as u32,
            nz: nz as u32,
            nxh: nxh as u32,
            pitch: (2 * nxh) as u32,
            ndim: ndim as u32,
            points: n as u32,
            spectrum: sizes.spectrum as u32,
            sensor_count: sizes.sensors as u32,
            channels: sizes.channels as u32,
            dt: setup.dt as f32,
            half_c_ref_dt: (0.5 * setup.c_ref * setup.dt) as f32,
            norm: (1.0 / n as f64) as f32,
            ..Default::default()
        };

        // The initial condition rho_i = p0 / (ndim c0^2) is the split density from the start.
        let initial_density: Option<Vec<f32>> = setup.initial_pressure.take().map(|p0| {
            let scale = 1.0 / ndim as f32;
            p0.iter()
                .enumerate()
                .map(|(i, &p)| scale * p / setup.c0_squared.at(i))
                .collect()
        });
        for axis in 0..ndim {
            scene.u[axis] = memory.zeroed(n * 4)?;
            scene.rho[axis] = match &initial_density {
                Some(rho) => memory.upload(rho)?,
                None => memory.zeroed(n * 4)?,
            };
        }
        drop(initial_density);
        let spectra = (0..sizes.buffers)
            .map(|_| memory.zeroed(sizes.spectrum * 8))
            .collect::<Result<Vec<_>, _>>()?;
        if fft.work_bytes > 0 {
            let work = memory.zeroed(fft.work_bytes)?;
            fft.set_work_area(work)?;
        }

        // Coefficients, PML profiles and k-space tables.
        for axis in 0..ndim {
            scene.dt_over_rho_staggered[axis] =
                coef(&mut memory, &setup.dt_over_rho_staggered[axis])?;
            scene.pml[axis] = memory.upload(&setup.pml[axis])?;
            scene.pml_staggered[axis] = memory.upload(&setup.pml_staggered[axis])?;
        }
        scene.dt_rho0 = coef(&mut memory, &setup.dt_rho0)?;
        scene.c0_squared = coef(&mut memory, &setup.c0_squared)?;
        scene.nonlinear = setup.nonlinearity.is_some() as u32;
        scene.nonlinearity = optional_coef(&mut memory, setup.nonlinearity.as_ref())?;
        scene.has_stokes = setup.stokes.is_some() as u32;
        scene.stokes = optional_coef(&mut memory, setup.stokes.as_ref())?;
        if let Some(a) = &setup.absorption {
            scene.absorbing = 1;
            scene.tau = coef(&mut memory, &a.tau)?;
            scene.eta = coef(&mut memory, &a.eta)?;
            scene.absorption_rho0 = coef(&mut memory, &a.rho0)?;
            scene.power_minus_2 = (a.power - 2.0) as f32;
            scene.power_minus_1 = (a.power - 1.0) as f32;
        }
        for axis in 0..3 {
            let k = kspace::wavenumbers(setup.shape[axis], setup.spacing[axis]);
            let count = if axis == 0 { nxh } else { setup.shape[axis] };
            let k32: Vec<f32> = k[..count].iter().map(|&v| v as f32).collect();
            scene.wavenumber[axis] = memory.upload(&k32)?;
            scene.derivative_forward[axis] =
                memory.upload(&derivative(&setup, &k, axis, count, 1.0))?;
            scene.derivative_backward[axis] =
                memory.upload(&derivative(&setup, &k, axis, count, -1.0))?;
        }

        // Sensors, sources, whole-grid records.
        let sensors: Vec<u32> = setup.sensor_points.iter().map(|&i| i as u32).collect();
        scene.sensors = memory.upload(&sensors)?;
        scene.samples = memory.zeroed(sizes.capacity * sizes.channels * sizes.sensors * 4)?;
        scene.cw = memory.zeroed(2 * sizes.sensors * 8)?;
        let pressure_source = setup
            .pressure_source
            .as_ref()
            .map(|s| DeviceSource::upload(&mut memory, s))
            .transpose()?;
        let mut velocity_sources = [None; 3];
        for (axis, slot) in velocity_sources.iter_mut().enumerate() {
            *slot = setup.velocity_sources[axis]
                .as_ref()
                .map(|s| DeviceSource::upload(&mut memory, s))
                .transpose()?;
        }
        if setup.keep_pressure_field {
            scene.kept = memory.zeroed(n * 4)?;
        }
        let mut running_extremes = Vec::new();
        if setup.whole_grid_extremes.pressure {
            scene.p_max = memory.zeroed(n * 4)?;
            scene.p_min = memory.zeroed(n * 4)?;
            running_extremes.extend([scene.p_max, scene.p_min]);
        }
        if setup.whole_grid_extremes.velocity {
            for axis in 0..ndim {
                scene.u_max[axis] = memory.zeroed(n * 4)?;
                scene.u_min[axis] = memory.zeroed(n * 4)?;
                running_extremes.extend([scene.u_max[axis], scene.u_min[axis]]);
            }
        }
        scene.magnitude = memory.zeroed(4)?;

        let backend = Self {
            fft,
            kernels,
            memory,
            stream,
            _ctx: ctx,
            scene,
            sizes,
            ndim,
            sample_velocity: setup.sample_velocity,
            spectra,
            pressure_source,
            velocity_sources,
            filled: 0,
            host: HostSamples::default(),
            error: DeferredError::default(),
        };
        // Running extremes start at (-inf, +inf), as the CPU's.
        for pair in running_extremes.chunks_exact(2) {
            backend.fill(pair[0], f32::NEG_INFINITY)?;
            backend.fill(pair[1], f32::INFINITY)?;
        }
        backend
            .stream
            .synchronize()
            .map_err(|e| failed("device setup", e))?;
        Ok(backend)
    }

    fn fill(&self, address: u64, value: f32) -> Result<(), DeviceError> {
        let args = Launch {
            w_re: value as f64,
            output: [address, 0, 0],
            count: self.sizes.points as u32,
            ..Default::default()
        };
        self.grid_kernel(&self.kernels.fill, &args)
    }

    /// One thread per grid point.
    fn grid_kernel(&self, kernel: &CudaFunction, args: &Launch) -> Result<(), DeviceError> {
        launch(&self.stream, kernel, self.sizes.points, &self.scene, args)
    }

    /// One thread per half-spectrum element.
    fn spectrum_kernel(&self, kernel: &CudaFunction, args: &Launch) -> Result<(), DeviceError> {
        launch(&self.stream, kernel, self.sizes.spectrum, &self.scene, args)
    }

    /// Real-view addresses of spectral buffers `specs` (unused slots 0).
    fn addresses<const N: usize>(&self, specs: &[Spec]) -> [u64; N] {
        let mut out = [0; N];
        for (slot, &spec) in out.iter_mut().zip(specs) {
            *slot = self.spectra[spec];
        }
        out
    }

    fn inverse_all(&self, specs: &[Spec]) -> Result<(), DeviceError> {
        specs
            .iter()
            .try_for_each(|&spec| self.fft.inverse(self.spectra[spec]))
    }

    fn forward_all(&self, specs: &[Spec]) -> Result<(), DeviceError> {
        specs
            .iter()
            .try_for_each(|&spec| self.fft.forward(self.spectra[spec]))
    }

    /// Samples p, held in the real view of `spec`, into the current sample row.
    fn sample_pressure(&self, spec: Spec) -> Result<(), DeviceError> {
        if self.sizes.sensors == 0 {
            return Ok(());
        }
        let args = Launch {
            input: self.addresses(&[spec]),
            filled: self.filled as u32,
            ..Default::default()
        };
        launch(
            &self.stream,
            &self.kernels.sample_pressure,
            self.sizes.sensors,
            &self.scene,
            &args,
        )
    }

    /// Applies a point source's values at `step` to the dense fields `fields`.
    fn point_source(
        &self,
        source: &DeviceSource,
        step: usize,
        fields: &[u64],
    ) -> Result<(), DeviceError> {
        let mut output = [0; 3];
        output[..fields.len()].copy_from_slice(fields);
        let args = Launch {
            output,
            source: source.arg,
            step: step as u32,
            count: fields.len() as u32,
            ..Default::default()
        };
        launch(
            &self.stream,
            &self.kernels.point_source,
            source.arg.count as usize,
            &self.scene,
            &args,
        )
    }

    /// Runs a velocity or density kernel, split around point sources when some act.
    fn update_with_point_sources(
        &self,
        kernel: &CudaFunction,
        args: Launch,
        point_sources: &[(DeviceSource, &[u64])],
        step: usize,
    ) -> Result<(), DeviceError> {
        if point_sources.is_empty() {
            return self.grid_kernel(
                kernel,
                &Launch {
                    phase: PHASE_ALL,
                    ..args
                },
            );
        }
        self.grid_kernel(
            kernel,
            &Launch {
                phase: PHASE_UPDATE,
                ..args
            },
        )?;
        for (source, fields) in point_sources {
            self.point_source(source, step, fields)?;
        }
        self.grid_kernel(
            kernel,
            &Launch {
                phase: PHASE_FINISH,
                ..args
            },
        )
    }

    fn run_spectral(
        &mut self,
        op: SpectralOp,
        inputs: &[Spec],
        outputs: &[Spec],
    ) -> Result<(), DeviceError> {
        let args = Launch {
            input: self.addresses(inputs),
            output: self.addresses(outputs),
            ..Default::default()
        };
        let kernel = match op {
            SpectralOp::GradientStaggeredForward => &self.kernels.gradient_forward,
            SpectralOp::DivergenceStaggeredBackward => &self.kernels.divergence_backward,
            SpectralOp::FractionalLaplacians => &self.kernels.fractional_laplacians,
            SpectralOp::SourceCorrection => &self.kernels.source_correction,
        };
        self.spectrum_kernel(kernel, &args)
    }

    fn run_fused(
        &mut self,
        update: Update,
        inverse: &[Spec],
        forward: &[Spec],
    ) -> Result<(), DeviceError> {
        let ndim = self.ndim;
        let flags = |whole: WholeGrid| (whole.keep as u32, whole.extremes as u32);
        self.inverse_all(inverse)?;
        match update {
            Update::InitialPressure { whole } => {
                let (keep, extremes) = flags(whole);
                let args = Launch {
                    output: self.addresses(forward),
                    keep,
                    extremes,
                    ..Default::default()
                };
                self.grid_kernel(&self.kernels.initial_pressure, &args)?;
                self.sample_pressure(forward[0])?;
            }
            Update::InitialVelocity { whole } => {
                let args = Launch {
                    input: self.addresses(inverse),
                    extremes: whole.extremes as u32,
                    ..Default::default()
                };
                self.grid_kernel(&self.kernels.initial_velocity, &args)?;
            }
            Update::ScatterPressureSource { step } | Update::ScatterVelocitySource { step, .. } => {
                let source = match update {
                    Update::ScatterVelocitySource { axis, .. } => self.velocity_sources[axis],
                    _ => self.pressure_source,
                }
                .expect("the loop scatters only sources the setup has");
                let grid = self.spectra[forward[0]];
                self.memory.clear(grid, self.sizes.spectrum * 8)?;
                let args = Launch {
                    output: [grid, 0, 0],
                    source: source.arg,
                    step: step as u32,
                    ..Default::default()
                };
                launch(
                    &self.stream,
                    &self.kernels.scatter_source,
                    source.arg.count as usize,
                    &self.scene,
                    &args,
                )?;
            }
            Update::Velocity { step, whole } => {
                // Inputs after the ndim gradients: the corrected sources of the active axes.
                let mut input: [u64; 6] = self.addresses(&inverse[..ndim]);
                let mut next = ndim;
                let mut point_sources = Vec::new();
                let fields = self.scene.u;
                for axis in 0..ndim {
                    if let Some(source) = self.velocity_sources[axis] {
                        if source.corrected_at(step) {
                            input[3 + axis] = self.spectra[inverse[next]];
                            next += 1;
                        }
                        if source.point_at(step) {
                            point_sources.push((source, &fields[axis..axis + 1]));
                        }
                    }
                }
                let args = Launch {
                    input,
                    output: self.addresses(forward),
                    step: step as u32,
                    extremes: whole.extremes as u32,
                    ..Default::default()
                };
                self.update_with_point_sources(&self.kernels.velocity, args, &point_sources, step)?;
            }
            Update::Density { step, whole } => {
                let mut input: [u64; 6] = self.addresses(&inverse[..ndim]);
                let mut point_sources = Vec::new();
                let fields = self.scene.rho;
                if let Some(source) = self.pressure_source {
                    if source.corrected_at(step) {
                        input[3] = self.spectra[inverse[ndim]];
                    }
                    if source.point_at(step) {
                        point_sources.push((source, &fields[..ndim]));
                    }
                }
                let (keep, extremes) = flags(whole);
                let args = Launch {
                    input,
                    output: self.addresses(forward),
                    step: step as u32,
                    keep,
                    extremes,
                    ..Default::default()
                };
                self.update_with_point_sources(&self.kernels.density, args, &point_sources, step)?;
                if self.scene.absorbing == 0 {
                    self.sample_pressure(forward[0])?;
                }
            }
            Update::AbsorbingPressure { step, whole } => {
                let (keep, extremes) = flags(whole);
                let args = Launch {
                    input: self.addresses(inverse),
                    output: self.addresses(forward),
                    step: step as u32,
                    keep,
                    extremes,
                    ..Default::default()
                };
                self.grid_kernel(&self.kernels.absorbing_pressure, &args)?;
                self.sample_pressure(forward[0])?;
            }
        }
        self.forward_all(forward)
    }

    fn run_end_step(&mut self, cw: Option<(f64, f64)>) -> Result<(), DeviceError> {
        let wants_velocity = self.sample_velocity;
        if self.sizes.sensors > 0 && (wants_velocity || cw.is_some()) {
            let (w_re, w_im) = cw.unwrap_or((0.0, 0.0));
            let args = Launch {
                w_re,
                w_im,
                filled: self.filled as u32,
                keep: cw.is_some() as u32,
                ..Default::default()
            };
            launch(
                &self.stream,
                &self.kernels.end_step,
                self.sizes.sensors,
                &self.scene,
                &args,
            )?;
        }
        self.filled += 1;
        Ok(())
    }

    fn download_field(&self, address: u64, out: &mut [f32]) -> Result<(), DeviceError> {
        self.error.check()?;
        self.memory.download_field(address, self.sizes.points, out)
    }
}

impl AcousticBackend for CudaAcoustic {
    fn spectral_buffers(&self) -> usize {
        self.spectra.len()
    }

    fn spectral(&mut self, op: SpectralOp, inputs: &[Spec], outputs: &[Spec]) {
        if self.error.is_clear() {
            let result = self.run_spectral(op, inputs, outputs);
            self.error.keep(result);
        }
    }

    fn fused(&mut self, update: Update, inverse: &[Spec], forward: &[Spec]) {
        if self.error.is_clear() {
            let result = self.run_fused(update, inverse, forward);
            self.error.keep(result);
        }
    }
}

impl AcousticState for CudaAcoustic {
    fn end_step(&mut self, cw: Option<(f64, f64)>) {
        if self.error.is_clear() {
            let result = self.run_end_step(cw);
            self.error.keep(result);
        }
    }

    fn sample_capacity(&self) -> usize {
        self.sizes.capacity
    }

    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError> {
        self.error.check()?;
        let steps = self.filled;
        let sensors = self.sizes.sensors;
        let channels = self.sizes.channels;
        let host = &mut self.host;
        host.block.resize(steps * channels * sensors, 0.0);
        self.memory.download(self.scene.samples, &mut host.block)?;
        host.pressure.resize(steps * sensors, 0.0);
        let velocity_channels = channels - 1;
        for axis in 0..velocity_channels {
            host.velocity[axis].resize(steps * sensors, 0.0);
        }
        if sensors > 0 {
            for (row, values) in host.block.chunks_exact(channels * sensors).enumerate() {
                let out = row * sensors..(row + 1) * sensors;
                host.pressure[out.clone()].copy_from_slice(&values[..sensors]);
                for axis in 0..velocity_channels {
                    host.velocity[axis][out.clone()]
                        .copy_from_slice(&values[(1 + axis) * sensors..(2 + axis) * sensors]);
                }
            }
        }
        self.filled = 0;
        let host = &self.host;
        let velocity = |axis: usize| {
            if axis < velocity_channels {
                &host.velocity[axis][..steps * sensors]
            } else {
                &[][..]
            }
        };
        Ok(Samples {
            steps,
            pressure: &host.pressure[..steps * sensors],
            velocity: [velocity(0), velocity(1), velocity(2)],
        })
    }

    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        self.error.check()?;
        self.memory.cw_sums(self.scene.cw, self.sizes.sensors)
    }

    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError> {
        self.download_field(self.scene.kept, out)
    }

    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError> {
        self.download_field(self.scene.p_max, max)?;
        self.download_field(self.scene.p_min, min)
    }

    fn velocity_extremes(
        &mut self,
        axis: usize,
        max: &mut [f32],
        min: &mut [f32],
    ) -> Result<(), DeviceError> {
        self.download_field(self.scene.u_max[axis], max)?;
        self.download_field(self.scene.u_min[axis], min)
    }

    fn velocity_line(
        &mut self,
        axis: usize,
        start: usize,
        stride: usize,
        out: &mut [f32],
    ) -> Result<(), DeviceError> {
        self.error.check()?;
        if out.is_empty() {
            return Ok(());
        }
        // One copy of the span the line covers.
        let span = (out.len() - 1) * stride + 1;
        self.host.line.resize(span, 0.0);
        let address = self.scene.u[axis] + 4 * start as u64;
        self.memory.download(address, &mut self.host.line)?;
        for (k, v) in out.iter_mut().enumerate() {
            *v = self.host.line[k * stride];
        }
        Ok(())
    }

    fn velocity_field(&mut self, axis: usize, out: &mut [f32]) -> Result<(), DeviceError> {
        self.download_field(self.scene.u[axis], out)
    }

    fn density_magnitude(&mut self) -> Result<f32, DeviceError> {
        self.error.check()?;
        self.memory.clear(self.scene.magnitude, 4)?;
        let blocks = self.sizes.points.div_ceil(256).min(4096) as u32;
        launch_blocks(
            &self.stream,
            &self.kernels.density_magnitude,
            blocks,
            &self.scene,
            &Launch::default(),
        )?;
        let mut bits = [0u32];
        self.memory.download(self.scene.magnitude, &mut bits)?;
        Ok(f32::from_bits(bits[0]))
    }

    fn bytes_allocated(&self) -> usize {
        self.memory.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_points_keep_only_the_last() {
        let mut indices = [5, 7, 5, 9, 7, 5];
        skip_overwritten_points(&mut indices);
        assert_eq!(
            indices,
            [SKIP_POINT, SKIP_POINT, SKIP_POINT, 9, 7, 5],
            "earlier writes of a repeated point are left out"
        );
    }
}
