//! Validation of ferrowave's solvers against exact solutions.
//!
//! - [`analytic`]: free-space solutions of the wave equation (1D, 2D, 3D), interface
//!   coefficients, the dispersion relation of k-Wave's power-law absorption model.
//! - [`metrics`]: relative errors, energy ratios, spectra and transfer functions.
//! - [`setup`]: small helpers that build solver inputs for the validation cases.
//!
//! The cases themselves are the integration tests in `validation/tests/`; docs/validation.md
//! lists them with their tolerances and the errors measured.

pub mod analytic;
pub mod metrics;
pub mod setup;
