//! Physics solvers of ferrowave.
//!
//! `acoustic`: k-Wave's first-order k-space pseudo-spectral scheme (kspaceFirstOrder1D/2D/3D):
//! a backend-independent plan built from a `Simulation`, and one time loop that drives any
//! backend of `ferrowave-kernels` through its catalogue of operations.

pub mod acoustic;
pub mod datagen;
pub mod elliptic;
pub mod fluid;
pub mod random_field;
