//! Real rows of odd length n = 2h + 1, which cannot be read as complex rows of n/2: each row
//! is widened to complex, transformed whole, and its bins 0..=h kept (real.wgsl
//! `widen_rows`, `keep_half_spectrum`); the inverse extends the half spectrum by Hermitian
//! symmetry, transforms it back and keeps the real parts (`extend_hermitian`,
//! `narrow_rows`). Twice the arithmetic and traffic of the even path; it lets grids whose
//! every x length is odd run at all.

use wgpu::util::DeviceExt;

use super::{bind_group, dispatch, estimate_row_fft_and_work, pipelines, row_fft, Bindings};
use crate::wgpu::fft::{check, workgroups, Lengths, COMPLEX_BYTES, PARAMS_STRIDE, WORKGROUP};
use crate::wgpu::{FftBinding, GpuError, GpuFft, WgpuContext};

pub(super) struct WidenedRows {
    context: WgpuContext,
    rows: usize,
    n: usize,
    /// The whole rows, as complex, along the last axis.
    full: GpuFft,
    layout: wgpu::BindGroupLayout,
    widen: wgpu::ComputePipeline,
    keep_half: wgpu::ComputePipeline,
    extend: wgpu::ComputePipeline,
    narrow: wgpu::ComputePipeline,
    /// Bound as the table the layout requires; these kernels read none.
    no_table: wgpu::Buffer,
    /// One parameter set: every kernel runs on one grid covering the rows x n invocations.
    params: wgpu::Buffer,
    /// The complex rows (rows x n).
    work: wgpu::Buffer,
    grid: [u32; 2],
}

/// Transforms between a real array (the first rows x n floats of a buffer, which may be the
/// spectrum buffer itself) and a spectrum buffer.
pub(super) struct Binding {
    work: FftBinding,
    widen: wgpu::BindGroup,
    keep_half: wgpu::BindGroup,
    extend: wgpu::BindGroup,
    narrow: wgpu::BindGroup,
}

impl WidenedRows {
    pub(super) fn new(
        context: &WgpuContext,
        outer: &[usize],
        n: usize,
        lengths: Lengths,
    ) -> Result<Self, GpuError> {
        let full = row_fft(context, outer, n, lengths)?;
        let device = context.device();
        let rows: usize = outer.iter().product();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let (layout, [widen, keep_half, extend, narrow]) = pipelines(
            device,
            [
                "widen_rows",
                "keep_half_spectrum",
                "extend_hermitian",
                "narrow_rows",
            ],
        );
        let grid = workgroups((rows * n) as u32, &device.limits());
        let mut params = vec![0u32; PARAMS_STRIDE as usize / 4];
        params[..3].copy_from_slice(&[(n / 2) as u32, rows as u32, grid[0] * WORKGROUP]);
        let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("real fft parameters"),
            contents: bytemuck::cast_slice(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let no_table = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("real fft (no table)"),
            size: COMPLEX_BYTES,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let work = full.create_buffer("real fft work");
        check(scope)?;
        Ok(Self {
            context: context.clone(),
            rows,
            n,
            full,
            layout,
            widen,
            keep_half,
            extend,
            narrow,
            no_table,
            params,
            work,
            grid,
        })
    }

    /// Binds the real array in `real` (which may be `spectrum`) and the half spectrum.
    pub(super) fn bind(
        &self,
        real: &wgpu::Buffer,
        spectrum: &wgpu::Buffer,
    ) -> Result<Binding, GpuError> {
        let real_bytes = (self.rows * self.n).div_ceil(2) as u64 * COMPLEX_BYTES;
        let work_bytes = (self.rows * self.n) as u64 * COMPLEX_BYTES;
        let spectrum_bytes = (self.rows * (self.n / 2 + 1)) as u64 * COMPLEX_BYTES;
        let group = |src, dst| {
            bind_group(
                self.context.device(),
                &self.layout,
                Bindings {
                    src,
                    dst,
                    table: &self.no_table,
                    params: &self.params,
                },
            )
        };
        let work = &self.work;
        Ok(Binding {
            work: self.full.bind(work)?,
            widen: group((real, real_bytes), (work, work_bytes)),
            keep_half: group((work, work_bytes), (spectrum, spectrum_bytes)),
            extend: group((spectrum, spectrum_bytes), (work, work_bytes)),
            narrow: group((work, work_bytes), (real, real_bytes)),
        })
    }

    pub(super) fn forward(&self, encoder: &mut wgpu::CommandEncoder, binding: &Binding) {
        dispatch(encoder, &self.widen, &binding.widen, 0, self.grid);
        self.full.forward(encoder, &binding.work);
        dispatch(encoder, &self.keep_half, &binding.keep_half, 0, self.grid);
    }

    pub(super) fn inverse(&self, encoder: &mut wgpu::CommandEncoder, binding: &Binding) {
        dispatch(encoder, &self.extend, &binding.extend, 0, self.grid);
        self.full.inverse(encoder, &binding.work);
        dispatch(encoder, &self.narrow, &binding.narrow, 0, self.grid);
    }

    /// Dispatches (and copies) of one transform, either direction.
    pub(super) fn dispatch_count(&self) -> usize {
        self.full.dispatch_count() + 2
    }

    pub(super) fn device_bytes(&self) -> u64 {
        self.work.size() + self.no_table.size() + self.params.size() + self.full.device_bytes()
    }

    pub(super) fn estimate_bytes(
        outer: &[usize],
        n: usize,
        lengths: Lengths,
    ) -> Result<u64, GpuError> {
        // The work rows and their FFT, the placeholder table and one parameter set.
        Ok(estimate_row_fft_and_work(outer, n, lengths)? + COMPLEX_BYTES + PARAMS_STRIDE)
    }
}
