//! Real-to-complex and complex-to-real FFTs: the contiguous (last) axis of length n goes through a
//! complex FFT of length n/2 plus a split/merge kernel (real.wgsl); the other axes are complex
//! FFTs of the half spectrum, which has n/2 + 1 bins along the last axis, as realfft's.

use std::num::NonZeroU64;

use num_complex::Complex32;
use wgpu::util::DeviceExt;

use super::fft::{
    bind_group_layout, check, workgroups, Lengths, COMPLEX_BYTES, PARAMS_BYTES, PARAMS_STRIDE,
    WORKGROUP,
};
use super::{Direction, FftBinding, GpuError, GpuFft, WgpuContext};

const SHADER: &str = include_str!("../../wgsl/real.wgsl");

/// A planned real FFT of one array shape. Real arrays are row-major f32 with the last axis
/// contiguous; their spectra are row-major complex f32 with the last axis cut to n/2 + 1.
pub struct GpuRealFft {
    context: WgpuContext,
    shape: Vec<usize>,
    spectrum_shape: Vec<usize>,
    /// Length n/2 along the last axis, on the real array read as complex.
    half: GpuFft,
    /// The other axes of the spectrum; none for 1D arrays.
    others: Option<GpuFft>,
    layout: wgpu::BindGroupLayout,
    split: wgpu::ComputePipeline,
    merge: wgpu::ComputePipeline,
    twiddles: wgpu::Buffer,
    params: wgpu::Buffer,
    /// Keeps the forward transform's input intact: the half-length FFT runs here.
    work: wgpu::Buffer,
    split_grid: [u32; 2],
    merge_grid: [u32; 2],
}

/// Bind groups for in-place real transforms of one spectrum buffer. The half-length passes
/// are routed so that no copies are needed: forward, the first pass reads the real array from
/// the spectrum buffer and the split reads wherever the last pass wrote; inverse, the merge
/// writes the work buffer and the last pass writes the spectrum buffer.
pub struct InPlaceRealFftBinding {
    spectrum: wgpu::Buffer,
    spectrum_fft: Option<FftBinding>,
    forward_passes: Vec<wgpu::BindGroup>,
    inverse_passes: Vec<wgpu::BindGroup>,
    /// From where the forward passes leave the half-length transform into the spectrum.
    split: wgpu::BindGroup,
    /// Spectrum into the work buffer.
    merge: wgpu::BindGroup,
}

/// Bind groups tying a real plan to one real buffer and one spectrum buffer.
pub struct RealFftBinding {
    real: wgpu::Buffer,
    work: FftBinding,
    real_as_complex: FftBinding,
    spectrum: Option<FftBinding>,
    split: wgpu::BindGroup,
    merge: wgpu::BindGroup,
}

impl GpuRealFft {
    /// Plans real transforms of an array of `shape` (1 to 3 axes); the last axis length must be
    /// even, and it and half of it products of 2, 3, 5 and 7 like the other axes.
    pub fn new(context: &WgpuContext, shape: &[usize]) -> Result<Self, GpuError> {
        Self::plan(context, shape, Lengths::Smooth)
    }

    /// As `new`, but axis lengths (and half the last one) may also have prime factors up to
    /// `MAX_GENERIC_RADIX`, transformed by slower generic passes.
    pub fn new_any_length(context: &WgpuContext, shape: &[usize]) -> Result<Self, GpuError> {
        Self::plan(context, shape, Lengths::Any)
    }

