//! The staggered (MAC) grid, its boundary conditions and the two field types.
//!
//! Index conventions (2D and 3D alike; a 2D grid is a 3D grid with one cell along z and no
//! z axis):
//! - Cells are indexed (i, j, k) along (x, y, z); cell (i, j, k) covers
//!   [i dx, (i+1) dx] x [j dy, (j+1) dy] x [k dz, (k+1) dz]. Pressure and every `CellField`
//!   live at cell centres ((i + 1/2) dx, (j + 1/2) dy, (k + 1/2) dz).
//! - Arrays are row-major with x fastest: a cell field has shape (nz, ny, nx) in 3D and
//!   (ny, nx) in 2D, value (i, j, k) at `(k * ny + j) * nx + i`.
//! - Velocity component `c` lives on the faces normal to axis `c`: u at x-faces
//!   (i dx, (j + 1/2) dy, (k + 1/2) dz) with i = 0..=nx, shape (nz, ny, nx + 1); v at y-faces,
//!   shape (nz, ny + 1, nx); w at z-faces, shape (nz + 1, ny, nx). In 2D, u is (ny, nx + 1) and
//!   v is (ny + 1, nx). Face i of u separates cells i - 1 and i; faces 0 and nx lie on the
//!   domain boundary.
//! - Along a periodic axis the last face duplicates the first (u[.., nx] = u[.., 0]); the
//!   operators read face 0 and write both.

use super::MacError;

/// What a bounded side of the domain does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    /// A solid wall moving tangentially with `wall_velocity` (its normal component ignored):
    /// normal velocity 0, tangential velocity = the wall's. Ghost values mirror oddly about
    /// the wall value.
    NoSlip { wall_velocity: [f64; 3] },
    /// A slip wall: normal velocity 0, zero tangential stress (ghosts mirror evenly).
    FreeSlip,
    /// Prescribed inflow: the normal velocity on the boundary faces is whatever the velocity
    /// field holds there (the solver never changes it); tangential velocity 0.
    Inflow,
    /// Outflow (high side only): the normal velocity on the boundary faces obeys the
    /// convective condition du/dt + U du/dn = 0 (U the mean outflow speed), tangential
    /// velocity has zero normal gradient, and the pressure is 0 on the boundary (the only
    /// Dirichlet condition of the pressure Poisson problem).
    Outflow,
}

/// The boundary of the domain along one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AxisBoundary {
    /// Periodic: the number of cells along the axis must be even (red-black smoothing).
    Periodic,
    /// Two sides, at coordinate 0 (`low`) and at n h (`high`).
    Bounded { low: Side, high: Side },
}

impl AxisBoundary {
    /// Solid no-slip walls at both ends.
    pub const WALLS: AxisBoundary = AxisBoundary::Bounded {
        low: Side::NoSlip {
            wall_velocity: [0.0; 3],
        },
        high: Side::NoSlip {
            wall_velocity: [0.0; 3],
        },
    };
}

/// A uniform staggered grid with its boundary conditions and (optionally) solid cells.
#[derive(Clone, Debug)]
pub struct MacGrid {
    dim: usize,
    cells: [usize; 3],
    spacing: [f64; 3],
    boundary: [AxisBoundary; 3],
    solid: Option<Vec<bool>>,
}

impl MacGrid {
    /// A 2D grid of `cells = [nx, ny]` cells of size `spacing = [dx, dy]`.
    pub fn new_2d(
        cells: [usize; 2],
        spacing: [f64; 2],
        boundary: [AxisBoundary; 2],
    ) -> Result<Self, MacError> {
        Self::new(
            2,
            [cells[0], cells[1], 1],
            [spacing[0], spacing[1], 1.0],
            [boundary[0], boundary[1], AxisBoundary::Periodic],
        )
    }

    /// A 3D grid of `cells = [nx, ny, nz]` cells of size `spacing = [dx, dy, dz]`.
    pub fn new_3d(
        cells: [usize; 3],
        spacing: [f64; 3],
        boundary: [AxisBoundary; 3],
    ) -> Result<Self, MacError> {
        Self::new(3, cells, spacing, boundary)
    }

