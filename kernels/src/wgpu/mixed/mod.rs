//! The mixed-domain stepper on wgpu: the arithmetic of `crate::cpu::mixed::MixedDomainCpu`
//! (homogeneous linear media, lossless or absorbing, an additive pressure source at most) with
//! one dispatch per axis pass.
//!
//! Layouts (complex f32, interleaved): F{p} `[kz][ky][kx < nxh]`, two of them (last step's and
//! the one being formed); mixed domain x `[kz < nzh][ky][x]`; mixed domains y `[kz][y][kx]` and
//! z `[z][ky][kx]`, the layout of F{p}, so that a y or z workgroup taking a tile of adjacent kx
//! columns reads and writes every array coalesced.
//!
//! Per step: one dispatch per axis (mixed_pass.wgsl: the tile's lines in workgroup memory
//! through four 1D FFTs with the updates between them), one for the conjugate-pair restore,
//! two for the sensors (spectral sums, two-stage f32 tree reduction) or, when p is needed on
//! the grid, a copy, an inverse 3D real FFT and a gather; with a source, a clear, a scatter, a
//! forward 3D real FFT and the correction; with absorption one dispatch for its terms. All are
//! recorded into one command encoder and submitted once per step (a second submission when CW
//! sums are kept).
//!
//! Bytes moved per point per lossless 3D step (few sensors): F{p} and every field hold about
//! N/2 complex values (half spectra; mixed domain x holds half the (ky, kz) plane), 4 bytes
//! per point per read or write. The x pass reads F{p}, u_x, rho_x and writes u_x, rho_x and
//! next F{p} (24); the y and z passes read F{p}, u_i, rho_i, write u_i, rho_i, and read and
//! write next F{p} (28 each): 80 bytes per point, plus the restore (O(n^(2/3))) and one read
//! of F{p} per sensor in the spectral sums (4 each, mostly from cache).
//!
//! Workgroup memory per pass: LINE_TILE lines of n complex values, the most lines (a power of
//! two, at most 32) that the device's limit holds: at 48 KiB, 32 lines at n = 128 (32 KiB), 16
//! at 256 (32 KiB), 16 at 384 (48 KiB). FFTs per step: four 1D transforms per line per axis
//! (twelve per point in 3D), plus one inverse 3D real transform when p is formed on the grid
//! and one forward 3D real transform per step with a pressure source.

mod kernels;
mod params;
mod plan;
mod tables;

use super::acoustic::device_error;
use super::acoustic::readback::{map_and_read, reported};
use super::device::NamedBuffers;
use super::{GpuRealFft, RealFftBinding, WgpuContext};
use crate::catalogue::{AcousticState, AxisPass, MixedDomainBackend, Samples, WholeGrid};
use crate::cpu::mixed::tables::Tables;
use crate::device::{DeviceError, DeviceKind};
use crate::setup::{AcousticSetup, PointSource, SourceInjection};
use crate::{PassShape, PassTuning};
use kernels::{Buffers, Dispatch, Dispatches, Kernels};
use plan::{axis_unsupported, real_fft_shape, Sizes, REDUCTION, STORAGE_BINDINGS};
use std::sync::{Arc, Mutex};

pub use plan::{estimate_mixed_domain_bytes, mixed_domain_unsupported};

fn unsupported(reason: String) -> DeviceError {
    DeviceError::Unsupported {
        device: DeviceKind::Wgpu,
        reason,
    }
}

/// What changes between submissions: `StepState` of mixed_common.wgsl.
#[derive(Clone, Copy, Default)]
struct StepState {
    row: u32,
    source_step: u32,
    cw: [f32; 2],
}

impl StepState {
    fn words(&self) -> [u32; 4] {
        [
            self.row,
            self.source_step,
            self.cw[0].to_bits(),
            self.cw[1].to_bits(),
        ]
    }
}

/// The device buffers (see `plan::Sizes::buffers`).
struct DeviceBuffers {
    spectra: wgpu::Buffer,
    work: wgpu::Buffer,
    samples: wgpu::Buffer,
    records: wgpu::Buffer,
    magnitude: wgpu::Buffer,
    step: wgpu::Buffer,
    sample_staging: wgpu::Buffer,
    magnitude_staging: wgpu::Buffer,
    /// Kept only so that the bind group's resources live as long as it does.
    _bound: Vec<wgpu::Buffer>,
}

