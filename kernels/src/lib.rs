//! Compute backends for ferrowave.
//!
//! `setup` is the vocabulary every backend understands: the plain-data description of an
//! acoustic run (grid, coefficients, PML profiles, sources, sensors) that the solver's plan
//! hands over, and the catalogue of spectral operators and fused updates the time loop calls.
//! `cpu` executes that catalogue with rustfft/realfft and rayon. `fft` is the FFT layer of the
//! other grid solvers (periodic real FFTs, Neumann cosine series). `wgpu` (feature `wgpu`) holds the
//! WGSL compute shaders, starting with our own mixed-radix FFT.

pub mod catalogue;
pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod device;
pub mod fft;
pub mod kspace;
pub mod pass_tuning;
pub mod setup;
pub mod step_form;
#[cfg(feature = "wgpu")]
pub mod wgpu;

pub use catalogue::{
    AcousticBackend, AcousticState, AxisPass, MixedDomainBackend, Samples, Spec, SpectralOp,
    Update, WholeGrid,
};
pub use device::{DeviceDescription, DeviceError, DeviceKind};
pub use pass_tuning::{PassShape, PassTuning};
pub use setup::{AcousticSetup, Coef, Extremes, PointSource, SourceInjection};
pub use step_form::StepForm;
