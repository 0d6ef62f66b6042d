//! Host mirrors of the `Scene` and `Launch` structs of kernels/cuda/acoustic.cu, passed by
//! value to every kernel. Pointers are raw device addresses (`CUdeviceptr`). Fields are declared
//! in the same order as in the CUDA source; the sizes are handed to NVRTC as defines and
//! checked there with `static_assert` (NVRTC has no offsetof to check more).

use cudarc::driver::DeviceRepr;
use std::mem::size_of;

/// A coefficient: a device map, or (null map) one value everywhere.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct CoefArg {
    pub map: u64,
    pub value: f32,
    pub pad: u32,
}

/// A point source on the device.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SourceArg {
    pub index: u64,
    pub signal: u64,
    pub count: u32,
    pub per_point: u32,
    pub length: u32,
    pub mode: u32,
}

pub const SOURCE_DIRICHLET: u32 = 0;
pub const SOURCE_ADDITIVE: u32 = 1;
/// A source point left out: a later point of the same index overwrites it.
pub const SKIP_POINT: u32 = u32::MAX;

/// The run's constants: field and table addresses, coefficients, grid sizes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Scene {
    pub u: [u64; 3],
    pub rho: [u64; 3],
    pub pml: [u64; 3],
    pub pml_staggered: [u64; 3],
    pub wavenumber: [u64; 3],
    pub derivative_forward: [u64; 3],
    pub derivative_backward: [u64; 3],
    pub sensors: u64,
    pub samples: u64,
    pub cw: u64,
    pub kept: u64,
    pub p_max: u64,
    pub p_min: u64,
    pub u_max: [u64; 3],
    pub u_min: [u64; 3],
    pub magnitude: u64,
    pub dt_over_rho_staggered: [CoefArg; 3],
    pub dt_rho0: CoefArg,
    pub c0_squared: CoefArg,
    pub nonlinearity: CoefArg,
    pub tau: CoefArg,
    pub eta: CoefArg,
    pub absorption_rho0: CoefArg,
    pub stokes: CoefArg,
    pub nx: u32,
    pub ny: u32,
    pub nz: u32,
    pub nxh: u32,
    pub pitch: u32,
    pub ndim: u32,
    pub points: u32,
    pub spectrum: u32,
    pub sensor_count: u32,
    pub channels: u32,
    pub nonlinear: u32,
    pub absorbing: u32,
    pub has_stokes: u32,
    pub pad0: u32,
    pub dt: f32,
    pub half_c_ref_dt: f32,
    pub norm: f32,
    pub power_minus_2: f32,
    pub power_minus_1: f32,
    pub pad1: f32,
}

/// Phases of the velocity and density kernels: a point source is applied between the field
/// update and the rest, as the CPU does.
pub const PHASE_ALL: u32 = 0;
pub const PHASE_UPDATE: u32 = 1;
pub const PHASE_FINISH: u32 = 2;

/// The arguments of one kernel call: buffers (real views of spectral buffers or dense
/// fields), the step, the sample row and flags.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Launch {
    pub w_re: f64,
    pub w_im: f64,
    pub input: [u64; 6],
    pub output: [u64; 3],
    pub source: SourceArg,
    pub step: u32,
    pub filled: u32,
    pub phase: u32,
    pub keep: u32,
    pub extremes: u32,
    pub count: u32,
}

// SAFETY: plain #[repr(C)] data of integers and floats, laid out as the CUDA structs (checked
// by the static_asserts NVRTC compiles).
unsafe impl DeviceRepr for Scene {}
unsafe impl DeviceRepr for Launch {}

/// The `-D` defines the CUDA source checks its struct layouts against.
pub fn layout_defines() -> Vec<String> {
    [
        ("COEF_BYTES", size_of::<CoefArg>()),
        ("SOURCE_BYTES", size_of::<SourceArg>()),
        ("SCENE_BYTES", size_of::<Scene>()),
        ("LAUNCH_BYTES", size_of::<Launch>()),
    ]
    .iter()
    .map(|(name, value)| format!("-D{name}={value}"))
    .collect()
}