/// The WGSL mixed-domain stepper.
pub struct MixedDomainWgpu {
    context: WgpuContext,
    sizes: Sizes,
    fft: GpuRealFft,
    kernels: Kernels,
    dispatches: Dispatches,
    buffers: DeviceBuffers,
    /// In-place real transforms of F{p0} (in `spectra`) and of the work buffer.
    spectra_fft: RealFftBinding,
    work_fft: Option<RealFftBinding>,
    initial_pressure: Option<Vec<f32>>,
    source: Option<PointSource>,
    source_active: bool,
    /// Which half of `spectra` holds F{p} of the last step.
    parity: usize,
    step_formed: bool,
    pending: Option<wgpu::CommandEncoder>,
    step_state: StepState,
    /// Sample rows written since the last `take_samples`.
    filled: usize,
    host_samples: Vec<f32>,
    field_staging: Option<wgpu::Buffer>,
    device_failure: Arc<Mutex<Option<String>>>,
    bytes: u64,
}

impl MixedDomainWgpu {
    /// Opens the best adapter and allocates the run, or says why it cannot run here.
    pub fn new(setup: AcousticSetup) -> Result<Self, DeviceError> {
        Self::with_tuning(setup, &PassTuning::default())
    }

    /// As `new`, with the axis passes' workgroups shaped by `tuning` (for the device check's
    /// sweep), within the adapter's workgroup memory and invocation limits.
    pub fn with_tuning(setup: AcousticSetup, tuning: &PassTuning) -> Result<Self, DeviceError> {
        if let Some(reason) = mixed_domain_unsupported(&setup) {
            return Err(unsupported(format!("mixed-domain form: {reason}")));
        }
        let needed = estimate_mixed_domain_bytes(&setup);
        let context = WgpuContext::new().map_err(device_error)?;
        let sizes = Sizes::new(&setup);
        check_limits(&context, &setup, &sizes)?;
        let device = context.device().clone();
        let device_failure = Arc::new(Mutex::new(None));
        let failure = device_failure.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = failure
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            slot.get_or_insert_with(|| e.to_string());
        }));
        let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let built = Self::allocate(setup, sizes, &context, tuning, device_failure.clone());
        if pollster::block_on(scope.pop()).is_some() {
            let limits = device.limits();
            return Err(DeviceError::OutOfMemory {
                device: context.adapter_description(),
                needed_bytes: needed,
                available_bytes: limits
                    .max_buffer_size
                    .min(limits.max_storage_buffer_binding_size),
            });
        }
        reported(&device_failure)?;
        built
    }

    fn allocate(
        mut setup: AcousticSetup,
        sizes: Sizes,
        context: &WgpuContext,
        tuning: &PassTuning,
        device_failure: Arc<Mutex<Option<String>>>,
    ) -> Result<Self, DeviceError> {
        let device = context.device();
        let fft = GpuRealFft::new(context, &real_fft_shape(&setup)).map_err(device_error)?;
        let tables = Tables::new(&setup, &sizes.dims)
            .ok_or_else(|| unsupported("the medium is heterogeneous".into()))?;
        let (pass_kernels, dispatches, params) =
            Kernels::plan(device, &setup, &sizes, &tables, tuning);
        let byte_sizes = sizes.buffers();
        let named = NamedBuffers::new(device, &byte_sizes);
        let storage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        let staging = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
        let table_values = sizes.tables.fill(&setup, &sizes.dims, &tables);
        let index_values = tables::fill_indices(&setup, &sizes.dims, &sizes.field_start);
        let mut record_values = vec![0.0f32; sizes.record_extremes()[0]];
        if sizes.extremes {
            record_values.extend(std::iter::repeat_n(f32::NEG_INFINITY, sizes.points));
            record_values.extend(std::iter::repeat_n(f32::INFINITY, sizes.points));
        }
        let spectra = named.empty("spectra", storage);
        let velocity = named.empty("velocity", storage);
        let density = named.empty("density", storage);
        let work = named.empty("work", storage);
        let divergence = named.empty("divergence", storage);
        let table_buffer = named.filled(
            "tables",
            wgpu::BufferUsages::STORAGE,
            bytemuck::cast_slice(&table_values),
        );
        let indices = named.filled(
            "indices",
            wgpu::BufferUsages::STORAGE,
            bytemuck::cast_slice(&index_values),
        );
        let samples = named.empty("samples", storage);
        let records = named.filled("records", storage, bytemuck::cast_slice(&record_values));
        drop(record_values);
        let magnitude = named.empty("magnitude", storage);
        let params_buffer = named.filled("params", wgpu::BufferUsages::UNIFORM, &params);
        let step = named.empty(
            "step",
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        let kernels = Kernels::new(
            device,
            &pass_kernels,
            sizes.absorbing,
            &Buffers {
                storage: [
                    &spectra,
                    &velocity,
                    &density,
                    &work,
                    &divergence,
                    &table_buffer,
                    &indices,
                    &samples,
                    &records,
                    &magnitude,
                ],
                params: &params_buffer,
                step: &step,
            },
        );
        let spectra_fft = fft.bind_in_place(&spectra).map_err(device_error)?;
        let work_fft = sizes
            .needs_work
            .then(|| fft.bind_in_place(&work))
            .transpose()
            .map_err(device_error)?;
        let without_staging: u64 = byte_sizes
            .iter()
            .filter(|(name, _)| *name != "field staging")
            .map(|(_, bytes)| bytes)
            .sum();
        Ok(Self {
            host_samples: vec![0.0; sizes.capacity * sizes.sensors],
            buffers: DeviceBuffers {
                spectra,
                work,
                samples,
                records,
                magnitude,
                step,
                sample_staging: named.empty("sample staging", staging),
                magnitude_staging: named.empty("magnitude staging", staging),
                _bound: vec![
                    velocity,
                    density,
                    divergence,
                    table_buffer,
                    indices,
                    params_buffer,
                ],
            },
            bytes: without_staging + fft.device_bytes(),
            context: context.clone(),
            fft,
            kernels,
            dispatches,
            spectra_fft,
            work_fft,
            initial_pressure: setup.initial_pressure.take(),
            source: setup.pressure_source.take(),
            source_active: false,
            parity: 0,
            step_formed: false,
            pending: None,
            step_state: StepState::default(),
            filled: 0,
            field_staging: None,
            device_failure,
            sizes,
        })
    }

    /// The shape of each axis' pass kernel on this device.
    pub fn pass_shapes(&self) -> &[PassShape] {
        &self.kernels.shapes
    }

    fn encoder(&mut self) -> wgpu::CommandEncoder {
        self.pending.take().unwrap_or_else(|| {
            self.context
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("mixed domain"),
                })
        })
    }

    /// Records `dispatches` in one compute pass of `encoder`.
    fn record(&self, encoder: &mut wgpu::CommandEncoder, dispatches: &[&Dispatch]) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("mixed domain"),
            timestamp_writes: None,
        });
        for dispatch in dispatches {
            self.kernels.dispatch(&mut pass, dispatch);
        }
    }

    /// Submits the recorded work, with the step state it reads.
    fn flush(&mut self) {
        if let Some(encoder) = self.pending.take() {
            self.context.queue().write_buffer(
                &self.buffers.step,
                0,
                bytemuck::cast_slice(&self.step_state.words()),
            );
            self.context.queue().submit([encoder.finish()]);
        }
    }

    /// Copies `bytes` of `buffer` from byte `at` into `staging`, waits and reads them.
    fn read_back<T>(
        &mut self,
        buffer: &wgpu::Buffer,
        at: u64,
        staging: &wgpu::Buffer,
        bytes: u64,
        read: impl FnOnce(&[f32]) -> T,
    ) -> Result<T, DeviceError> {
        self.flush();
        let mut encoder = self
            .context
            .device()
            .create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(buffer, at, staging, 0, bytes);
        self.context.queue().submit([encoder.finish()]);
        map_and_read(
            &self.context,
            &self.device_failure,
            staging,
            bytes,
            |view| read(bytemuck::cast_slice(view)),
        )
    }

    /// Copies `out.len()` floats of `records` from float `start`.
    fn read_record(&mut self, start: usize, out: &mut [f32]) -> Result<(), DeviceError> {
        if out.is_empty() {
            return Ok(());
        }
        let staging = self
            .field_staging
            .get_or_insert_with(|| {
                self.context
                    .device()
                    .create_buffer(&wgpu::BufferDescriptor {
                        label: Some("field staging"),
                        size: 4 * self.sizes.points as u64,
                        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    })
            })
            .clone();
        let records = self.buffers.records.clone();
        let bytes = 4 * out.len() as u64;
        self.read_back(&records, 4 * start as u64, &staging, bytes, |values| {
            out.copy_from_slice(values)
        })
    }

    fn velocity_unsupported() -> DeviceError {
        unsupported("the mixed-domain stepper does not record velocity".into())
    }
}

