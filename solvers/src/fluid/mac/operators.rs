//! The simulator's discrete operators on unpadded fields, for reuse outside the solver
//! (e.g. a physics-constrained loss on predicted fields, as in NeuralStagger).
//!
//! Every function takes the `MacGrid` (which carries the boundary conditions and obstacle)
//! and fields in the layout documented in `grid`; the results are exactly what the solver
//! uses. Boundary handling:
//! - Velocity ghosts beyond the boundary follow `Side` (no-slip: odd about the wall velocity;
//!   free-slip and outflow: even; inflow: tangential odd about 0; periodic: wrap). On a
//!   periodic axis the duplicate last face is ignored on input (face 0 is read) and written
//!   equal to face 0 on output.
//! - `advection` and `laplacian` are evaluated on the faces the momentum equation updates
//!   (interior faces not touching a solid cell); they are 0 on boundary faces of walls and
//!   inflow, on outflow faces (which obey their own convective condition) and on faces
//!   touching solid cells.
//! - `gradient` is the pressure gradient of the projection: 0 on wall, inflow and
//!   solid-touching faces (homogeneous Neumann), and with p = 0 on the outflow boundary.
//! - `divergence` is 0 on solid cells.
//!
//! The momentum equation the solver integrates is, face by face,
//! du/dt = -advection(u) + nu laplacian(u) - gradient(p), with divergence(u) = 0, and
//! `pressure_laplacian(p) == divergence(gradient(p))`.

use super::grid::{CellField, MacGrid, StaggeredVelocity};
use super::layout::{fill_velocity_ghosts, Layout};
use super::momentum::{momentum_terms, Faces, Terms};
use super::multigrid::face_coefficients;
use super::projection::{copy_periodic_faces, divergence as padded_divergence, subtract_gradient};

/// The operators of one grid, with the face classification and Poisson coefficients cached.
#[derive(Clone, Debug)]
pub struct MacOperators {
    grid: MacGrid,
    faces: Faces,
    cells: Layout,
    coefficients: [Vec<f64>; 3],
}

impl MacOperators {
    pub fn new(grid: &MacGrid) -> Self {
        Self {
            grid: grid.clone(),
            faces: Faces::new(grid),
            cells: Layout::new(grid.cells(), grid.dim(), 1),
            coefficients: face_coefficients(grid),
        }
    }

    pub fn grid(&self) -> &MacGrid {
        &self.grid
    }

    fn pad_velocity(&self, vel: &StaggeredVelocity) -> [Vec<f64>; 3] {
        let dim = self.grid.dim();
        let mut out: [Vec<f64>; 3] = std::array::from_fn(|c| vec![0.0; self.faces.layouts[c].len]);
        for c in 0..dim {
            assert_eq!(
                vel.components[c].len(),
                self.grid.face_count(c),
                "velocity component {c}"
            );
            self.faces.layouts[c].scatter(&vel.components[c], &mut out[c]);
        }
        copy_periodic_faces(&self.grid, &self.faces.layouts, &mut out);
        for c in 0..dim {
            fill_velocity_ghosts(&self.grid, &self.faces.layouts[c], c, &mut out[c]);
        }
        out
    }

    fn unpad_velocity(&self, mut padded: [Vec<f64>; 3]) -> StaggeredVelocity {
        copy_periodic_faces(&self.grid, &self.faces.layouts, &mut padded);
        let mut out = StaggeredVelocity::zeros(&self.grid);
        for c in 0..self.grid.dim() {
            self.faces.layouts[c].gather(&padded[c], &mut out.components[c]);
        }
        out
    }

    fn terms(&self, vel: &StaggeredVelocity, terms: Terms) -> StaggeredVelocity {
        let padded = self.pad_velocity(vel);
        let mut out: [Vec<f64>; 3] = std::array::from_fn(|c| vec![0.0; self.faces.layouts[c].len]);
        momentum_terms(&self.grid, &self.faces, &padded, terms, &mut out);
        self.unpad_velocity(out)
    }

