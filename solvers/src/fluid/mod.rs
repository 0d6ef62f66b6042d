//! Fluid solvers: periodic spectral solvers (2D vorticity Navier–Stokes, 1D Burgers) and the
//! staggered MAC-grid incompressible Navier–Stokes solver.

pub mod burgers;
pub mod mac;
pub mod vorticity;