/// Refuses what this device cannot run: axes whose lines do not fit its workgroup memory,
/// too few storage bindings or invocations, buffers over its binding limit.
fn check_limits(
    context: &WgpuContext,
    setup: &AcousticSetup,
    sizes: &Sizes,
) -> Result<(), DeviceError> {
    let limits = context.device().limits();
    let on = |reason: String| unsupported(format!("{reason} on {}", context.adapter_description()));
    for axis in 0..setup.ndim {
        let n = setup.shape[axis];
        let bytes = limits.max_compute_workgroup_storage_size as usize;
        if let Some(reason) = axis_unsupported(n, bytes) {
            return Err(on(format!("axis {axis} of length {n}: {reason}")));
        }
    }
    if limits.max_storage_buffers_per_shader_stage < STORAGE_BINDINGS {
        return Err(on(format!(
            "the mixed-domain kernels bind {STORAGE_BINDINGS} storage buffers, the device at most {}",
            limits.max_storage_buffers_per_shader_stage
        )));
    }
    if (limits.max_compute_invocations_per_workgroup as usize) < REDUCTION {
        return Err(on(format!(
            "the sensor sums run {REDUCTION} invocations per workgroup, the device at most {}",
            limits.max_compute_invocations_per_workgroup
        )));
    }
    let max = limits
        .max_buffer_size
        .min(limits.max_storage_buffer_binding_size);
    for (name, bytes) in sizes.buffers() {
        if bytes > max {
            return Err(on(format!(
                "the {name} buffer needs {bytes} bytes, over the device's limit of {max}"
            )));
        }
    }
    Ok(())
}

