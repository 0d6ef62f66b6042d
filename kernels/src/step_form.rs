//! The two forms of the acoustic time step, and which one a setup runs in on each device.
//!
//! - `Split`: the catalogue sequence of the solver's `step.rs` (k-Wave's ten 3D transforms
//!   per lossless step): any medium, source and record, on every backend.
//! - `MixedDomain`: homogeneous linear media (lossless or absorbing) whose only time-varying
//!   source is an additive pressure source, with no velocity record: one pass of 1D
//!   transforms per axis (`cpu::mixed`, and the GPU backends' mixed-domain steppers).

use crate::device::{self, DeviceKind};
use crate::setup::AcousticSetup;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepForm {
    Split,
    MixedDomain,
}

/// Why `setup` runs in the split form on `device`, or None when the mixed-domain form
/// applies: the medium, sources and records first, then the backend's own limits.
pub fn split_reason(setup: &AcousticSetup, device: DeviceKind) -> Option<String> {
    if let Some(reason) = crate::cpu::mixed::unsupported_reason(setup) {
        return Some(reason.into());
    }
    match device {
        DeviceKind::Cpu => None,
        gpu => device::gpu_mixed_domain_unsupported(gpu, setup),
    }
}

impl StepForm {
    /// The form `device` runs `setup` in: the mixed domain wherever it applies.
    pub fn for_setup(setup: &AcousticSetup, device: DeviceKind) -> Self {
        match split_reason(setup, device) {
            None => StepForm::MixedDomain,
            Some(_) => StepForm::Split,
        }
    }

    /// What `ferrowave check` and `run` say about the form chosen for `setup` on `device`.
    pub fn describe(self, setup: &AcousticSetup, device: DeviceKind) -> String {
        match (self, split_reason(setup, device)) {
            (StepForm::MixedDomain, _) => "mixed-domain (homogeneous, linear)".into(),
            (StepForm::Split, Some(reason)) => format!("split ({reason})"),
            (StepForm::Split, None) => "split (asked for)".into(),
        }
    }
}
