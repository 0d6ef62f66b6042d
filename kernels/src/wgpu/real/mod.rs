//! Real-to-complex and complex-to-real FFTs. The contiguous (last) axis of length n gives the
//! half spectrum, n/2 + 1 bins as realfft's, in one of two ways: an even n through a complex
//! FFT of length n/2 and a split/merge kernel (`halved`), an odd n through a complex FFT of
//! the whole row widened to complex (`widened`, twice the work, for grids that have no even
//! length). The other axes are complex FFTs of the half spectrum.

mod halved;
mod widened;

use std::num::NonZeroU64;

use num_complex::Complex32;

use super::fft::{bind_group_layout, check, Lengths, COMPLEX_BYTES, PARAMS_BYTES};
use super::{FftBinding, GpuError, GpuFft, WgpuContext};
use halved::HalvedRows;
use widened::WidenedRows;

const SHADER: &str = include_str!("../../../wgsl/real.wgsl");

/// A planned real FFT of one array shape. Real arrays are row-major f32 with the last axis
/// contiguous; their spectra are row-major complex f32 with the last axis cut to n/2 + 1.
pub struct GpuRealFft {
    context: WgpuContext,
    shape: Vec<usize>,
    spectrum_shape: Vec<usize>,
    rows: Rows,
    /// The other axes of the spectrum; none for 1D arrays.
    others: Option<GpuFft>,
}

/// The transform along the last axis.
enum Rows {
    Halved(HalvedRows),
    Widened(WidenedRows),
}

/// Bind groups of the last-axis transform for one pair of buffers.
enum RowsBinding {
    Halved(halved::Binding),
    HalvedInPlace(halved::InPlaceBinding),
    Widened(widened::Binding),
}

/// Bind groups tying a real plan to one real buffer and one spectrum buffer, or (from
/// `bind_in_place`) to one spectrum buffer whose first `len` floats hold the real array.
pub struct RealFftBinding {
    spectrum_fft: Option<FftBinding>,
    rows: RowsBinding,
}

impl GpuRealFft {
    /// Plans real transforms of an array of `shape` (1 to 3 axes); the axis lengths (and half
    /// the last one where it is even) must be products of 2, 3, 5 and 7.
    pub fn new(context: &WgpuContext, shape: &[usize]) -> Result<Self, GpuError> {
        Self::plan(context, shape, Lengths::Smooth)
    }

    /// As `new`, but axis lengths may also have prime factors up to `MAX_GENERIC_RADIX`,
    /// transformed by slower generic passes.
    pub fn new_any_length(context: &WgpuContext, shape: &[usize]) -> Result<Self, GpuError> {
        Self::plan(context, shape, Lengths::Any)
    }

