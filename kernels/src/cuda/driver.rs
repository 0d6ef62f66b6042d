//! Finding CUDA at run time: the driver, NVRTC and cuFFT libraries are loaded on first use by
//! cudarc, which panics when one is missing, so each is probed first and its absence becomes
//! `DeviceError::Unavailable`.

use crate::device::{DeviceDescription, DeviceError, DeviceKind};
use cudarc::driver::{CudaContext, DriverError};
use std::sync::Arc;

pub fn unavailable(reason: impl Into<String>) -> DeviceError {
    DeviceError::Unavailable {
        device: DeviceKind::Cuda,
        reason: reason.into(),
    }
}

pub fn failed(what: &str, error: impl std::fmt::Display) -> DeviceError {
    DeviceError::failed(DeviceKind::Cuda, format!("{what}: {error}"))
}

/// Checks that the CUDA libraries cudarc loads can be found (driver only, or all three).
pub fn probe_libraries(with_compute: bool) -> Result<(), DeviceError> {
    // SAFETY: only attempts to dlopen the libraries by name.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err(unavailable(
            "the NVIDIA driver library (libcuda.so) was not found; install the NVIDIA driver",
        ));
    }
    if with_compute {
        // SAFETY: as above.
        if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
            return Err(unavailable(
                "the NVRTC library (libnvrtc.so, CUDA 12) was not found; install the CUDA \
                 toolkit or the nvidia-cuda-nvrtc-cu12 package and add its lib directory to \
                 LD_LIBRARY_PATH",
            ));
        }
        // SAFETY: as above.
        if !unsafe { cudarc::cufft::sys::is_culib_present() } {
            return Err(unavailable(
                "the cuFFT library (libcufft.so, CUDA 12) was not found; install the CUDA \
                 toolkit or the nvidia-cufft-cu12 package and add its lib directory to \
                 LD_LIBRARY_PATH",
            ));
        }
    }
    Ok(())
}

/// The number of CUDA devices; none is `Unavailable`.
fn device_count() -> Result<usize, DeviceError> {
    let count = CudaContext::device_count().map_err(|e| match e {
        DriverError(cudarc::driver::sys::CUresult::CUDA_ERROR_NO_DEVICE) => {
            unavailable("the NVIDIA driver reports no CUDA device")
        }
        other => unavailable(format!("the NVIDIA driver failed to initialise: {other}")),
    })?;
    if count <= 0 {
        return Err(unavailable("the NVIDIA driver reports no CUDA device"));
    }
    Ok(count as usize)
}

/// Name and (free, total) memory of an open device.
pub fn describe(ctx: &Arc<CudaContext>) -> Result<(String, u64, u64), DeviceError> {
    let name = ctx.name().map_err(|e| failed("device name", e))?;
    let (free, total) = ctx
        .mem_get_info()
        .map_err(|e| failed("device memory query", e))?;
    Ok((name, free as u64, total as u64))
}

/// The CUDA devices of this machine.
pub fn devices() -> Result<Vec<DeviceDescription>, DeviceError> {
    probe_libraries(false)?;
    (0..device_count()?)
        .map(|ordinal| {
            let ctx = CudaContext::new(ordinal)
                .map_err(|e| unavailable(format!("CUDA device {ordinal} cannot be opened: {e}")))?;
            let (name, free, total) = describe(&ctx)?;
            Ok(DeviceDescription {
                kind: DeviceKind::Cuda,
                name,
                memory_bytes: Some(total),
                free_bytes: Some(free),
            })
        })
        .collect()
}

/// Opens device 0 with every library the stepper needs.
pub fn open_first_device() -> Result<Arc<CudaContext>, DeviceError> {
    probe_libraries(true)?;
    device_count()?;
    let ctx = CudaContext::new(0)
        .map_err(|e| unavailable(format!("CUDA device 0 cannot be opened: {e}")))?;
    // One stream, every operation in order on it: cudarc's cross-stream event tracking is
    // not needed.
    // SAFETY: nothing has been allocated on this context by this backend yet, and all its
    // work runs on one stream.
    unsafe { ctx.disable_event_tracking() };
    Ok(ctx)
}