impl MixedDomainBackend for MixedDomainWgpu {
    fn transform_initial_pressure(&mut self) {
        let p0 = self
            .initial_pressure
            .take()
            .expect("transform_initial_pressure needs an initial pressure");
        // The write lands before the next submission: everything recorded so far goes first.
        self.flush();
        let at = (self.parity * self.sizes.half_len) as u64 * 8;
        debug_assert_eq!(at, 0, "F{{p0}} is transformed before any step");
        self.context
            .queue()
            .write_buffer(&self.buffers.spectra, at, bytemuck::cast_slice(&p0));
        let mut encoder = self.encoder();
        self.fft.forward(&mut encoder, &self.spectra_fft);
        self.pending = Some(encoder);
    }

    fn transform_pressure_source(&mut self, step: usize) {
        self.source_active = self.source.as_ref().is_some_and(|s| s.active(step));
        if !self.source_active {
            return;
        }
        let corrected = self
            .source
            .as_ref()
            .is_some_and(|s| s.injection == SourceInjection::Additive);
        self.step_state.source_step = step as u32;
        let mut encoder = self.encoder();
        encoder.clear_buffer(&self.buffers.work, 0, None);
        self.record(&mut encoder, &[&self.dispatches.scatter_source]);
        let work_fft = self.work_fft.as_ref().expect("a source has a work buffer");
        self.fft.forward(&mut encoder, work_fft);
        if corrected {
            self.record(&mut encoder, &[&self.dispatches.correct_source]);
        }
        self.pending = Some(encoder);
    }

    fn axis_pass(&mut self, axis: usize, pass: AxisPass) {
        let mode = match pass {
            AxisPass::Initial => 0,
            AxisPass::Step if self.source_active => 2,
            AxisPass::Step => 1,
        };
        if pass == AxisPass::Step {
            self.step_formed = true;
        }
        let mut encoder = self.encoder();
        self.record(
            &mut encoder,
            &[&self.dispatches.passes[axis][mode][self.parity]],
        );
        self.pending = Some(encoder);
    }