    /// (u . grad) u on every face component: third-order upwind-biased differences
    /// u_a d/dx_a with the other components averaged from the four nearest faces.
    pub fn advection(&self, vel: &StaggeredVelocity) -> StaggeredVelocity {
        self.terms(
            vel,
            Terms {
                advection: 1.0,
                viscosity: 0.0,
                outflow_speed: None,
            },
        )
    }

    /// The vector Laplacian of the velocity (second-order, 2d+1 points per component).
    pub fn laplacian(&self, vel: &StaggeredVelocity) -> StaggeredVelocity {
        self.terms(
            vel,
            Terms {
                advection: 0.0,
                viscosity: 1.0,
                outflow_speed: None,
            },
        )
    }

    /// -(u . grad) u + nu lap u: the momentum right-hand side without pressure. Outflow
    /// boundary faces get 0 here (the solver applies its convective condition there, with
    /// the current mean outflow speed).
    pub fn momentum_rate(&self, vel: &StaggeredVelocity, viscosity: f64) -> StaggeredVelocity {
        self.terms(
            vel,
            Terms {
                advection: -1.0,
                viscosity,
                outflow_speed: None,
            },
        )
    }

    /// Cell divergence sum_c (u_c(face hi) - u_c(face lo)) / h_c.
    pub fn divergence(&self, vel: &StaggeredVelocity) -> CellField {
        let padded = self.pad_velocity(vel);
        let mut div = vec![0.0; self.cells.len];
        padded_divergence(
            &self.grid,
            &self.faces.layouts,
            &padded,
            &self.cells,
            &mut div,
        );
        let mut out = CellField::zeros(&self.grid);
        self.cells.gather(&div, &mut out.values);
        out
    }

    /// Face gradient of a cell field, (p_hi - p_lo) / h on coupled faces (see the module
    /// documentation for the boundary faces).
    pub fn gradient(&self, p: &CellField) -> StaggeredVelocity {
        let mut padded_p = vec![0.0; self.cells.len];
        self.cells.scatter(&p.values, &mut padded_p);
        wrap_cells(&self.grid, &self.cells, &mut padded_p);
        let mut out: [Vec<f64>; 3] = std::array::from_fn(|c| vec![0.0; self.faces.layouts[c].len]);
        // subtract_gradient computes out -= -1 * grad p.
        subtract_gradient(
            &self.grid,
            &self.faces.layouts,
            &self.coefficients,
            &padded_p,
            &self.cells,
            -1.0,
            &mut out,
        );
        self.unpad_velocity(out)
    }

    /// div grad p: the pressure Poisson operator of the projection.
    pub fn pressure_laplacian(&self, p: &CellField) -> CellField {
        self.divergence(&self.gradient(p))
    }
}

fn wrap_cells(grid: &MacGrid, layout: &Layout, values: &mut [f64]) {
    for a in 0..grid.dim() {
        if grid.boundary(a) == super::grid::AxisBoundary::Periodic {
            let n = layout.interior[a] as isize;
            layout.for_each_line(a, |base, s| {
                let at = |q: isize| (base as isize + q * s as isize) as usize;
                values[at(-1)] = values[at(n - 1)];
                values[at(n)] = values[at(0)];
            });
        }
    }
}

/// `MacOperators::new(grid).divergence(vel)` (builds the operator set each call).
pub fn divergence(grid: &MacGrid, vel: &StaggeredVelocity) -> CellField {
    MacOperators::new(grid).divergence(vel)
}

/// `MacOperators::new(grid).gradient(p)`.
pub fn gradient(grid: &MacGrid, p: &CellField) -> StaggeredVelocity {
    MacOperators::new(grid).gradient(p)
}

/// `MacOperators::new(grid).advection(vel)`.
pub fn advection(grid: &MacGrid, vel: &StaggeredVelocity) -> StaggeredVelocity {
    MacOperators::new(grid).advection(vel)
}

/// `MacOperators::new(grid).laplacian(vel)`.
pub fn laplacian(grid: &MacGrid, vel: &StaggeredVelocity) -> StaggeredVelocity {
    MacOperators::new(grid).laplacian(vel)
}
