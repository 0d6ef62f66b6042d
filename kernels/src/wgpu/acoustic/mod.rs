//! The acoustic stepper on wgpu: the catalogue of kernels/src/catalogue.rs in WGSL.
//!
//! Fields, spectral buffers, coefficient maps, tables and sample blocks are allocated once in
//! `WgpuAcoustic::new`; each catalogue call records its transforms and kernels into one
//! command encoder and submits it. The queue is waited on only in read-backs.

mod kernels;
mod layout;
mod memory;
pub(super) mod readback;
mod updates;

use super::device::NamedBuffers;
use super::{GpuError, GpuRealFft, RealFftBinding, WgpuContext};
use crate::catalogue::{AcousticBackend, AcousticState, Samples, Spec, SpectralOp, Update};
use crate::device::{DeviceError, DeviceKind};
use crate::setup::AcousticSetup;
use kernels::{Bindings, Job, Kernel, Kernels};
use layout::Layout;
use std::sync::{Arc, Mutex};

pub use memory::estimate_device_bytes;

/// A `GpuError` as the device layer reports it.
pub(super) fn device_error(e: GpuError) -> DeviceError {
    let device = DeviceKind::Wgpu;
    match e {
        GpuError::NoAdapter(reason) => DeviceError::Unavailable { device, reason },
        GpuError::UnsupportedSize(_) | GpuError::Shape(_) => DeviceError::Unsupported {
            device,
            reason: e.to_string(),
        },
        GpuError::Device(reason) => DeviceError::Failed { device, reason },
    }
}

/// The WGSL acoustic stepper.
pub struct WgpuAcoustic {
    setup: AcousticSetup,
    layout: Layout,
    context: WgpuContext,
    fft: GpuRealFft,
    transforms: Vec<RealFftBinding>,
    kernels: Kernels,
    spectral: Vec<wgpu::Buffer>,
    jobs: wgpu::Buffer,
    velocity: wgpu::Buffer,
    pressure_record: wgpu::Buffer,
    velocity_record: wgpu::Buffer,
    samples: wgpu::Buffer,
    reduction: wgpu::Buffer,
    sample_staging: wgpu::Buffer,
    reduction_staging: wgpu::Buffer,
    /// Host-visible staging for whole-field read-backs, made at the first one.
    field_staging: Option<wgpu::Buffer>,
    /// The first error the device reported outside an error scope.
    device_failure: Arc<Mutex<Option<String>>>,
    /// Buffers kept only so that the bind group's resources live as long as it does.
    _bound: Vec<wgpu::Buffer>,
    /// Sample rows written since the last `take_samples`.
    filled: usize,
    host_pressure: Vec<f32>,
    host_velocity: [Vec<f32>; 3],
    /// A whole velocity component read back for `velocity_line`, valid until the next update.
    line_cache: Option<(usize, Vec<f32>)>,
    bytes: u64,
}

