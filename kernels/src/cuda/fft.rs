//! cuFFT plans: one in-place R2C and one in-place C2R over the whole grid, made once, on the
//! backend's stream, sharing one work area the backend allocates.
//!
//! The real view of a spectral buffer has rows of 2 (nx/2 + 1) floats (cuFFT's padded
//! in-place layout), stated explicitly through the embed arguments.

use super::driver::failed;
use crate::device::{DeviceError, DeviceKind};
use cudarc::cufft::{result, sys};
use cudarc::driver::CudaStream;
use std::ffi::c_int;

pub struct GridFft {
    forward: sys::cufftHandle,
    inverse: sys::cufftHandle,
    /// Bytes of work area the two plans need (one area serves both: they never overlap).
    pub work_bytes: usize,
}

/// Transform sizes, slowest axis first as cuFFT wants them.
fn dimensions(shape: [usize; 3], ndim: usize) -> Vec<c_int> {
    shape[..ndim].iter().rev().map(|&n| n as c_int).collect()
}

fn make_plan(
    shape: [usize; 3],
    ndim: usize,
    kind: sys::cufftType,
    stream: &CudaStream,
) -> Result<(sys::cufftHandle, usize), DeviceError> {
    let mut n = dimensions(shape, ndim);
    let nxh = shape[0] / 2 + 1;
    let mut real = n.clone();
    let mut complex = n.clone();
    *real.last_mut().expect("ndim >= 1") = (2 * nxh) as c_int;
    *complex.last_mut().expect("ndim >= 1") = nxh as c_int;
    let real_dist = real.iter().product::<c_int>();
    let complex_dist = complex.iter().product::<c_int>();
    let (mut inembed, idist, mut onembed, odist) = if kind == sys::cufftType::CUFFT_R2C {
        (real, real_dist, complex, complex_dist)
    } else {
        (complex, complex_dist, real, real_dist)
    };
    let description = format!("{kind:?} transform of {n:?}");
    let unsupported = |e: result::CufftError| DeviceError::Unsupported {
        device: DeviceKind::Cuda,
        reason: format!("cuFFT cannot plan a {description}: {e}"),
    };
    let plan = result::create().map_err(|e| failed("cuFFT plan creation", e))?;
    // SAFETY: `plan` was just created; the size arrays live across the calls.
    let work = unsafe {
        result::set_auto_allocation(plan, false).map_err(|e| failed("cuFFT setup", e))?;
        let work = result::make_plan_many(
            plan,
            ndim as c_int,
            n.as_mut_ptr(),
            inembed.as_mut_ptr(),
            1,
            idist,
            onembed.as_mut_ptr(),
            1,
            odist,
            kind,
            1,
        );
        match work {
            Ok(work) => work,
            Err(e) => {
                let _ = result::destroy(plan);
                return Err(unsupported(e));
            }
        }
    };
    // SAFETY: valid plan and stream of the current context.
    unsafe { result::set_stream(plan, stream.cu_stream() as _) }
        .map_err(|e| failed("cuFFT stream", e))?;
    Ok((plan, work))
}

impl GridFft {
    pub fn new(shape: [usize; 3], ndim: usize, stream: &CudaStream) -> Result<Self, DeviceError> {
        let (forward, forward_work) = make_plan(shape, ndim, sys::cufftType::CUFFT_R2C, stream)?;
        let (inverse, inverse_work) =
            match make_plan(shape, ndim, sys::cufftType::CUFFT_C2R, stream) {
                Ok(plan) => plan,
                Err(e) => {
                    // SAFETY: made above, not used since.
                    let _ = unsafe { result::destroy(forward) };
                    return Err(e);
                }
            };
        Ok(Self {
            forward,
            inverse,
            work_bytes: forward_work.max(inverse_work),
        })
    }

    /// Gives both plans the work area at `address` (at least `work_bytes`).
    pub fn set_work_area(&self, address: u64) -> Result<(), DeviceError> {
        for plan in [self.forward, self.inverse] {
            // SAFETY: the area outlives the plans (the backend drops the plans first).
            unsafe { result::set_work_area(plan, address as *mut _) }
                .map_err(|e| failed("cuFFT work area", e))?;
        }
        Ok(())
    }

    /// Real view -> half spectrum, in place at `buffer`.
    pub fn forward(&self, buffer: u64) -> Result<(), DeviceError> {
        // SAFETY: `buffer` holds a whole padded grid (a spectral buffer of the backend).
        unsafe { result::exec_r2c(self.forward, buffer as *mut _, buffer as *mut _) }
            .map_err(|e| failed("cuFFT forward transform", e))
    }

    /// Half spectrum -> real view, in place at `buffer`.
    pub fn inverse(&self, buffer: u64) -> Result<(), DeviceError> {
        // SAFETY: as in `forward`.
        unsafe { result::exec_c2r(self.inverse, buffer as *mut _, buffer as *mut _) }
            .map_err(|e| failed("cuFFT inverse transform", e))
    }
}

impl Drop for GridFft {
    fn drop(&mut self) {
        // SAFETY: plans made in `new`, destroyed once.
        unsafe {
            let _ = result::destroy(self.forward);
            let _ = result::destroy(self.inverse);
        }
    }
}
