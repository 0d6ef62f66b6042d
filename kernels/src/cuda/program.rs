//! The CUDA C kernels: compiled with NVRTC for the device's architecture, loaded once, and
//! launched on the backend's stream (acoustic.cu's with the run's `Scene` and the call's
//! `Launch`; the mixed-domain kernels with their own argument structs).

use super::driver::failed;
use super::params::{layout_defines, Launch, Scene};
use crate::device::DeviceError;
use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaStream, DeviceRepr, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::result as nvrtc;
use cudarc::nvrtc::sys as nvrtc_sys;
use cudarc::nvrtc::Ptx;
use std::ffi::{CStr, CString};
use std::sync::Arc;

pub const SOURCE: &str = include_str!("../../cuda/acoustic.cu");

/// Threads per block of every kernel.
const BLOCK: u32 = 256;

/// What NVRTC compiles the kernels to.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// Native code (CUBIN) for compute capability major.minor: no JIT at load, and it runs on
    /// drivers older than NVRTC (PTX from a newer NVRTC would not load there).
    Native(i32, i32),
    /// PTX for a virtual architecture ("compute_90"), JIT-compiled by the driver: the fallback
    /// when NVRTC does not know the device's architecture.
    Virtual(&'static str),
}

fn options(target: Target, defines: &[String]) -> Vec<String> {
    let arch = match target {
        Target::Native(major, minor) => format!("sm_{major}{minor}"),
        Target::Virtual(name) => name.to_string(),
    };
    // Separate multiplies and adds, as the CPU reference computes them.
    let mut options = vec![
        "--fmad=false".to_string(),
        format!("--gpu-architecture={arch}"),
    ];
    options.extend(layout_defines());
    options.extend_from_slice(defines);
    options
}

/// Compiles acoustic.cu for `target`: the module image the driver loads.
pub fn compile(target: Target) -> Result<Ptx, String> {
    compile_source(SOURCE, "acoustic.cu", target, &[])
}

/// Compiles CUDA C `source` (named `name` in messages) for `target` with extra `-D` options.
pub fn compile_source(
    source: &str,
    name: &str,
    target: Target,
    defines: &[String],
) -> Result<Ptx, String> {
    let source = CString::new(source).expect("the CUDA source has no NUL");
    let name = CString::new(name).expect("no NUL");
    let program = nvrtc::create_program(&source, Some(&name)).map_err(|e| e.to_string())?;
    // SAFETY: `program` is live until destroyed below; the buffers are sized by NVRTC.
    let image = unsafe {
        let image = compile_program(program, target, defines);
        let _ = nvrtc::destroy_program(program);
        image
    }?;
    Ok(match target {
        Target::Native(..) => Ptx::from_binary(image),
        Target::Virtual(_) => {
            let text = CStr::from_bytes_until_nul(&image).map_err(|e| e.to_string())?;
            Ptx::from_src(text.to_string_lossy())
        }
    })
}

/// # Safety
/// `program` must be a live NVRTC program.
unsafe fn compile_program(
    program: nvrtc_sys::nvrtcProgram,
    target: Target,
    defines: &[String],
) -> Result<Vec<u8>, String> {
    if let Err(e) = nvrtc::compile_program(program, &options(target, defines)) {
        let log = nvrtc::get_program_log(program)
            .map(|log| {
                let bytes: Vec<u8> = log.iter().map(|&c| c as u8).collect();
                String::from_utf8_lossy(&bytes)
                    .trim_end_matches('\0')
                    .to_string()
            })
            .unwrap_or_default();
        return Err(format!("{e:?} ({target:?}): {log}"));
    }
    let mut size = 0usize;
    let mut image;
    match target {
        Target::Native(..) => {
            nvrtc_sys::nvrtcGetCUBINSize(program, &mut size)
                .result()
                .map_err(|e| format!("{e:?}"))?;
            image = vec![0u8; size];
            nvrtc_sys::nvrtcGetCUBIN(program, image.as_mut_ptr() as *mut _)
                .result()
                .map_err(|e| format!("{e:?}"))?;
        }
        Target::Virtual(_) => {
            nvrtc_sys::nvrtcGetPTXSize(program, &mut size)
                .result()
                .map_err(|e| format!("{e:?}"))?;
            image = vec![0u8; size];
            nvrtc_sys::nvrtcGetPTX(program, image.as_mut_ptr() as *mut _)
                .result()
                .map_err(|e| format!("{e:?}"))?;
        }
    }
    Ok(image)
}

/// The PTX target when native code fails: the oldest architecture both CUDA 12 and 13 NVRTC
/// take, so that it runs on every device they support.
pub const FALLBACK_ARCH: &str = "compute_75";

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

/// Compiles `source` for the device of `ctx` and loads it: native code for the device; PTX
/// if this NVRTC does not know its architecture, or if the driver refuses the native image.
pub fn load_module(
    ctx: &Arc<CudaContext>,
    source: &str,
    name: &str,
    defines: &[String],
) -> Result<Arc<CudaModule>, DeviceError> {
    let (major, minor) = ctx
        .compute_capability()
        .map_err(|e| failed("compute capability", e))?;
    compile_source(source, name, Target::Native(major, minor), defines)
        .and_then(|image| ctx.load_module(image).map_err(|e| e.to_string()))
        .or_else(|native| {
            compile_source(source, name, Target::Virtual(FALLBACK_ARCH), defines)
                .and_then(|ptx| ctx.load_module(ptx).map_err(|e| e.to_string()))
                .map_err(|ptx| format!("as sm_{major}{minor}: {native}; as PTX: {ptx}"))
        })
        .map_err(|e| failed(&format!("compiling and loading {name}"), e))
}

/// Kernel `name` of `module`.
pub fn function(module: &Arc<CudaModule>, name: &str) -> Result<CudaFunction, DeviceError> {
    module
        .load_function(name)
        .map_err(|e| failed(&format!("kernel {name}"), e))
}

impl Kernels {
    pub fn load(ctx: &Arc<CudaContext>) -> Result<Self, DeviceError> {
        let module = load_module(ctx, SOURCE, "kernels/cuda/acoustic.cu", &[])?;
        let get = |name: &str| function(&module, name);
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

/// Launches `kernel` with `config`, its one argument `args` (a struct the kernel takes by
/// value).
///
/// # Safety
/// `args` must be laid out as the kernel's parameter, and every address in it must be a live
/// allocation sized for what the kernel touches.
pub unsafe fn launch_with<T: DeviceRepr>(
    stream: &CudaStream,
    kernel: &CudaFunction,
    config: LaunchConfig,
    args: &T,
) -> Result<(), DeviceError> {
    stream
        .launch_builder(kernel)
        .arg(args)
        .launch(config)
        .map(|_| ())
        .map_err(|e| failed("kernel launch", e))
}