    fn plan(context: &WgpuContext, shape: &[usize], lengths: Lengths) -> Result<Self, GpuError> {
        let (n, outer) = split_shape(shape)?;
        let spectrum_shape: Vec<usize> = outer.iter().copied().chain([n / 2 + 1]).collect();
        let rows = if n % 2 == 0 {
            Rows::Halved(HalvedRows::new(context, outer, n, lengths)?)
        } else {
            Rows::Widened(WidenedRows::new(context, outer, n, lengths)?)
        };
        let other_axes: Vec<usize> = (0..outer.len()).collect();
        let others = if other_axes.is_empty() {
            None
        } else {
            Some(plan_fft(context, &spectrum_shape, &other_axes, lengths)?)
        };
        Ok(Self {
            context: context.clone(),
            shape: shape.to_vec(),
            spectrum_shape,
            rows,
            others,
        })
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The shape of the half spectrum: the last axis is n/2 + 1.
    pub fn spectrum_shape(&self) -> &[usize] {
        &self.spectrum_shape
    }

    fn real_len(&self) -> usize {
        self.shape.iter().product()
    }

    fn spectrum_bytes(&self) -> u64 {
        self.spectrum_shape.iter().product::<usize>() as u64 * COMPLEX_BYTES
    }

    /// Bytes of a real buffer: whole complex values, so an odd number of floats is padded.
    fn real_bytes(&self) -> u64 {
        self.real_len().div_ceil(2) as u64 * COMPLEX_BYTES
    }

    /// A device buffer for the real array.
    pub fn create_real_buffer(&self, label: &str) -> wgpu::Buffer {
        self.create_buffer(label, self.real_bytes())
    }

    /// A device buffer for the half spectrum.
    pub fn create_spectrum_buffer(&self, label: &str) -> wgpu::Buffer {
        self.create_buffer(label, self.spectrum_bytes())
    }

    fn create_buffer(&self, label: &str, size: u64) -> wgpu::Buffer {
        self.context
            .device()
            .create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
    }

    /// Prepares transforms between `real` and `spectrum` (buffers as made by
    /// `create_real_buffer` and `create_spectrum_buffer`, or larger; both need STORAGE,
    /// COPY_SRC and COPY_DST usage).
    pub fn bind(
        &self,
        real: &wgpu::Buffer,
        spectrum: &wgpu::Buffer,
    ) -> Result<RealFftBinding, GpuError> {
        self.check_buffer("real", real, self.real_bytes())?;
        self.check_buffer("spectrum", spectrum, self.spectrum_bytes())?;
        let scope = self
            .context
            .device()
            .push_error_scope(wgpu::ErrorFilter::Validation);
        let rows = match &self.rows {
            Rows::Halved(rows) => RowsBinding::Halved(rows.bind(real, spectrum)?),
            Rows::Widened(rows) => RowsBinding::Widened(rows.bind(real, spectrum)?),
        };
        let binding = RealFftBinding {
            spectrum_fft: self.bind_others(spectrum)?,
            rows,
        };
        check(scope)?;
        Ok(binding)
    }

    /// Prepares in-place transforms of `spectrum` (a buffer as made by
    /// `create_spectrum_buffer`, or larger): the real array lives in its first `len` floats,
    /// which fit because the half spectrum holds at least as many floats.
    pub fn bind_in_place(&self, spectrum: &wgpu::Buffer) -> Result<RealFftBinding, GpuError> {
        self.check_buffer("in-place", spectrum, self.spectrum_bytes())?;
        let scope = self
            .context
            .device()
            .push_error_scope(wgpu::ErrorFilter::Validation);
        let rows = match &self.rows {
            Rows::Halved(rows) => RowsBinding::HalvedInPlace(rows.bind_in_place(spectrum)?),
            Rows::Widened(rows) => RowsBinding::Widened(rows.bind(spectrum, spectrum)?),
        };
        let binding = RealFftBinding {
            spectrum_fft: self.bind_others(spectrum)?,
            rows,
        };
        check(scope)?;
        Ok(binding)
    }

    fn bind_others(&self, spectrum: &wgpu::Buffer) -> Result<Option<FftBinding>, GpuError> {
        self.others
            .as_ref()
            .map(|fft| fft.bind(spectrum))
            .transpose()
    }

    fn check_buffer(&self, role: &str, buffer: &wgpu::Buffer, bytes: u64) -> Result<(), GpuError> {
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        if buffer.size() < bytes || !buffer.usage().contains(usage) {
            return Err(GpuError::Shape(format!(
                "{role} real FFT buffer of {} bytes with usage {:?}: the plan for {:?} needs \
                 {bytes} bytes and {usage:?}",
                buffer.size(),
                buffer.usage(),
                self.shape
            )));
        }
        Ok(())
    }

    /// Records real -> spectrum (unnormalised). A real buffer of its own is left as it was;
    /// in place, the half spectrum replaces the real array.
    pub fn forward(&self, encoder: &mut wgpu::CommandEncoder, binding: &RealFftBinding) {
        match (&self.rows, &binding.rows) {
            (Rows::Halved(plan), RowsBinding::Halved(b)) => plan.forward(encoder, b),
            (Rows::Halved(plan), RowsBinding::HalvedInPlace(b)) => {
                plan.forward_in_place(encoder, b)
            }
            (Rows::Widened(plan), RowsBinding::Widened(b)) => plan.forward(encoder, b),
            _ => unreachable!("a binding is made by its own plan"),
        }
        if let (Some(others), Some(spectrum)) = (&self.others, &binding.spectrum_fft) {
            others.forward(encoder, spectrum);
        }
    }

    /// Records spectrum -> real, scaled by 1/len so that it inverts `forward`. The spectrum
    /// buffer is overwritten (as FFTW's and realfft's complex-to-real transforms do); in
    /// place, the real array ends up in its first `len` floats.
    pub fn inverse(&self, encoder: &mut wgpu::CommandEncoder, binding: &RealFftBinding) {
        if let (Some(others), Some(spectrum)) = (&self.others, &binding.spectrum_fft) {
            others.inverse(encoder, spectrum);
        }
        match (&self.rows, &binding.rows) {
            (Rows::Halved(plan), RowsBinding::Halved(b)) => plan.inverse(encoder, b),
            (Rows::Halved(plan), RowsBinding::HalvedInPlace(b)) => {
                plan.inverse_in_place(encoder, b)
            }
            (Rows::Widened(plan), RowsBinding::Widened(b)) => plan.inverse(encoder, b),
            _ => unreachable!("a binding is made by its own plan"),
        }
    }

    /// Dispatches (and copies) of one in-place transform, either direction.
    pub fn dispatch_count(&self) -> usize {
        let rows = match &self.rows {
            Rows::Halved(rows) => rows.dispatch_count(),
            Rows::Widened(rows) => rows.dispatch_count(),
        };
        rows + self.others.as_ref().map_or(0, GpuFft::dispatch_count)
    }

    /// Device bytes the plan holds (work and scratch buffers, tables, parameters).
    pub fn device_bytes(&self) -> u64 {
        let rows = match &self.rows {
            Rows::Halved(rows) => rows.device_bytes(),
            Rows::Widened(rows) => rows.device_bytes(),
        };
        rows + self.others.as_ref().map_or(0, GpuFft::device_bytes)
    }

    /// What `device_bytes` will be for a plan of `shape` taking `lengths`, without a device.
    pub fn estimate_bytes(shape: &[usize], lengths: Lengths) -> Result<u64, GpuError> {
        let (n, outer) = split_shape(shape)?;
        let rows = if n % 2 == 0 {
            HalvedRows::estimate_bytes(outer, n, lengths)?
        } else {
            WidenedRows::estimate_bytes(outer, n, lengths)?
        };
        let spectrum_shape: Vec<usize> = outer.iter().copied().chain([n / 2 + 1]).collect();
        let other_axes: Vec<usize> = (0..outer.len()).collect();
        let others = if other_axes.is_empty() {
            0
        } else {
            GpuFft::estimate_bytes(&spectrum_shape, &other_axes, lengths)?
        };
        Ok(rows + others)
    }

    /// Uploads a real array, transforms it and reads the half spectrum back; for tests.
    pub fn forward_host(&self, real: &[f32]) -> Result<Vec<Complex32>, GpuError> {
        expect_len(real.len(), &self.shape)?;
        let context = &self.context;
        let real_buffer = self.create_real_buffer("real");
        let spectrum = self.create_spectrum_buffer("spectrum");
        context.upload_real(&real_buffer, real);
        let binding = self.bind(&real_buffer, &spectrum)?;
        let mut encoder = context.device().create_command_encoder(&Default::default());
        self.forward(&mut encoder, &binding);
        context.queue().submit([encoder.finish()]);
        context.download_complex(&spectrum)
    }

    /// Uploads a half spectrum, transforms it back and reads the real array; for tests.
    pub fn inverse_host(&self, spectrum: &[Complex32]) -> Result<Vec<f32>, GpuError> {
        expect_len(spectrum.len(), &self.spectrum_shape)?;
        let context = &self.context;
        let real_buffer = self.create_real_buffer("real");
        let spectrum_buffer = self.create_spectrum_buffer("spectrum");
        context.upload_complex(&spectrum_buffer, spectrum);
        let binding = self.bind(&real_buffer, &spectrum_buffer)?;
        let mut encoder = context.device().create_command_encoder(&Default::default());
        self.inverse(&mut encoder, &binding);
        context.queue().submit([encoder.finish()]);
        let mut real = context.download_real(&real_buffer)?;
        real.truncate(self.real_len());
        Ok(real)
    }

    /// Uploads a real array into a spectrum buffer, transforms it there forward, reads the
    /// half spectrum, transforms it back there and reads the real array; for tests.
    pub fn round_trip_in_place_host(
        &self,
        real: &[f32],
    ) -> Result<(Vec<Complex32>, Vec<f32>), GpuError> {
        expect_len(real.len(), &self.shape)?;
        let context = &self.context;
        let buffer = self.create_spectrum_buffer("in-place spectrum");
        context.upload_real(&buffer, real);
        let binding = self.bind_in_place(&buffer)?;
        let mut encoder = context.device().create_command_encoder(&Default::default());
        self.forward(&mut encoder, &binding);
        context.queue().submit([encoder.finish()]);
        let spectrum = context.download_complex(&buffer)?;
        let mut encoder = context.device().create_command_encoder(&Default::default());
        self.inverse(&mut encoder, &binding);
        context.queue().submit([encoder.finish()]);
        let mut back = context.download_real(&buffer)?;
        back.truncate(self.real_len());
        Ok((spectrum, back))
    }
}

fn plan_fft(
    context: &WgpuContext,
    shape: &[usize],
    axes: &[usize],
    lengths: Lengths,
) -> Result<GpuFft, GpuError> {
    match lengths {
        Lengths::Smooth => GpuFft::along_axes(context, shape, axes),
        Lengths::Any => GpuFft::along_axes_any_length(context, shape, axes),
    }
}

/// The plan of complex rows of `len` (the outer axes, then `len`) along the last axis, for
/// the two row transforms.
fn row_fft(
    context: &WgpuContext,
    outer: &[usize],
    len: usize,
    lengths: Lengths,
) -> Result<GpuFft, GpuError> {
    let shape: Vec<usize> = outer.iter().copied().chain([len]).collect();
    plan_fft(context, &shape, &[outer.len()], lengths)
}

/// What `row_fft` will hold on the device, and its work buffer, without a device.
fn estimate_row_fft_and_work(
    outer: &[usize],
    len: usize,
    lengths: Lengths,
) -> Result<u64, GpuError> {
    let shape: Vec<usize> = outer.iter().copied().chain([len]).collect();
    let work = shape.iter().product::<usize>() as u64 * COMPLEX_BYTES;
    Ok(work + GpuFft::estimate_bytes(&shape, &[outer.len()], lengths)?)
}

/// The last axis length and the outer axes of a real array shape (1 to 3 axes).
fn split_shape(shape: &[usize]) -> Result<(usize, &[usize]), GpuError> {
    match shape.split_last() {
        Some((&n, outer)) if n > 0 => Ok((n, outer)),
        _ => Err(GpuError::Shape(format!("real FFT of the shape {shape:?}"))),
    }
}

fn expect_len(len: usize, shape: &[usize]) -> Result<(), GpuError> {
    if len == shape.iter().product() {
        Ok(())
    } else {
        Err(GpuError::Shape(format!(
            "{len} values given for an array of shape {shape:?}"
        )))
    }
}

/// The real.wgsl pipelines `entry_points`, all on the one bind layout of the FFT shaders.
fn pipelines<const N: usize>(
    device: &wgpu::Device,
    entry_points: [&str; N],
) -> (wgpu::BindGroupLayout, [wgpu::ComputePipeline; N]) {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("real.wgsl"),
        source: wgpu::ShaderSource::Wgsl(SHADER.into()),
    });
    let layout = bind_group_layout(device);
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("real fft"),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let pipelines = entry_points.map(|entry_point| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry_point),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(entry_point),
            compilation_options: Default::default(),
            cache: None,
        })
    });
    (layout, pipelines)
}

/// Buffers of one real.wgsl dispatch: `src` read, `dst` written (the first bytes of each), a
/// read-only table and the parameters.
struct Bindings<'a> {
    src: (&'a wgpu::Buffer, u64),
    dst: (&'a wgpu::Buffer, u64),
    table: &'a wgpu::Buffer,
    params: &'a wgpu::Buffer,
}

fn bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    bindings: Bindings,
) -> wgpu::BindGroup {
    fn buffer((buffer, bytes): (&wgpu::Buffer, u64)) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset: 0,
            size: NonZeroU64::new(bytes),
        })
    }
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("real fft"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: buffer(bindings.src),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: buffer(bindings.dst),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: bindings.table.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: buffer((bindings.params, PARAMS_BYTES)),
            },
        ],
    })
}

fn dispatch(
    encoder: &mut wgpu::CommandEncoder,
    pipeline: &wgpu::ComputePipeline,
    group: &wgpu::BindGroup,
    params_offset: u32,
    grid: [u32; 2],
) {
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("real fft"),
        timestamp_writes: None,
    });
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, group, &[params_offset]);
    pass.dispatch_workgroups(grid[0], grid[1], 1);
}