    fn form_pressure(&mut self, whole: WholeGrid) {
        let mut encoder = self.encoder();
        if self.step_formed {
            self.parity = 1 - self.parity;
            self.step_formed = false;
            if self.sizes.absorbing {
                self.record(&mut encoder, &[&self.dispatches.absorption[self.parity]]);
            }
        }
        let parity = self.parity;
        self.record(&mut encoder, &[&self.dispatches.restore[parity]]);
        if self.sizes.grid_pressure {
            let half_bytes = self.sizes.half_len as u64 * 8;
            let b = &self.buffers;
            encoder.copy_buffer_to_buffer(
                &b.spectra,
                parity as u64 * half_bytes,
                &b.work,
                0,
                half_bytes,
            );
            let work_fft = self
                .work_fft
                .as_ref()
                .expect("p on the grid has a work buffer");
            self.fft.inverse(&mut encoder, work_fft);
            if self.sizes.sensors > 0 {
                self.record(&mut encoder, &[&self.dispatches.gather_sensors]);
            }
            if whole.keep && self.sizes.keep {
                let bytes = 4 * self.sizes.points as u64;
                encoder.copy_buffer_to_buffer(&b.work, 0, &b.records, 0, bytes);
            }
            if whole.extremes && self.sizes.extremes {
                self.record(&mut encoder, &[&self.dispatches.fold_extremes]);
            }
        } else if self.sizes.sensors > 0 {
            self.record(
                &mut encoder,
                &[
                    &self.dispatches.sensor_partials[parity],
                    &self.dispatches.sensor_totals,
                ],
            );
        }
        self.step_state.row = self.filled as u32;
        self.pending = Some(encoder);
        self.flush();
    }
}

impl AcousticState for MixedDomainWgpu {
    fn end_step(&mut self, cw: Option<(f64, f64)>) {
        assert!(
            self.filled < self.sizes.capacity,
            "take_samples must be called every sample_capacity() steps"
        );
        if let (Some((w_re, w_im)), true) = (cw, self.sizes.sensors > 0) {
            self.step_state.row = self.filled as u32;
            self.step_state.cw = [w_re as f32, w_im as f32];
            let mut encoder = self.encoder();
            self.record(&mut encoder, &[&self.dispatches.accumulate_cw]);
            self.pending = Some(encoder);
            self.flush();
        }
        self.filled += 1;
    }

    fn sample_capacity(&self) -> usize {
        self.sizes.capacity
    }

    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError> {
        let steps = self.filled;
        self.filled = 0;
        let rows = steps * self.sizes.sensors;
        if rows > 0 {
            let samples = self.buffers.samples.clone();
            let staging = self.buffers.sample_staging.clone();
            let mut host = std::mem::take(&mut self.host_samples);
            let read = self.read_back(&samples, 0, &staging, 4 * rows as u64, |values| {
                host[..rows].copy_from_slice(values)
            });
            self.host_samples = host;
            read?;
        }
        Ok(Samples {
            steps,
            pressure: &self.host_samples[..rows],
            velocity: [&[], &[], &[]],
        })
    }

    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        let sensors = self.sizes.sensors;
        if sensors == 0 {
            return Ok((Vec::new(), Vec::new()));
        }
        let samples = self.buffers.samples.clone();
        let staging = self.buffers.sample_staging.clone();
        let at = 4 * (self.sizes.capacity * sensors) as u64;
        self.read_back(&samples, at, &staging, 8 * sensors as u64, |values| {
            let widen = |s: &[f32]| s.iter().map(|&v| v as f64).collect::<Vec<f64>>();
            (widen(&values[..sensors]), widen(&values[sensors..]))
        })
    }

    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError> {
        self.read_record(0, out)
    }

    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError> {
        let [at_max, at_min] = self.sizes.record_extremes();
        self.read_record(at_max, max)?;
        self.read_record(at_min, min)
    }

    fn velocity_extremes(
        &mut self,
        _: usize,
        _: &mut [f32],
        _: &mut [f32],
    ) -> Result<(), DeviceError> {
        Err(Self::velocity_unsupported())
    }

    fn velocity_line(
        &mut self,
        _: usize,
        _: usize,
        _: usize,
        _: &mut [f32],
    ) -> Result<(), DeviceError> {
        Err(Self::velocity_unsupported())
    }

    fn velocity_field(&mut self, _: usize, _: &mut [f32]) -> Result<(), DeviceError> {
        Err(Self::velocity_unsupported())
    }

    /// max |re|, |im| over F{p} (infinite when any value is not finite).
    fn density_magnitude(&mut self) -> Result<f32, DeviceError> {
        let mut encoder = self.encoder();
        encoder.clear_buffer(&self.buffers.magnitude, 0, None);
        self.record(&mut encoder, &[&self.dispatches.magnitude[self.parity]]);
        self.pending = Some(encoder);
        let magnitude = self.buffers.magnitude.clone();
        let staging = self.buffers.magnitude_staging.clone();
        self.read_back(&magnitude, 0, &staging, 4, |values| values[0])
    }

    fn bytes_allocated(&self) -> usize {
        let staging = self.field_staging.as_ref().map_or(0, wgpu::Buffer::size);
        (self.bytes + staging) as usize
    }
}
