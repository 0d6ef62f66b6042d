//! Sub-normal floats in the CPU stepper's threads.
//!
//! Wave tails decayed by the PML, and the far field before a wave arrives, pass through
//! sub-normal f32 values (below 1.2e-38), which x86 processors handle in microcode, about a
//! hundred times slower per operation. A long run then slows down step by step. Flushing them
//! to zero (as GPUs do for f32 by default) changes no value above 1.2e-38.

/// Flushes sub-normal results and inputs to zero on the calling thread (x86: the FTZ and DAZ
/// bits of MXCSR). Call it at the start of every worker thread of the stepper's pool.
pub fn flush_subnormals_to_zero() {
    #[cfg(target_arch = "x86_64")]
    {
        const FLUSH_TO_ZERO: u32 = 1 << 15;
        const DENORMALS_ARE_ZERO: u32 = 1 << 6;
        // SAFETY: MXCSR only changes how this thread rounds sub-normal floats.
        #[allow(deprecated)]
        unsafe {
            use std::arch::x86_64::{_mm_getcsr, _mm_setcsr};
            _mm_setcsr(_mm_getcsr() | FLUSH_TO_ZERO | DENORMALS_ARE_ZERO);
        }
    }
}
