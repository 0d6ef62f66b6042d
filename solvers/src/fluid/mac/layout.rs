//! Padded storage: every field the solver works on carries ghost layers on each active axis,
//! so that stencils near the boundary read ghost values instead of branching.

use super::grid::{AxisBoundary, MacGrid, Side};

/// Ghost layers of the velocity arrays (the third-order upwind stencil reaches two faces).
pub(crate) const VELOCITY_GHOSTS: usize = 2;

/// Where an interior-shaped array lives inside its padded storage.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    /// Interior extent along (x, y, z).
    pub interior: [usize; 3],
    pub stride: [usize; 3],
    /// Index of interior point (0, 0, 0).
    pub origin: usize,
    pub len: usize,
    pub ghosts: usize,
    pub dim: usize,
}

impl Layout {
    pub fn new(interior: [usize; 3], dim: usize, ghosts: usize) -> Self {
        let mut padded = [1; 3];
        for a in 0..3 {
            padded[a] = if a < dim {
                interior[a] + 2 * ghosts
            } else {
                interior[a]
            };
        }
        let stride = [1, padded[0], padded[0] * padded[1]];
        let origin = (0..dim).map(|a| ghosts * stride[a]).sum();
        Self {
            interior,
            stride,
            origin,
            len: padded.iter().product(),
            ghosts,
            dim,
        }
    }

    /// Index of interior point (i, j, k); coordinates may reach `ghosts` outside.
    #[inline(always)]
    pub fn at(&self, i: isize, j: isize, k: isize) -> usize {
        (self.origin as isize + i + j * self.stride[1] as isize + k * self.stride[2] as isize)
            as usize
    }

    /// Copies an interior-shaped row-major array in.
    pub fn scatter(&self, from: &[f64], to: &mut [f64]) {
        let n = self.interior;
        let mut src = 0;
        for k in 0..n[2] {
            for j in 0..n[1] {
                let row = self.at(0, j as isize, k as isize);
                to[row..row + n[0]].copy_from_slice(&from[src..src + n[0]]);
                src += n[0];
            }
        }
    }

    /// Copies the interior out into a row-major array.
    pub fn gather(&self, from: &[f64], to: &mut [f64]) {
        let n = self.interior;
        let mut dst = 0;
        for k in 0..n[2] {
            for j in 0..n[1] {
                let row = self.at(0, j as isize, k as isize);
                to[dst..dst + n[0]].copy_from_slice(&from[row..row + n[0]]);
                dst += n[0];
            }
        }
    }

    /// Calls `f(base, stride)` once for every line along axis `a` of the padded array
    /// (every padded position of the other axes); `base` is the index of interior
    /// coordinate 0 on the line.
    pub fn for_each_line(&self, a: usize, mut f: impl FnMut(usize, usize)) {
        let g = self.ghosts as isize;
        let others = match a {
            0 => [1, 2],
            1 => [0, 2],
            _ => [0, 1],
        };
        let range = |b: usize| -> (isize, isize) {
            if b < self.dim {
                (-g, self.interior[b] as isize + g)
            } else {
                (0, self.interior[b] as isize)
            }
        };
        let (lo0, hi0) = range(others[0]);
        let (lo1, hi1) = range(others[1]);
        for q1 in lo1..hi1 {
            for q0 in lo0..hi0 {
                let mut p = [0isize; 3];
                p[others[0]] = q0;
                p[others[1]] = q1;
                f(self.at(p[0], p[1], p[2]), self.stride[a]);
            }
        }
    }
}

/// The padded layouts of the three velocity components of a grid.
pub(crate) fn velocity_layouts(grid: &MacGrid) -> [Layout; 3] {
    let dim = grid.dim();
    let mk = |c: usize| {
        if c < dim {
            Layout::new(grid.face_counts(c), dim, VELOCITY_GHOSTS)
        } else {
            Layout::new([0, 0, 0], dim, 0)
        }
    };
    [mk(0), mk(1), mk(2)]
}

/// Fills the ghost layers of velocity component `c` from the boundary conditions (see
/// `Side`): periodic wrap, odd reflection about the wall value for the normal component at
/// walls and inflow, odd/even reflection of tangential components for no-slip (about the
/// wall velocity) / free-slip and outflow, odd (zero) for inflow. Axes are filled in order,
/// each over the full padded range of the others, so corners end consistent.
pub(crate) fn fill_velocity_ghosts(grid: &MacGrid, layout: &Layout, c: usize, values: &mut [f64]) {
    let g = layout.ghosts as isize;
    for a in 0..grid.dim() {
        let n = grid.cells()[a] as isize;
        let normal = a == c;
        let boundary = grid.boundary(a);
        layout.for_each_line(a, |base, s| {
            let at = |q: isize| (base as isize + q * s as isize) as usize;
            match boundary {
                AxisBoundary::Periodic => {
                    if normal {
                        values[at(n)] = values[at(0)];
                    }
                    for m in 1..=g {
                        values[at(-m)] = values[at(n - m)];
                        let hi = if normal { n + m } else { n - 1 + m };
                        values[at(hi)] = values[at(hi - n)];
                    }
                }
                AxisBoundary::Bounded { low, high } => {
                    for m in 1..=g {
                        if normal {
                            values[at(-m)] = normal_ghost(low, values[at(0)], values[at(m)]);
                            values[at(n + m)] =
                                normal_ghost(high, values[at(n)], values[at(n - m)]);
                        } else {
                            values[at(-m)] = tangential_ghost(low, c, values[at(m - 1)]);
                            values[at(n - 1 + m)] = tangential_ghost(high, c, values[at(n - m)]);
                        }
                    }
                }
            }
        });
    }
}

#[inline]
fn normal_ghost(side: Side, boundary_value: f64, mirror: f64) -> f64 {
    match side {
        Side::Outflow => boundary_value,
        _ => 2.0 * boundary_value - mirror,
    }
}

#[inline]
fn tangential_ghost(side: Side, c: usize, mirror: f64) -> f64 {
    match side {
        Side::NoSlip { wall_velocity } => 2.0 * wall_velocity[c] - mirror,
        Side::FreeSlip | Side::Outflow => mirror,
        Side::Inflow => -mirror,
    }
}