impl WgpuAcoustic {
    /// Opens the best adapter and allocates everything the run needs. A run that cannot fit
    /// (a buffer over the device's limits, a failed allocation) is refused with the numbers.
    pub fn new(setup: AcousticSetup) -> Result<WgpuAcoustic, DeviceError> {
        let needed = estimate_device_bytes(&setup);
        let layout = Layout::new(&setup);
        let context = WgpuContext::new().map_err(device_error)?;
        let device = context.device().clone();
        memory::check_limits(&context, &layout)?;
        // Errors in the time loop (a lost device, rejected work) come back from the next
        // read-back as DeviceError::Failed instead of wgpu's default panic.
        let device_failure = Arc::new(Mutex::new(None));
        let failure = device_failure.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = failure
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            slot.get_or_insert_with(|| e.to_string());
        }));
        let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let built = Self::allocate(setup, layout, &context, device_failure.clone());
        if pollster::block_on(scope.pop()).is_some() {
            return Err(DeviceError::OutOfMemory {
                device: context.adapter_description(),
                needed_bytes: needed,
                available_bytes: memory::largest_allocation(&context),
            });
        }
        // wgpu reports a rejected buffer, shader or pipeline as it is made.
        readback::reported(&device_failure)?;
        built
    }

    fn allocate(
        mut setup: AcousticSetup,
        layout: Layout,
        context: &WgpuContext,
        device_failure: Arc<Mutex<Option<String>>>,
    ) -> Result<WgpuAcoustic, DeviceError> {
        let device = context.device();
        // Any length the generic passes take: the grid sizes come from the user (and outside PML).
        let fft = GpuRealFft::new_any_length(context, &memory::fft_shape(&setup))
            .map_err(device_error)?;
        let sizes = layout.buffers();
        let named = NamedBuffers::new(device, &sizes);
        let storage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        let floats = |values: &[f32]| bytemuck::cast_slice::<f32, u8>(values).to_vec();

        let grid = named.filled(
            "grid uniform",
            wgpu::BufferUsages::UNIFORM,
            layout.grid_bytes(),
        );
        let jobs = named.empty(
            "job uniform",
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        let velocity = named.empty("velocity", storage);
        // The initial condition lives in the split density from the start:
        // rho_a = p0 / (ndim c0^2), as the CPU backend sets it.
        let density = match setup.initial_pressure.take() {
            Some(p0) => {
                let scale = 1.0 / setup.ndim as f32;
                let mut rho = Vec::with_capacity(setup.ndim * layout.n);
                for _ in 0..setup.ndim {
                    rho.extend(
                        p0.iter()
                            .enumerate()
                            .map(|(i, &p)| scale * p / setup.c0_squared.at(i)),
                    );
                }
                drop(p0);
                named.filled("density", storage, &floats(&rho))
            }
            None => named.empty("density", storage),
        };
        let coefficients = named.filled(
            "coefficient maps",
            wgpu::BufferUsages::STORAGE,
            &floats(&layout.fill_coefficients(&setup)),
        );
        let tables = named.filled(
            "tables",
            wgpu::BufferUsages::STORAGE,
            bytemuck::cast_slice(&layout.fill_tables(&setup)),
        );
        let n = layout.n;
        let extremes = |count: usize| {
            let mut values = vec![f32::NEG_INFINITY; count * n];
            values.extend(std::iter::repeat_n(f32::INFINITY, count * n));
            values
        };
        let mut record = vec![0.0; layout.pressure_extremes];
        if setup.whole_grid_extremes.pressure {
            record.extend(extremes(1));
        }
        let pressure_record = named.filled("pressure record", storage, &floats(&record));
        drop(record);
        let velocity_record = if setup.whole_grid_extremes.velocity {
            named.filled("velocity record", storage, &floats(&extremes(setup.ndim)))
        } else {
            named.empty("velocity record", storage)
        };
        let samples = named.empty("samples", storage);
        let reduction = named.empty("reduction", storage);
        let staging = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
        let sample_staging = named.empty("sample staging", staging);
        let reduction_staging = named.empty("reduction staging", staging);
        let spectral: Vec<wgpu::Buffer> = (0..layout.spectral_buffers)
            .map(|_| named.empty("spectral buffer", storage))
            .collect();
        let transforms = spectral
            .iter()
            .map(|b| fft.bind_in_place(b))
            .collect::<Result<Vec<_>, _>>()
            .map_err(device_error)?;
        let kernels = Kernels::new(
            device,
            &Bindings {
                grid: &grid,
                jobs: &jobs,
                spectral: &spectral,
                velocity: &velocity,
                density: &density,
                coefficients: &coefficients,
                tables: &tables,
                pressure_record: &pressure_record,
                velocity_record: &velocity_record,
                samples: &samples,
                reduction: &reduction,
            },
        );
        let bytes = sizes.iter().map(|(_, b)| b).sum::<u64>() + fft.device_bytes();
        let rows = layout.capacity * layout.sensors;
        let sampled = |axis: usize| {
            if setup.sample_velocity && axis < setup.ndim {
                vec![0.0; rows]
            } else {
                Vec::new()
            }
        };
        Ok(WgpuAcoustic {
            host_pressure: vec![0.0; rows],
            host_velocity: [sampled(0), sampled(1), sampled(2)],
            setup: layout::without_maps(setup),
            layout,
            context: context.clone(),
            fft,
            transforms,
            kernels,
            spectral,
            jobs,
            velocity,
            pressure_record,
            velocity_record,
            samples,
            reduction,
            sample_staging,
            reduction_staging,
            field_staging: None,
            device_failure,
            _bound: vec![grid, density, coefficients, tables],
            filled: 0,
            line_cache: None,
            bytes,
        })
    }

    fn encoder(&mut self) -> wgpu::CommandEncoder {
        self.kernels.begin();
        self.context
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("acoustic"),
            })
    }

    fn submit(&self, encoder: wgpu::CommandEncoder) {
        self.kernels.upload(self.context.queue(), &self.jobs);
        self.context.queue().submit([encoder.finish()]);
    }

    fn inverse(&self, encoder: &mut wgpu::CommandEncoder, buffers: &[Spec]) {
        for &b in buffers {
            self.fft.inverse(encoder, &self.transforms[b]);
        }
    }

    fn forward(&self, encoder: &mut wgpu::CommandEncoder, buffers: &[Spec]) {
        for &b in buffers {
            self.fft.forward(encoder, &self.transforms[b]);
        }
    }
}

impl AcousticBackend for WgpuAcoustic {
    fn spectral_buffers(&self) -> usize {
        self.spectral.len()
    }

