//! The CUDA C kernels: compiled with NVRTC for the device's architecture, loaded once, and
//! launched on the backend's stream with the run's `Scene` and the call's `Launch`.

use super::driver::failed;
use super::params::{layout_defines, Launch, Scene};
use crate::device::DeviceError;
use cudarc::driver::{CudaContext, CudaFunction, CudaStream, LaunchConfig, PushKernelArg};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions, Ptx};
use std::sync::Arc;

pub const SOURCE: &str = include_str!("../../cuda/acoustic.cu");

/// Threads per block of every kernel.
const BLOCK: u32 = 256;

/// NVRTC architecture names by compute capability (NVRTC wants a `&'static str`).
const ARCHITECTURES: [(i32, i32, &str); 10] = [
    (7, 0, "compute_70"),
    (7, 5, "compute_75"),
    (8, 0, "compute_80"),
    (8, 6, "compute_86"),
    (8, 7, "compute_87"),
    (8, 9, "compute_89"),
    (9, 0, "compute_90"),
    (10, 0, "compute_100"),
    (12, 0, "compute_120"),
    (12, 1, "compute_121"),
];

/// The NVRTC architecture for compute capability `major.minor`: the exact one if listed, else
/// the newest listed one not above it (PTX runs on later devices).
pub fn architecture(major: i32, minor: i32) -> Option<&'static str> {
    ARCHITECTURES
        .iter()
        .rev()
        .find(|(ma, mi, _)| (*ma, *mi) <= (major, minor))
        .map(|(_, _, name)| *name)
}

/// Compiles the kernels to PTX for `arch` (e.g. "compute_90").
pub fn compile(arch: Option<&'static str>) -> Result<Ptx, String> {
    let options = CompileOptions {
        // Separate multiplies and adds, as the CPU reference computes them.
        fmad: Some(false),
        arch,
        options: layout_defines(),
        name: Some("acoustic.cu".into()),
        ..Default::default()
    };
    compile_ptx_with_opts(SOURCE, options).map_err(|e| e.to_string())
}

/// Every kernel of acoustic.cu.
pub struct Kernels {
    pub initial_pressure: CudaFunction,
    pub initial_velocity: CudaFunction,
    pub velocity: CudaFunction,
    pub density: CudaFunction,
    pub absorbing_pressure: CudaFunction,
    pub point_source: CudaFunction,
    pub scatter_source: CudaFunction,
    pub sample_pressure: CudaFunction,
    pub end_step: CudaFunction,
    pub gradient_forward: CudaFunction,
    pub divergence_backward: CudaFunction,
    pub fractional_laplacians: CudaFunction,
    pub source_correction: CudaFunction,
    pub density_magnitude: CudaFunction,
    pub fill: CudaFunction,
}

impl Kernels {
    pub fn load(ctx: &Arc<CudaContext>) -> Result<Self, DeviceError> {
        let (major, minor) = ctx
            .compute_capability()
            .map_err(|e| failed("compute capability", e))?;
        let ptx = compile(architecture(major, minor))
            .map_err(|e| failed("NVRTC could not compile kernels/cuda/acoustic.cu", e))?;
        let module = ctx
            .load_module(ptx)
            .map_err(|e| failed("loading the compiled kernels", e))?;
        let get = |name: &str| {
            module
                .load_function(name)
                .map_err(|e| failed(&format!("kernel {name}"), e))
        };
        Ok(Self {
            initial_pressure: get("initial_pressure")?,
            initial_velocity: get("initial_velocity")?,
            velocity: get("velocity")?,
            density: get("density")?,
            absorbing_pressure: get("absorbing_pressure")?,
            point_source: get("point_source")?,
            scatter_source: get("scatter_source")?,
            sample_pressure: get("sample_pressure")?,
            end_step: get("end_step")?,
            gradient_forward: get("gradient_forward")?,
            divergence_backward: get("divergence_backward")?,
            fractional_laplacians: get("fractional_laplacians")?,
            source_correction: get("source_correction")?,
            density_magnitude: get("density_magnitude")?,
            fill: get("fill")?,
        })
    }
}

/// Launches `kernel` with one thread per item (`items` > 0) on `stream`.
pub fn launch(
    stream: &CudaStream,
    kernel: &CudaFunction,
    items: usize,
    scene: &Scene,
    args: &Launch,
) -> Result<(), DeviceError> {
    let blocks = (items as u64).div_ceil(BLOCK as u64) as u32;
    launch_blocks(stream, kernel, blocks, scene, args)
}

/// Launches `kernel` on `blocks` blocks of `BLOCK` threads.
pub fn launch_blocks(
    stream: &CudaStream,
    kernel: &CudaFunction,
    blocks: u32,
    scene: &Scene,
    args: &Launch,
) -> Result<(), DeviceError> {
    let config = LaunchConfig {
        grid_dim: (blocks.max(1), 1, 1),
        block_dim: (BLOCK, 1, 1),
        shared_mem_bytes: 0,
    };
    // SAFETY: every kernel of acoustic.cu takes (Scene, Launch) by value, and the addresses
    // in them are live allocations of the backend sized for the grid.
    unsafe {
        stream
            .launch_builder(kernel)
            .arg(scene)
            .arg(args)
            .launch(config)
    }
    .map(|_| ())
    .map_err(|e| failed("kernel launch", e))
}
