//! Incompressible Navier–Stokes on a staggered (MAC) grid, 2D and 3D.
//!
//! - `grid`: `MacGrid` (cells, spacing, boundary conditions, solid cells), `CellField`,
//!   `StaggeredVelocity`, and the index conventions (where u, v, w and p live).
//! - `operators`: the discrete divergence, gradient, advection and Laplacian the solver
//!   uses, on unpadded fields, for reuse in physics-constrained losses.
//! - `multigrid`: the cell-centred pressure Poisson solver (multigrid-preconditioned CG).
//! - `solver`: `MacSolver`, SSP-RK3 with a projection after every stage.
//!
//! Internally every velocity component is stored with two ghost layers per axis (`layout`)
//! so the stencils (`momentum`, `projection`) never branch on the boundary.

// Loops over axes and components index several per-axis arrays at once (strides, spacing,
// boundary, components); an index reads better than zipped iterators there.
#![allow(clippy::needless_range_loop)]

pub mod grid;
mod layout;
mod momentum;
pub mod multigrid;
pub mod operators;
mod projection;
pub mod solver;

pub use grid::{
    stack_velocity_2d, stacked_velocity_mask_2d, unstack_velocity_2d, AxisBoundary, CellField,
    MacGrid, Side, StaggeredVelocity,
};
pub use multigrid::{PoissonReport, PoissonSolver};
pub use operators::MacOperators;
pub use solver::{MacOptions, MacSolver};

/// Why a MAC-grid computation could not be set up or carried on.
#[derive(Debug, thiserror::Error)]
pub enum MacError {
    /// An invalid grid, field or option.
    #[error("invalid MAC setup: {0}")]
    Grid(String),
    /// The pressure Poisson solve did not reach its tolerance.
    #[error("pressure Poisson: {0}")]
    Poisson(String),
    /// The velocity blew up.
    #[error("unstable: {0}")]
    Unstable(String),
}
