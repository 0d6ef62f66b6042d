//! The momentum right-hand side on the padded staggered arrays: third-order upwind-biased
//! advection and the second-order Laplacian.

use super::grid::{AxisBoundary, MacGrid, Side};
use super::layout::{velocity_layouts, Layout};

/// How the momentum equation treats a face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaceKind {
    /// Not updated: boundary faces of walls and inflow, faces touching a solid cell, the
    /// duplicate last face of a periodic axis, and ghosts.
    Fixed,
    /// Updated by the momentum equation.
    Interior,
    /// The convective outflow condition du/dt + U du/dn = 0.
    Outflow,
}

/// The velocity layouts of a grid and what happens on each face.
#[derive(Clone, Debug)]
pub(crate) struct Faces {
    pub layouts: [Layout; 3],
    pub kind: [Vec<FaceKind>; 3],
}

impl Faces {
    pub fn new(grid: &MacGrid) -> Self {
        let layouts = velocity_layouts(grid);
        let n = grid.cells();
        let kind = std::array::from_fn(|c| {
            let lc = &layouts[c];
            let mut kind = vec![FaceKind::Fixed; lc.len];
            if c >= grid.dim() {
                return kind;
            }
            let fc = grid.face_counts(c);
            for k in 0..fc[2] {
                for j in 0..fc[1] {
                    for i in 0..fc[0] {
                        let p = [i, j, k];
                        let q = p[c];
                        let (face_kind, lo_cell, hi_cell) = match grid.boundary(c) {
                            AxisBoundary::Periodic => {
                                if q == n[c] {
                                    (FaceKind::Fixed, None, None)
                                } else {
                                    (FaceKind::Interior, Some((q + n[c] - 1) % n[c]), Some(q))
                                }
                            }
                            AxisBoundary::Bounded { high, .. } => {
                                if q == 0 {
                                    (FaceKind::Fixed, None, Some(0))
                                } else if q == n[c] {
                                    let kind = if high == Side::Outflow {
                                        FaceKind::Outflow
                                    } else {
                                        FaceKind::Fixed
                                    };
                                    (kind, Some(q - 1), None)
                                } else {
                                    (FaceKind::Interior, Some(q - 1), Some(q))
                                }
                            }
                        };
                        let solid = |cell: Option<usize>| {
                            cell.is_some_and(|qc| {
                                let mut pc = p;
                                pc[c] = qc;
                                grid.is_solid(grid.cell_index(pc[0], pc[1], pc[2]))
                            })
                        };
                        let face_kind = if solid(lo_cell) || solid(hi_cell) {
                            FaceKind::Fixed
                        } else {
                            face_kind
                        };
                        kind[lc.at(i as isize, j as isize, k as isize)] = face_kind;
                    }
                }
            }
            kind
        });
        Self { layouts, kind }
    }
}

/// Weights of the momentum terms: `out = advection * (u . grad) u + viscosity * lap u` on
/// interior faces; outflow faces get `-outflow_speed * du/dn` when `outflow_speed` is given
/// (0 otherwise), fixed faces 0.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Terms {
    pub advection: f64,
    pub viscosity: f64,
    pub outflow_speed: Option<f64>,
}

/// Evaluates the momentum terms. Ghosts of `vel` must be filled.
pub(crate) fn momentum_terms(
    grid: &MacGrid,
    faces: &Faces,
    vel: &[Vec<f64>; 3],
    terms: Terms,
    out: &mut [Vec<f64>; 3],
) {
    match grid.dim() {
        2 => momentum_terms_d::<2>(grid, faces, vel, terms, out),
        _ => momentum_terms_d::<3>(grid, faces, vel, terms, out),
    }
}

fn momentum_terms_d<const D: usize>(
    grid: &MacGrid,
    faces: &Faces,
    vel: &[Vec<f64>; 3],
    terms: Terms,
    out: &mut [Vec<f64>; 3],
) {
    let h = grid.spacing();
    let inv_h2: [f64; 3] = std::array::from_fn(|a| 1.0 / (h[a] * h[a]));
    let inv_12h: [f64; 3] = std::array::from_fn(|a| 1.0 / (12.0 * h[a]));
    for c in 0..D {
        let lc = faces.layouts[c];
        let kind = &faces.kind[c];
        let phi = &vel[c];
        let out_c = &mut out[c];
        let n = lc.interior;
        for k in 0..n[2] {
            for j in 0..n[1] {
                for i in 0..n[0] {
                    let idx = lc.at(i as isize, j as isize, k as isize);
                    let value = match kind[idx] {
                        FaceKind::Fixed => 0.0,
                        FaceKind::Outflow => match terms.outflow_speed {
                            Some(speed) => -speed * (phi[idx] - phi[idx - lc.stride[c]]) / h[c],
                            None => 0.0,
                        },
                        FaceKind::Interior => {
                            let p = [i as isize, j as isize, k as isize];
                            let f0 = phi[idx];
                            let mut lap = 0.0;
                            let mut adv = 0.0;
                            for a in 0..D {
                                let s = lc.stride[a];
                                let m2 = phi[idx - 2 * s];
                                let m1 = phi[idx - s];
                                let p1 = phi[idx + s];
                                let p2 = phi[idx + 2 * s];
                                lap += (p1 - 2.0 * f0 + m1) * inv_h2[a];
                                if terms.advection != 0.0 {
                                    let ua = if a == c {
                                        f0
                                    } else {
                                        // Component a at this c-face: the mean of the four
                                        // a-faces around it (cells p[c]-1, p[c]; faces p[a], p[a]+1).
                                        let la = &faces.layouts[a];
                                        let mut q = p;
                                        q[c] -= 1;
                                        let base = la.at(q[0], q[1], q[2]);
                                        let va = &vel[a];
                                        let (sc, sa) = (la.stride[c], la.stride[a]);
                                        0.25 * (va[base]
                                            + va[base + sc]
                                            + va[base + sa]
                                            + va[base + sc + sa])
                                    };
                                    adv += (ua * (-p2 + 8.0 * p1 - 8.0 * m1 + m2)
                                        + ua.abs() * (p2 - 4.0 * p1 + 6.0 * f0 - 4.0 * m1 + m2))
                                        * inv_12h[a];
                                }
                            }
                            terms.advection * adv + terms.viscosity * lap
                        }
                    };
                    out_c[idx] = value;
                }
            }
        }
    }
}
