//! Real rows of even length n as complex rows of n/2: z[m] = x[2m] + i x[2m+1] goes through a
//! complex FFT of n/2, and the split kernel (real.wgsl) turns its result into the n/2 + 1 bins
//! of the half spectrum; the merge kernel undoes the split for the inverse.

use wgpu::util::DeviceExt;

use super::{bind_group, dispatch, estimate_row_fft_and_work, pipelines, row_fft, Bindings};
use crate::wgpu::fft::{check, workgroups, Lengths, COMPLEX_BYTES, PARAMS_STRIDE, WORKGROUP};
use crate::wgpu::{Direction, FftBinding, GpuError, GpuFft, WgpuContext};

pub(super) struct HalvedRows {
    context: WgpuContext,
    /// Rows of the array and half their length.
    rows: usize,
    h: usize,
    /// Length n/2 along the last axis, on the real array read as complex.
    half: GpuFft,
    layout: wgpu::BindGroupLayout,
    split: wgpu::ComputePipeline,
    merge: wgpu::ComputePipeline,
    /// w^k = exp(-2 pi i k / n) for 0 <= k <= n/2, from f64.
    twiddles: wgpu::Buffer,
    /// The split's parameters, then the merge's, `PARAMS_STRIDE` apart.
    params: wgpu::Buffer,
    /// Keeps the forward transform's input intact: the half-length FFT runs here.
    work: wgpu::Buffer,
    split_grid: [u32; 2],
    merge_grid: [u32; 2],
}

/// Transforms between a real buffer and a spectrum buffer.
pub(super) struct Binding {
    real: wgpu::Buffer,
    work: FftBinding,
    real_as_complex: FftBinding,
    split: wgpu::BindGroup,
    merge: wgpu::BindGroup,
}

/// In-place transforms of one spectrum buffer. The half-length passes are routed so that no
/// copies are needed: forward, the first pass reads the real array from the spectrum buffer
/// and the split reads wherever the last pass wrote; inverse, the merge writes the work
/// buffer and the last pass writes the spectrum buffer.
pub(super) struct InPlaceBinding {
    spectrum: wgpu::Buffer,
    forward_passes: Vec<wgpu::BindGroup>,
    inverse_passes: Vec<wgpu::BindGroup>,
    /// From where the forward passes leave the half-length transform into the spectrum.
    split: wgpu::BindGroup,
    /// Spectrum into the work buffer.
    merge: wgpu::BindGroup,
}

impl HalvedRows {
    pub(super) fn new(
        context: &WgpuContext,
        outer: &[usize],
        n: usize,
        lengths: Lengths,
    ) -> Result<Self, GpuError> {
        let h = n / 2;
        let half = row_fft(context, outer, h, lengths)?;
        let device = context.device();
        let limits = device.limits();
        let rows: usize = outer.iter().product();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let (layout, [split, merge]) = pipelines(device, ["split_spectrum", "merge_spectrum"]);
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
        let mut params = vec![0u32; 2 * PARAMS_STRIDE as usize / 4];
        for (slot, grid) in [split_grid, merge_grid].iter().enumerate() {
            let at = slot * PARAMS_STRIDE as usize / 4;
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
            rows,
            h,
            half,
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

    fn half_bytes(&self) -> u64 {
        self.half.len() as u64 * COMPLEX_BYTES
    }

    /// The split or merge reading the first `src.1` bytes of `src.0`, writing `dst`'s.
    fn group(&self, src: (&wgpu::Buffer, u64), dst: (&wgpu::Buffer, u64)) -> wgpu::BindGroup {
        bind_group(
            self.context.device(),
            &self.layout,
            Bindings {
                src,
                dst,
                table: &self.twiddles,
                params: &self.params,
            },
        )
    }

    fn spectrum_bytes(&self) -> u64 {
        (self.rows * (self.h + 1)) as u64 * COMPLEX_BYTES
    }

    pub(super) fn bind(
        &self,
        real: &wgpu::Buffer,
        spectrum: &wgpu::Buffer,
    ) -> Result<Binding, GpuError> {
        let (half, spectrum_bytes) = (self.half_bytes(), self.spectrum_bytes());
        Ok(Binding {
            real: real.clone(),
            work: self.half.bind(&self.work)?,
            real_as_complex: self.half.bind(real)?,
            split: self.group((&self.work, half), (spectrum, spectrum_bytes)),
            merge: self.group((spectrum, spectrum_bytes), (real, half)),
        })
    }

    pub(super) fn bind_in_place(
        &self,
        spectrum: &wgpu::Buffer,
    ) -> Result<InPlaceBinding, GpuError> {
        let (half, spectrum_bytes) = (self.half_bytes(), self.spectrum_bytes());
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
        Ok(InPlaceBinding {
            spectrum: spectrum.clone(),
            forward_passes,
            inverse_passes,
            split: self.group((forward_result, half), (spectrum, spectrum_bytes)),
            merge: self.group((spectrum, spectrum_bytes), (work, half)),
        })
    }

    pub(super) fn forward(&self, encoder: &mut wgpu::CommandEncoder, binding: &Binding) {
        encoder.copy_buffer_to_buffer(&binding.real, 0, &self.work, 0, self.half_bytes());
        self.half.forward(encoder, &binding.work);
        dispatch(encoder, &self.split, &binding.split, 0, self.split_grid);
    }

    /// The merge, with its parameter set (the second).
    fn merge(&self, encoder: &mut wgpu::CommandEncoder, group: &wgpu::BindGroup) {
        let params = PARAMS_STRIDE as u32;
        dispatch(encoder, &self.merge, group, params, self.merge_grid);
    }

    pub(super) fn inverse(&self, encoder: &mut wgpu::CommandEncoder, binding: &Binding) {
        self.merge(encoder, &binding.merge);
        self.half.inverse(encoder, &binding.real_as_complex);
    }

    pub(super) fn forward_in_place(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        binding: &InPlaceBinding,
    ) {
        if binding.forward_passes.is_empty() {
            encoder.copy_buffer_to_buffer(&binding.spectrum, 0, &self.work, 0, self.half_bytes());
        }
        self.half
            .record_routed(encoder, &binding.forward_passes, Direction::Forward);
        dispatch(encoder, &self.split, &binding.split, 0, self.split_grid);
    }

    pub(super) fn inverse_in_place(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        binding: &InPlaceBinding,
    ) {
        self.merge(encoder, &binding.merge);
        self.half
            .record_routed(encoder, &binding.inverse_passes, Direction::Inverse);
        if binding.inverse_passes.is_empty() {
            encoder.copy_buffer_to_buffer(&self.work, 0, &binding.spectrum, 0, self.half_bytes());
        }
    }

    /// Dispatches (and copies) of one in-place transform, either direction: the half-length
    /// passes (a copy when the half length is 1) and the split or merge.
    pub(super) fn dispatch_count(&self) -> usize {
        self.half.pass_count().max(1) + 1
    }

    pub(super) fn device_bytes(&self) -> u64 {
        self.work.size() + self.twiddles.size() + self.params.size() + self.half.device_bytes()
    }

    pub(super) fn estimate_bytes(
        outer: &[usize],
        n: usize,
        lengths: Lengths,
    ) -> Result<u64, GpuError> {
        let h = n / 2;
        let twiddles = (h as u64 + 1) * COMPLEX_BYTES;
        Ok(estimate_row_fft_and_work(outer, h, lengths)? + twiddles + 2 * PARAMS_STRIDE)
    }
}
