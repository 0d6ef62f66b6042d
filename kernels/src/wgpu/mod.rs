//! WGSL compute backend on wgpu: device selection and our own mixed-radix FFT (complex, and
//! real-to-complex along the contiguous axis).
//!
//! Runs on any adapter wgpu finds (Vulkan, Metal, DX12), including Mesa's software Vulkan
//! (lavapipe) on machines without a GPU. A missing device is an error value, never a panic.

mod device;
mod fft;
mod real;

pub use device::WgpuContext;
pub use fft::{Direction, FftBinding, GpuFft};
pub use real::{GpuRealFft, RealFftBinding};

use std::fmt;

/// Why GPU work could not be set up or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuError {
    /// No usable adapter; the message says what to install or set.
    NoAdapter(String),
    /// The device could not be opened, or rejected or lost work.
    Device(String),
    /// An FFT axis length with a prime factor other than 2, 3, 5 or 7.
    UnsupportedSize(usize),
    /// An array shape or buffer that does not fit the plan or the device.
    Shape(String),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoAdapter(message) | Self::Device(message) | Self::Shape(message) => {
                f.write_str(message)
            }
            Self::UnsupportedSize(n) => write!(
                f,
                "FFT length {n} is not supported: the WGSL FFT takes lengths whose prime factors \
                 are 2, 3, 5 and 7"
            ),
        }
    }
}

impl std::error::Error for GpuError {}