    fn new(
        dim: usize,
        cells: [usize; 3],
        spacing: [f64; 3],
        boundary: [AxisBoundary; 3],
    ) -> Result<Self, MacError> {
        for a in 0..dim {
            if cells[a] < 2 {
                return Err(MacError::Grid(format!("axis {a}: need at least 2 cells")));
            }
            if !(spacing[a].is_finite() && spacing[a] > 0.0) {
                return Err(MacError::Grid(format!("axis {a}: spacing must be > 0")));
            }
            match boundary[a] {
                AxisBoundary::Periodic if !cells[a].is_multiple_of(2) => {
                    return Err(MacError::Grid(format!(
                        "axis {a}: a periodic axis needs an even number of cells"
                    )))
                }
                AxisBoundary::Bounded {
                    low: Side::Outflow, ..
                } => {
                    return Err(MacError::Grid(format!(
                        "axis {a}: outflow is supported on the high side only"
                    )))
                }
                _ => {}
            }
        }
        Ok(Self {
            dim,
            cells,
            spacing,
            boundary,
            solid: None,
        })
    }

    /// Marks solid cells (an obstacle): `solid` has one entry per cell, in cell order. Faces
    /// touching a solid cell carry zero velocity (no-slip, stair-step geometry).
    pub fn with_solid_cells(mut self, solid: Vec<bool>) -> Result<Self, MacError> {
        if solid.len() != self.cell_count() {
            return Err(MacError::Grid(format!(
                "solid mask has {} entries, the grid {} cells",
                solid.len(),
                self.cell_count()
            )));
        }
        if solid.iter().all(|&s| s) {
            return Err(MacError::Grid("every cell is solid".into()));
        }
        self.solid = Some(solid);
        Ok(self)
    }

    /// 2 or 3.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Cells along (x, y, z); the z entry is 1 in 2D.
    pub fn cells(&self) -> [usize; 3] {
        self.cells
    }

    /// Cell sizes along (x, y, z); the z entry is 1 in 2D (unused).
    pub fn spacing(&self) -> [f64; 3] {
        self.spacing
    }

    /// The boundary along axis `a` (0 = x, 1 = y, 2 = z).
    pub fn boundary(&self, a: usize) -> AxisBoundary {
        self.boundary[a]
    }

    /// Whether cell `index` (in cell order) is solid.
    pub fn is_solid(&self, index: usize) -> bool {
        self.solid.as_ref().is_some_and(|s| s[index])
    }

    /// The solid mask, if any.
    pub fn solid_cells(&self) -> Option<&[bool]> {
        self.solid.as_deref()
    }

    /// Number of cells.
    pub fn cell_count(&self) -> usize {
        self.cells.iter().product()
    }

    /// Number of faces along (x, y, z) carrying velocity component `c`: the cell counts with
    /// one more along axis `c`.
    pub fn face_counts(&self, c: usize) -> [usize; 3] {
        let mut n = self.cells;
        n[c] += 1;
        n
    }

    /// Number of values of velocity component `c`.
    pub fn face_count(&self, c: usize) -> usize {
        self.face_counts(c).iter().product()
    }

    /// Row-major index of cell (i, j, k) (k = 0 in 2D).
    pub fn cell_index(&self, i: usize, j: usize, k: usize) -> usize {
        (k * self.cells[1] + j) * self.cells[0] + i
    }

    /// Row-major index of face (i, j, k) of component `c`.
    pub fn face_index(&self, c: usize, i: usize, j: usize, k: usize) -> usize {
        let n = self.face_counts(c);
        (k * n[1] + j) * n[0] + i
    }

    /// Whether the pressure problem has a Dirichlet boundary (an outflow side); without one
    /// the pressure is defined up to a constant (fixed by zero mean over fluid cells).
    pub fn has_outflow(&self) -> bool {
        (0..self.dim).any(|a| {
            matches!(
                self.boundary[a],
                AxisBoundary::Bounded {
                    high: Side::Outflow,
                    ..
                }
            )
        })
    }
}

/// A scalar on cell centres (pressure, divergence): `values` in cell order.
#[derive(Clone, Debug, PartialEq)]
pub struct CellField {
    pub values: Vec<f64>,
}

impl CellField {
    /// Zeros on every cell of `grid`.
    pub fn zeros(grid: &MacGrid) -> Self {
        Self {
            values: vec![0.0; grid.cell_count()],
        }
    }
}

/// A velocity on the staggered faces: `components[c]` holds component c in face order
/// (see the module documentation); `components[2]` is empty in 2D.
#[derive(Clone, Debug, PartialEq)]
pub struct StaggeredVelocity {
    pub components: [Vec<f64>; 3],
}

