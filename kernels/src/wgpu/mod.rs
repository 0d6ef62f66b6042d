//! WGSL compute backend on wgpu: device selection, our own mixed-radix FFT (complex, and
//! real-to-complex along the contiguous axis) and the acoustic stepper built on them.
//!
//! Runs on any adapter wgpu finds (Vulkan, Metal, DX12), including Mesa's software Vulkan
//! (lavapipe) on machines without a GPU. A missing device is an error value, never a panic.

mod acoustic;
mod device;
mod fft;
mod mixed;
mod real;

pub use acoustic::{estimate_device_bytes, WgpuAcoustic};
pub use device::WgpuContext;
pub use fft::{Direction, FftBinding, GpuFft, Lengths, MAX_GENERIC_RADIX};
pub use mixed::{estimate_mixed_domain_bytes, mixed_domain_unsupported, MixedDomainWgpu};
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

/// The adapters wgpu finds, for `--device wgpu` listings (wgpu reports no memory sizes).
pub fn devices() -> Result<Vec<crate::device::DeviceDescription>, crate::device::DeviceError> {
    let found = WgpuContext::available_adapters();
    if found.is_empty() {
        return Err(crate::device::DeviceError::Unavailable {
            device: crate::device::DeviceKind::Wgpu,
            reason: "no GPU adapter found (wgpu: Vulkan/Metal/DX12); on Linux without a GPU \
                     install mesa-vulkan-drivers for lavapipe"
                .into(),
        });
    }
    Ok(found
        .into_iter()
        .map(|name| crate::device::DeviceDescription {
            kind: crate::device::DeviceKind::Wgpu,
            name,
            memory_bytes: None,
            free_bytes: None,
        })
        .collect())
}
