//! CUDA backend of the acoustic catalogue: cudarc (driver API, loaded at run time), kernels in
//! CUDA C (kernels/cuda/acoustic.cu) compiled with NVRTC, transforms with cuFFT.
//!
//! Spectral buffers hold whole half spectra, transformed in place; `spectral` is one kernel per
//! operator that computes its k-space factors from per-axis tables; `fused` is C2R of its
//! inputs, one point-wise kernel, R2C of its outputs. Fields live on the device for the whole
//! run; sensor samples collect in a device block read back every `sample_capacity` steps.
//! Launch and transform errors of the time loop (whose calls return nothing) are kept and
//! returned by the next read-back.
//!
//! Cost of a lossless 3D step (N points, one pass = one field or half spectrum, ~4 B/point):
//! 10 FFTs (C2R x3 grad p, R2C x3 u, C2R x3 div u, R2C p) and 32 point-wise passes
//! (gradient 1 + 3, velocity 4 per axis, divergence 3 + 3, density 3 + 3 + 3 + 1).
//! Memory: u_i and rho_i (24 B/point), ndim half spectra (8 (nx/2+1)/nx B/point each),
//! cuFFT's work area, coefficient maps (4 B/point each, none when uniform), small tables.
//!
//! `MixedDomainCuda` (mixed/) runs the mixed-domain form of the step for homogeneous linear
//! media: one shared-memory kernel per axis pass (kernels/cuda/mixed.cu).

mod backend;
mod deferred;
mod driver;
mod fft;
mod memory;
mod mixed;
mod params;
mod program;

pub use backend::CudaAcoustic;
pub use driver::devices;
pub use memory::estimate_device_bytes;
pub use mixed::{
    compile_mixed_kernels, estimate_mixed_domain_bytes, mixed_domain_unsupported, LineFft,
    MixedDomainCuda,
};

/// Compiles kernels/cuda/acoustic.cu with NVRTC without a device, for tests and diagnostics:
/// to native code for compute capability `major.minor` and to PTX. `Unavailable` when libnvrtc
/// is missing.
pub fn compile_kernels(major: i32, minor: i32) -> Result<(), crate::device::DeviceError> {
    // SAFETY: only attempts to dlopen the library by name.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Err(driver::unavailable(
            "the NVRTC library (libnvrtc.so) was not found",
        ));
    }
    program::compile(program::Target::Native(major, minor))
        .and(program::compile(program::Target::Virtual(
            program::FALLBACK_ARCH,
        )))
        .map(|_| ())
        .map_err(|e| driver::failed("NVRTC could not compile kernels/cuda/acoustic.cu", e))
}
