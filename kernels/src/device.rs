//! Which backend runs a simulation, and why one cannot.
//!
//! The CPU is always there. CUDA (feature `cuda`) and WGSL (feature `wgpu`) are compiled in
//! on request and found at run time; a missing driver or adapter is an error value that says
//! what is missing, never a panic.

use std::fmt;

/// A compute backend for the acoustic solver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Cpu,
    Cuda,
    Wgpu,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 3] = [DeviceKind::Cpu, DeviceKind::Cuda, DeviceKind::Wgpu];

    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Cpu => "cpu",
            DeviceKind::Cuda => "cuda",
            DeviceKind::Wgpu => "wgpu",
        }
    }

    /// Whether this build includes the backend (the cargo feature of the same name).
    pub fn compiled_in(self) -> bool {
        match self {
            DeviceKind::Cpu => true,
            DeviceKind::Cuda => cfg!(feature = "cuda"),
            DeviceKind::Wgpu => cfg!(feature = "wgpu"),
        }
    }
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DeviceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(DeviceKind::Cpu),
            "cuda" => Ok(DeviceKind::Cuda),
            "wgpu" | "wgsl" => Ok(DeviceKind::Wgpu),
            other => Err(format!("unknown device '{other}': use cpu, cuda or wgpu")),
        }
    }
}

/// Why a device cannot run, or stopped running, a simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceError {
    /// This build does not include the backend.
    NotBuilt(DeviceKind),
    /// The backend is built in but no usable device was found (no driver, no adapter).
    Unavailable { device: DeviceKind, reason: String },
    /// The run needs more device memory than the device has free.
    OutOfMemory {
        device: String,
        needed_bytes: u64,
        available_bytes: u64,
    },
    /// The device cannot run this setup (a grid size its FFT does not take, a buffer over its
    /// limits).
    Unsupported { device: DeviceKind, reason: String },
    /// A device call failed during the run.
    Failed { device: DeviceKind, reason: String },
}

impl DeviceError {
    pub fn failed(device: DeviceKind, reason: impl fmt::Display) -> Self {
        DeviceError::Failed {
            device,
            reason: reason.to_string(),
        }
    }
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::NotBuilt(kind) => write!(
                f,
                "this ferrowave was built without the {kind} backend: rebuild with \
                 `cargo build --release --features {kind}`"
            ),
            DeviceError::Unavailable { device, reason } => {
                write!(f, "no usable {device} device: {reason}")
            }
            DeviceError::OutOfMemory {
                device,
                needed_bytes,
                available_bytes,
            } => write!(
                f,
                "the run needs {:.1} MB of device memory but {device} has {:.1} MB free",
                megabytes(*needed_bytes),
                megabytes(*available_bytes)
            ),
            DeviceError::Unsupported { device, reason } => {
                write!(
                    f,
                    "the {device} backend cannot run this simulation: {reason}"
                )
            }
            DeviceError::Failed { device, reason } => write!(f, "{device} device error: {reason}"),
        }
    }
}

impl std::error::Error for DeviceError {}

/// One device a backend can run on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceDescription {
    pub kind: DeviceKind,
    pub name: String,
    /// Total device memory, when the driver reports it (wgpu does not).
    pub memory_bytes: Option<u64>,
    /// Free device memory now, when the driver reports it.
    pub free_bytes: Option<u64>,
}

/// The devices of a GPU `kind` on this machine; `NotBuilt` or `Unavailable` says why none.
pub fn list_gpus(kind: DeviceKind) -> Result<Vec<DeviceDescription>, DeviceError> {
    match kind {
        DeviceKind::Cpu => Err(DeviceError::Unsupported {
            device: kind,
            reason: "the CPU is not a GPU".into(),
        }),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => crate::cuda::devices(),
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => crate::wgpu::devices(),
        #[allow(unreachable_patterns)] // every arm above when both features are on
        other => Err(DeviceError::NotBuilt(other)),
    }
}

/// Device memory the acoustic backend of GPU `kind` would allocate for `setup`, without
/// touching a device (the CUDA context itself is not counted).
pub fn gpu_acoustic_bytes(
    kind: DeviceKind,
    setup: &crate::setup::AcousticSetup,
) -> Result<u64, DeviceError> {
    let _ = setup;
    match kind {
        DeviceKind::Cpu => Err(DeviceError::Unsupported {
            device: kind,
            reason: "the CPU is not a GPU".into(),
        }),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => Ok(crate::cuda::estimate_device_bytes(setup)),
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => Ok(crate::wgpu::estimate_device_bytes(setup)),
        #[allow(unreachable_patterns)]
        other => Err(DeviceError::NotBuilt(other)),
    }
}

