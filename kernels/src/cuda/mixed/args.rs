//! Host mirrors of the `PassArgs` and `StepArgs` structs of kernels/cuda/mixed.cu, passed by
//! value to the mixed-domain kernels; field for field in the CUDA order, their sizes handed
//! to NVRTC as defines and checked there with `static_assert`.

use cudarc::driver::DeviceRepr;
use std::mem::size_of;

/// The arguments of one axis pass.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct PassArgs {
    pub spectrum: u64,
    pub next: u64,
    pub u: u64,
    pub rho: u64,
    pub divergence: u64,
    pub source: u64,
    /// k^2 per axis over the whole axis, for kappa = sinc(c_ref dt |k| / 2).
    pub k_squared: [u64; 3],
    pub gradient: u64,
    pub divergence_factor: u64,
    pub pml: u64,
    pub pml_staggered: u64,
    pub twiddles: u64,
    pub radices: u64,
    pub nx: u32,
    pub ny: u32,
    pub nz: u32,
    pub nxh: u32,
    pub len: u32,
    pub tile: u32,
    pub lines: u32,
    pub initial: u32,
    pub dt_over_rho: f32,
    pub dt_rho0: f32,
    pub c0_squared: f32,
    pub inverse_scale: f32,
    pub rho_scale: f32,
    pub half_dt_over_rho: f32,
    pub axis_points: f32,
    pub half_c_ref_dt: f32,
}

/// The arguments of the kernels of `form_pressure` and of the source transform.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct StepArgs {
    pub data: [u64; 2],
    pub pairs: u64,
    pub spectrum: u64,
    pub divergence: u64,
    pub table: [u64; 2],
    pub phase: [u64; 3],
    pub sums: u64,
    pub samples: u64,
    pub grid: u64,
    pub kept: u64,
    pub p_max: u64,
    pub p_min: u64,
    pub count: u32,
    pub sensor_count: u32,
    pub filled: u32,
    pub power_law: u32,
    pub nx: u32,
    pub ny: u32,
    pub nxh: u32,
    pub pitch: u32,
    pub keep: u32,
    pub extremes: u32,
    pub eta: f32,
    pub tau_term: f32,
    pub norm: f32,
    pub pad: f32,
}

/// The arguments of `line_fft_lines`, the line FFT on its own (40 bytes, as mixed.cu asserts).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct LineFftArgs {
    pub lines: u64,
    pub twiddles: u64,
    pub radices: u64,
    pub len: u32,
    pub tile: u32,
    pub count: u32,
    pub dir: f32,
}

const _: () = assert!(size_of::<LineFftArgs>() == 40);

// SAFETY: plain #[repr(C)] data of integers and floats, laid out as the CUDA structs (checked
// by the static_asserts NVRTC compiles).
unsafe impl DeviceRepr for PassArgs {}
unsafe impl DeviceRepr for StepArgs {}
unsafe impl DeviceRepr for LineFftArgs {}

/// The `-D` defines mixed.cu checks its struct layouts against.
pub fn layout_defines() -> Vec<String> {
    vec![
        format!("-DPASS_ARGS_BYTES={}", size_of::<PassArgs>()),
        format!("-DSTEP_ARGS_BYTES={}", size_of::<StepArgs>()),
    ]
}