    fn spectral(&mut self, op: SpectralOp, inputs: &[Spec], outputs: &[Spec]) {
        let kind = match op {
            SpectralOp::GradientStaggeredForward => 0,
            SpectralOp::DivergenceStaggeredBackward => 1,
            SpectralOp::FractionalLaplacians => 2,
            SpectralOp::SourceCorrection => 3,
        };
        let mut job = Job::new().with_inputs(inputs).with_outputs(outputs);
        job.what[0] = kind;
        let mut encoder = self.encoder();
        let len = self.layout.spectral_len;
        self.kernels
            .dispatch(&mut encoder, Kernel::Spectral, job, len);
        self.submit(encoder);
    }

    fn fused(&mut self, update: Update, inverse: &[Spec], forward: &[Spec]) {
        self.line_cache = None;
        let mut encoder = self.encoder();
        self.inverse(&mut encoder, inverse);
        updates::record(self, &mut encoder, update, inverse, forward);
        self.forward(&mut encoder, forward);
        self.submit(encoder);
    }
}

impl AcousticState for WgpuAcoustic {
    fn end_step(&mut self, cw: Option<(f64, f64)>) {
        let sensors = self.layout.sensors;
        assert!(
            self.filled < self.layout.capacity,
            "take_samples must be called every sample_capacity() steps"
        );
        if sensors > 0 && (self.setup.sample_velocity || cw.is_some()) {
            let mut encoder = self.encoder();
            let mut job = Job::new();
            job.what[3] = self.filled as u32;
            if self.setup.sample_velocity {
                let count = sensors * self.setup.ndim;
                self.kernels
                    .dispatch(&mut encoder, Kernel::GatherVelocity, job, count);
            }
            if let Some((w_re, w_im)) = cw {
                job.weights = [w_re as f32, w_im as f32, 0.0, 0.0];
                self.kernels
                    .dispatch(&mut encoder, Kernel::AccumulateCw, job, sensors);
            }
            self.submit(encoder);
        }
        self.filled += 1;
    }

    fn sample_capacity(&self) -> usize {
        self.layout.capacity
    }

    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError> {
        let steps = self.filled;
        self.filled = 0;
        readback::samples(self, steps)?;
        let rows = steps * self.layout.sensors;
        let velocity = |axis: usize| {
            let v = &self.host_velocity[axis];
            if v.is_empty() {
                &v[..]
            } else {
                &v[..rows]
            }
        };
        Ok(Samples {
            steps,
            pressure: &self.host_pressure[..rows],
            velocity: [velocity(0), velocity(1), velocity(2)],
        })
    }

    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        readback::cw_sums(self)
    }

    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError> {
        let buffer = self.pressure_record.clone();
        readback::floats(self, &buffer, 0, out)
    }

    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError> {
        let buffer = self.pressure_record.clone();
        let base = self.layout.pressure_extremes;
        readback::floats(self, &buffer, base, max)?;
        readback::floats(self, &buffer, base + self.layout.n, min)
    }

    fn velocity_extremes(
        &mut self,
        axis: usize,
        max: &mut [f32],
        min: &mut [f32],
    ) -> Result<(), DeviceError> {
        let buffer = self.velocity_record.clone();
        let n = self.layout.n;
        readback::floats(self, &buffer, axis * n, max)?;
        readback::floats(self, &buffer, (self.setup.ndim + axis) * n, min)
    }

    fn velocity_line(
        &mut self,
        axis: usize,
        start: usize,
        stride: usize,
        out: &mut [f32],
    ) -> Result<(), DeviceError> {
        if self.line_cache.as_ref().is_none_or(|(a, _)| *a != axis) {
            let mut component = self
                .line_cache
                .take()
                .map(|(_, v)| v)
                .unwrap_or_else(|| vec![0.0; self.layout.n]);
            let buffer = self.velocity.clone();
            readback::floats(self, &buffer, axis * self.layout.n, &mut component)?;
            self.line_cache = Some((axis, component));
        }
        let (_, u) = self.line_cache.as_ref().expect("filled above");
        for (k, v) in out.iter_mut().enumerate() {
            *v = u[start + k * stride];
        }
        Ok(())
    }

    fn velocity_field(&mut self, axis: usize, out: &mut [f32]) -> Result<(), DeviceError> {
        let buffer = self.velocity.clone();
        readback::floats(self, &buffer, axis * self.layout.n, out)
    }

    fn density_magnitude(&mut self) -> Result<f32, DeviceError> {
        readback::density_magnitude(self)
    }

    fn bytes_allocated(&self) -> usize {
        let staging = self.field_staging.as_ref().map_or(0, wgpu::Buffer::size);
        (self.bytes + staging) as usize
    }
}