impl StaggeredVelocity {
    /// Zeros on every face of `grid`.
    pub fn zeros(grid: &MacGrid) -> Self {
        let w = if grid.dim() == 3 {
            grid.face_count(2)
        } else {
            0
        };
        Self {
            components: [
                vec![0.0; grid.face_count(0)],
                vec![0.0; grid.face_count(1)],
                vec![0.0; w],
            ],
        }
    }

    /// Samples `f(c, x, y, z)` (component c at the face centres of `grid`).
    pub fn from_fn(grid: &MacGrid, f: impl Fn(usize, f64, f64, f64) -> f64) -> Self {
        let mut v = Self::zeros(grid);
        let h = grid.spacing();
        for c in 0..grid.dim() {
            let n = grid.face_counts(c);
            let mut idx = 0;
            for k in 0..n[2] {
                for j in 0..n[1] {
                    for i in 0..n[0] {
                        let mut x = [
                            (i as f64 + 0.5) * h[0],
                            (j as f64 + 0.5) * h[1],
                            (k as f64 + 0.5) * h[2],
                        ];
                        x[c] -= 0.5 * h[c];
                        v.components[c][idx] = f(c, x[0], x[1], x[2]);
                        idx += 1;
                    }
                }
            }
        }
        v
    }

    pub fn u(&self) -> &[f64] {
        &self.components[0]
    }

    pub fn v(&self) -> &[f64] {
        &self.components[1]
    }

    pub fn w(&self) -> &[f64] {
        &self.components[2]
    }
}

/// Stacking a 2D staggered velocity into one array without moving any value: shape
/// (2, ny + 1, nx + 1), channel 0 holding u at [0, j, i] for j < ny, i <= nx and channel 1
/// holding v at [1, j, i] for j <= ny, i < nx. The padding entries (channel 0 row j = ny,
/// channel 1 column i = nx) are 0.
pub fn stack_velocity_2d(grid: &MacGrid, vel: &StaggeredVelocity, out: &mut [f64]) {
    let [nx, ny, _] = grid.cells();
    let (w, plane) = (nx + 1, (nx + 1) * (ny + 1));
    assert_eq!(out.len(), 2 * plane);
    out.fill(0.0);
    for j in 0..ny {
        out[j * w..j * w + nx + 1].copy_from_slice(&vel.u()[j * (nx + 1)..(j + 1) * (nx + 1)]);
    }
    for j in 0..=ny {
        out[plane + j * w..plane + j * w + nx].copy_from_slice(&vel.v()[j * nx..(j + 1) * nx]);
    }
}

/// The inverse of `stack_velocity_2d`: the staggered velocity held in a (2, ny + 1, nx + 1)
/// stacked array (padding ignored), e.g. one snapshot of a cavity or cylinder dataset.
pub fn unstack_velocity_2d(grid: &MacGrid, stacked: &[f64]) -> StaggeredVelocity {
    let [nx, ny, _] = grid.cells();
    let (w, plane) = (nx + 1, (nx + 1) * (ny + 1));
    assert_eq!(stacked.len(), 2 * plane);
    let mut vel = StaggeredVelocity::zeros(grid);
    for j in 0..ny {
        vel.components[0][j * (nx + 1)..(j + 1) * (nx + 1)]
            .copy_from_slice(&stacked[j * w..j * w + nx + 1]);
    }
    for j in 0..=ny {
        vel.components[1][j * nx..(j + 1) * nx]
            .copy_from_slice(&stacked[plane + j * w..plane + j * w + nx]);
    }
    vel
}

/// 1 where `stack_velocity_2d` stores a velocity value, 0 on its padding; shape
/// (2, ny + 1, nx + 1).
pub fn stacked_velocity_mask_2d(grid: &MacGrid) -> Vec<f64> {
    let [nx, ny, _] = grid.cells();
    let (w, plane) = (nx + 1, (nx + 1) * (ny + 1));
    let mut mask = vec![0.0; 2 * plane];
    for j in 0..=ny {
        for i in 0..=nx {
            mask[j * w + i] = if j < ny { 1.0 } else { 0.0 };
            mask[plane + j * w + i] = if i < nx { 1.0 } else { 0.0 };
        }
    }
    mask
}