/// Opens the acoustic backend of GPU `kind` for `setup`. It refuses, before allocating, a
/// run whose estimate exceeds the device's free memory.
pub fn open_gpu_acoustic(
    kind: DeviceKind,
    setup: crate::setup::AcousticSetup,
) -> Result<Box<dyn crate::AcousticBackend>, DeviceError> {
    match kind {
        DeviceKind::Cpu => {
            drop(setup);
            Err(DeviceError::Unsupported {
                device: kind,
                reason: "the CPU is not a GPU".into(),
            })
        }
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => Ok(Box::new(crate::cuda::CudaAcoustic::new(setup)?)),
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => Ok(Box::new(crate::wgpu::WgpuAcoustic::new(setup)?)),
        #[allow(unreachable_patterns)]
        other => {
            drop(setup);
            Err(DeviceError::NotBuilt(other))
        }
    }
}

/// Why GPU `kind` cannot run `setup` in the mixed-domain form (beyond the medium, sources
/// and records, which `step_form::split_reason` checks first), or None when it can.
pub fn gpu_mixed_domain_unsupported(
    kind: DeviceKind,
    setup: &crate::setup::AcousticSetup,
) -> Option<String> {
    let _ = setup;
    match kind {
        DeviceKind::Cpu => Some("the CPU is not a GPU".into()),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => crate::cuda::mixed_domain_unsupported(setup),
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => crate::wgpu::mixed_domain_unsupported(setup),
        #[allow(unreachable_patterns)]
        other if other.compiled_in() => {
            Some(format!("the {other} backend runs the split form only"))
        }
        #[allow(unreachable_patterns)]
        other => Some(format!("the {other} backend is not built in")),
    }
}

/// Device memory the mixed-domain stepper of GPU `kind` would allocate for `setup`.
pub fn gpu_mixed_domain_bytes(
    kind: DeviceKind,
    setup: &crate::setup::AcousticSetup,
) -> Result<u64, DeviceError> {
    match kind {
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => Ok(crate::cuda::estimate_mixed_domain_bytes(setup)),
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => Ok(crate::wgpu::estimate_mixed_domain_bytes(setup)),
        #[allow(unreachable_patterns)]
        other => Err(mixed_domain_refusal(other, setup)),
    }
}

/// Opens the mixed-domain stepper of GPU `kind` for `setup` (`step_form::split_reason` must
/// be None for it), its passes shaped by `tuning`. It refuses, before allocating, a run that
/// does not fit.
// Without a GPU backend built in, `tuning` has no pass to shape.
#[cfg_attr(not(any(feature = "cuda", feature = "wgpu")), allow(unused_variables))]
pub fn open_gpu_mixed_domain(
    kind: DeviceKind,
    setup: crate::setup::AcousticSetup,
    tuning: &crate::PassTuning,
) -> Result<Box<dyn crate::MixedDomainBackend>, DeviceError> {
    match kind {
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => Ok(Box::new(crate::cuda::MixedDomainCuda::with_tuning(
            setup, tuning,
        )?)),
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => Ok(Box::new(crate::wgpu::MixedDomainWgpu::with_tuning(
            setup, tuning,
        )?)),
        #[allow(unreachable_patterns)]
        other => Err(mixed_domain_refusal(other, &setup)),
    }
}

/// The refusal of a backend without a mixed-domain stepper for `setup`.
fn mixed_domain_refusal(kind: DeviceKind, setup: &crate::setup::AcousticSetup) -> DeviceError {
    if !kind.compiled_in() {
        return DeviceError::NotBuilt(kind);
    }
    DeviceError::Unsupported {
        device: kind,
        reason: gpu_mixed_domain_unsupported(kind, setup)
            .unwrap_or_else(|| "the mixed-domain form does not apply".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for kind in DeviceKind::ALL {
            assert_eq!(kind.name().parse::<DeviceKind>(), Ok(kind));
        }
        let err = "tpu".parse::<DeviceKind>().unwrap_err();
        assert!(err.contains("cpu, cuda or wgpu"), "{err}");
    }

    #[test]
    fn out_of_memory_states_both_numbers() {
        let e = DeviceError::OutOfMemory {
            device: "NVIDIA H100".into(),
            needed_bytes: 3_000_000_000,
            available_bytes: 1_500_000_000,
        };
        let text = e.to_string();
        assert!(
            text.contains("3000.0 MB") && text.contains("1500.0 MB"),
            "{text}"
        );
    }
}