    fn plan(context: &WgpuContext, shape: &[usize], lengths: Lengths) -> Result<Self, GpuError> {
        let Some((&n, outer)) = shape.split_last() else {
            return Err(GpuError::Shape("real FFT of an empty shape".into()));
        };
        if n % 2 == 1 {
            return Err(GpuError::Shape(format!(
                "real FFT shape {shape:?}: the last axis length must be even"
            )));
        }
        let h = n / 2;
        let half_shape: Vec<usize> = outer.iter().copied().chain([h]).collect();
        let spectrum_shape: Vec<usize> = outer.iter().copied().chain([h + 1]).collect();
        let plan = |shape: &[usize], axes: &[usize]| match lengths {
            Lengths::Smooth => GpuFft::along_axes(context, shape, axes),
            Lengths::Any => GpuFft::along_axes_any_length(context, shape, axes),
        };
        let half = plan(&half_shape, &[outer.len()])?;
        let other_axes: Vec<usize> = (0..outer.len()).collect();
        let others = if other_axes.is_empty() {
            None
        } else {
            Some(plan(&spectrum_shape, &other_axes)?)
        };

        let device = context.device();
        let limits = device.limits();
        let rows: usize = outer.iter().product();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
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
        let pipeline = |entry_point| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry_point),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry_point),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let split = pipeline("split_spectrum");
        let merge = pipeline("merge_spectrum");
        let twiddles: Vec<f32> = (0..=h)
            .flat_map(|k| {
                let angle = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
                [angle.cos() as f32, angle.sin() as f32]
            })
            .collect();
        let twiddles = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("real fft twiddles"),
            contents: bytemuck::cast_slice(&twiddles),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let split_grid = workgroups((rows * (h + 1)) as u32, &limits);
        let merge_grid = workgroups((rows * h) as u32, &limits);
        let align = PARAMS_STRIDE;
        let mut params = vec![0u32; 2 * align as usize / 4];
        for (slot, grid) in [split_grid, merge_grid].iter().enumerate() {
            let at = slot * align as usize / 4;
            params[at..at + 3].copy_from_slice(&[h as u32, rows as u32, grid[0] * WORKGROUP]);
        }
        let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("real fft parameters"),
            contents: bytemuck::cast_slice(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let work = half.create_buffer("real fft work");
        check(scope)?;
        Ok(Self {
            context: context.clone(),
            shape: shape.to_vec(),
            spectrum_shape,
            half,
            others,
            layout,
            split,
            merge,
            twiddles,
            params,
            work,
            split_grid,
            merge_grid,
        })
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The shape of the half spectrum: the last axis is n/2 + 1.
    pub fn spectrum_shape(&self) -> &[usize] {
        &self.spectrum_shape
    }

    /// A device buffer for the real array.
    pub fn create_real_buffer(&self, label: &str) -> wgpu::Buffer {
        self.half.create_buffer(label)
    }

    /// A device buffer for the half spectrum.
    pub fn create_spectrum_buffer(&self, label: &str) -> wgpu::Buffer {
        let len: usize = self.spectrum_shape.iter().product();
        self.context
            .device()
            .create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: len as u64 * COMPLEX_BYTES,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
    }

    /// Prepares transforms between `real` and `spectrum` (buffers as made by
    /// `create_real_buffer` and `create_spectrum_buffer`, or larger; the real one needs
    /// STORAGE, COPY_SRC and COPY_DST usage, the spectrum STORAGE and COPY_DST).
    pub fn bind(
        &self,
        real: &wgpu::Buffer,
        spectrum: &wgpu::Buffer,
    ) -> Result<RealFftBinding, GpuError> {
        // The forward transform starts with a copy out of the real buffer.
        if !real.usage().contains(wgpu::BufferUsages::COPY_SRC) {
            return Err(GpuError::Shape(format!(
                "real FFT buffer usage {:?} lacks COPY_SRC",
                real.usage()
            )));
        }
        let real_as_complex = self.half.bind(real)?;
        let spectrum_binding = self
            .others
            .as_ref()
            .map(|fft| fft.bind(spectrum))
            .transpose()?;
        let spectrum_bytes = self.spectrum_shape.iter().product::<usize>() as u64 * COMPLEX_BYTES;
        if spectrum.size() < spectrum_bytes {
            return Err(GpuError::Shape(format!(
                "spectrum buffer holds {} bytes, the real plan for {:?} needs {spectrum_bytes}",
                spectrum.size(),
                self.shape
            )));
        }
        let half_bytes = self.half.len() as u64 * COMPLEX_BYTES;
        let device = self.context.device();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let binding = RealFftBinding {
            real: real.clone(),
            work: self.half.bind(&self.work)?,
            real_as_complex,
            spectrum: spectrum_binding,
            split: self.group(&self.work, half_bytes, spectrum, spectrum_bytes),
            merge: self.group(spectrum, spectrum_bytes, real, half_bytes),
        };
        check(scope)?;
        Ok(binding)
    }

    /// A bind group of the split/merge kernels: `src` read, `dst` written.
    fn group(
        &self,
        src: &wgpu::Buffer,
        src_bytes: u64,
        dst: &wgpu::Buffer,
        dst_bytes: u64,
    ) -> wgpu::BindGroup {
        let buffer = |buffer, bytes| {
            wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: 0,
                size: NonZeroU64::new(bytes),
            })
        };
        self.context
            .device()
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("real fft"),
                layout: &self.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: buffer(src, src_bytes),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: buffer(dst, dst_bytes),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: self.twiddles.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: buffer(&self.params, PARAMS_BYTES),
                    },
                ],
            })
    }

    /// Prepares in-place transforms of `spectrum` (a buffer as made by
    /// `create_spectrum_buffer`, or larger): the real array lives in its first `len` floats,
    /// which fit because the half spectrum holds at least as many floats.
    pub fn bind_in_place(
        &self,
        spectrum: &wgpu::Buffer,
    ) -> Result<InPlaceRealFftBinding, GpuError> {
        let spectrum_bytes = self.spectrum_shape.iter().product::<usize>() as u64 * COMPLEX_BYTES;
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        if spectrum.size() < spectrum_bytes || !spectrum.usage().contains(usage) {
            return Err(GpuError::Shape(format!(
                "in-place real FFT buffer of {} bytes with usage {:?}: the plan for {:?} needs \
                 {spectrum_bytes} bytes and {usage:?}",
                spectrum.size(),
                spectrum.usage(),
                self.shape
            )));
        }
        let half_bytes = self.half.len() as u64 * COMPLEX_BYTES;
        let device = self.context.device();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let (work, scratch) = (&self.work, self.half.scratch());
        let passes = self.half.pass_count();
        // Pass k of the forward transform: spectrum -> scratch first, then alternating
        // scratch -> work, work -> scratch. With no passes (n = 2) the real array is copied
        // to the work buffer and the split reads it there.
        let forward_passes: Vec<wgpu::BindGroup> = (0..passes)
            .map(|k| match k {
                0 => self.half.pass_group(spectrum, scratch),
                k if k % 2 == 1 => self.half.pass_group(scratch, work),
                _ => self.half.pass_group(work, scratch),
            })
            .collect();
        let forward_result = if passes % 2 == 1 { scratch } else { work };
        // Pass k of the inverse transform: work -> scratch, scratch -> work, ..., with the
        // last pass writing the spectrum buffer instead. With no passes the work buffer is
        // copied to the spectrum.
        let inverse_passes: Vec<wgpu::BindGroup> = (0..passes)
            .map(|k| {
                let src = if k % 2 == 0 { work } else { scratch };
                let dst = if k + 1 == passes {
                    spectrum
                } else if k % 2 == 0 {
                    scratch
                } else {
                    work
                };
                self.half.pass_group(src, dst)
            })
            .collect();
        let binding = InPlaceRealFftBinding {
            spectrum: spectrum.clone(),
            spectrum_fft: self
                .others
                .as_ref()
                .map(|fft| fft.bind(spectrum))
                .transpose()?,
            forward_passes,
            inverse_passes,
            split: self.group(forward_result, half_bytes, spectrum, spectrum_bytes),
            merge: self.group(spectrum, spectrum_bytes, work, half_bytes),
        };
        check(scope)?;
        Ok(binding)
    }

    /// Records the forward transform of the real array at the start of the bound buffer into
    /// the half spectrum in the same buffer (unnormalised).
    pub fn forward_in_place(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        binding: &InPlaceRealFftBinding,
    ) {
        let bytes = self.half.len() as u64 * COMPLEX_BYTES;
        if binding.forward_passes.is_empty() {
            encoder.copy_buffer_to_buffer(&binding.spectrum, 0, &self.work, 0, bytes);
        }
        self.half
            .record_routed(encoder, &binding.forward_passes, Direction::Forward);
        self.dispatch(encoder, &self.split, &binding.split, 0, self.split_grid);
        if let (Some(others), Some(spectrum)) = (&self.others, &binding.spectrum_fft) {
            others.forward(encoder, spectrum);
        }
    }

    /// Records the inverse transform (scaled by 1/len) of the half spectrum in the bound
    /// buffer; the real array ends up in its first `len` floats.
    pub fn inverse_in_place(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        binding: &InPlaceRealFftBinding,
    ) {
        if let (Some(others), Some(spectrum)) = (&self.others, &binding.spectrum_fft) {
            others.inverse(encoder, spectrum);
        }
        let align = self.merge_params_offset();
        self.dispatch(encoder, &self.merge, &binding.merge, align, self.merge_grid);
        self.half
            .record_routed(encoder, &binding.inverse_passes, Direction::Inverse);
        if binding.inverse_passes.is_empty() {
            let bytes = self.half.len() as u64 * COMPLEX_BYTES;
            encoder.copy_buffer_to_buffer(&self.work, 0, &binding.spectrum, 0, bytes);
        }
    }

    /// Dispatches (and copies) of one in-place transform, either direction: the half-length
    /// passes (a copy when the half length is 1), the split or merge, and the other axes.
    pub fn dispatch_count(&self) -> usize {
        let half = self.half.pass_count().max(1);
        half + 1 + self.others.as_ref().map_or(0, GpuFft::dispatch_count)
    }

    fn merge_params_offset(&self) -> u32 {
        PARAMS_STRIDE as u32
    }

    /// Device bytes the plan holds (work and scratch buffers, twiddles, parameters).
    pub fn device_bytes(&self) -> u64 {
        self.work.size()
            + self.twiddles.size()
            + self.params.size()
            + self.half.device_bytes()
            + self.others.as_ref().map_or(0, GpuFft::device_bytes)
    }

    /// What `device_bytes` will be for a plan of `shape` taking `lengths`, without a device.
    pub fn estimate_bytes(shape: &[usize], lengths: Lengths) -> Result<u64, GpuError> {
        let Some((&n, outer)) = shape.split_last() else {
            return Err(GpuError::Shape("real FFT of an empty shape".into()));
        };
        let h = n / 2;
        let half_shape: Vec<usize> = outer.iter().copied().chain([h]).collect();
        let spectrum_shape: Vec<usize> = outer.iter().copied().chain([h + 1]).collect();
        let half = GpuFft::estimate_bytes(&half_shape, &[outer.len()], lengths)?;
        let other_axes: Vec<usize> = (0..outer.len()).collect();
        let others = if other_axes.is_empty() {
            0
        } else {
            GpuFft::estimate_bytes(&spectrum_shape, &other_axes, lengths)?
        };
        let work = half_shape.iter().product::<usize>() as u64 * COMPLEX_BYTES;
        let twiddles = (h as u64 + 1) * COMPLEX_BYTES;
        Ok(work + twiddles + 2 * PARAMS_STRIDE + half + others)
    }

    /// Records real -> spectrum (unnormalised). The real buffer is left as it was.
    pub fn forward(&self, encoder: &mut wgpu::CommandEncoder, binding: &RealFftBinding) {
        let bytes = self.half.len() as u64 * COMPLEX_BYTES;
        encoder.copy_buffer_to_buffer(&binding.real, 0, &self.work, 0, bytes);
        self.half.forward(encoder, &binding.work);
        self.dispatch(encoder, &self.split, &binding.split, 0, self.split_grid);
        if let (Some(others), Some(spectrum)) = (&self.others, &binding.spectrum) {
            others.forward(encoder, spectrum);
        }
    }

    /// Records spectrum -> real, scaled by 1/len so that it inverts `forward`. The spectrum
    /// buffer is overwritten (as FFTW's and realfft's complex-to-real transforms do).
    pub fn inverse(&self, encoder: &mut wgpu::CommandEncoder, binding: &RealFftBinding) {
        if let (Some(others), Some(spectrum)) = (&self.others, &binding.spectrum) {
            others.inverse(encoder, spectrum);
        }
        let align = self.merge_params_offset();
        self.dispatch(encoder, &self.merge, &binding.merge, align, self.merge_grid);
        self.half.inverse(encoder, &binding.real_as_complex);
    }

    fn dispatch(
        &self,
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

    /// Uploads a real array, transforms it and reads the half spectrum back; for tests.
    pub fn forward_host(&self, real: &[f32]) -> Result<Vec<Complex32>, GpuError> {
        expect_len(real.len(), &self.shape)?;
        let context = &self.context;
        let real_buffer = self.create_real_buffer("real");
        let spectrum = self.create_spectrum_buffer("spectrum");
        context
            .queue()
            .write_buffer(&real_buffer, 0, bytemuck::cast_slice(real));
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
        context.download_real(&real_buffer)
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
