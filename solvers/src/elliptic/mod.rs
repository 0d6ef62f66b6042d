//! Elliptic solvers: variable-coefficient diffusion (Darcy flow) and the Helmholtz equation.

pub mod darcy;
pub mod helmholtz;
pub mod multigrid;
