//! The cell-centred pressure Poisson solver: geometric multigrid V-cycles (red-black
//! Gauss-Seidel, averaging restriction, trilinear prolongation) as the preconditioner of a
//! flexible conjugate gradient.
//!
//! The operator is `(A p)_cell = sum over the cell's faces of c_f (p_neighbour - p_cell) / h²`,
//! with face coefficient c_f = 1 between two fluid cells, 0 on walls, inflow sides and faces
//! touching a solid cell (homogeneous Neumann), and 2 on an outflow side (Dirichlet p = 0 on
//! the boundary, half a cell away). Coarse levels average the fine face coefficients.

use super::grid::{AxisBoundary, CellField, MacGrid, Side};
use super::layout::Layout;
use super::MacError;

/// One grid of the hierarchy.
#[derive(Clone, Debug)]
struct Level {
    layout: Layout,
    periodic: [bool; 3],
    dirichlet_high: [bool; 3],
    /// Face coefficients along each axis, unpadded face order (shape: cells + 1 along a).
    coef: [Vec<f64>; 3],
    /// Per padded cell: link weights (x-, x+, y-, y+, z-, z+) and the diagonal.
    weight: Vec<[f64; 6]>,
    diag: Vec<f64>,
    /// 1 / diag on active cells, 0 on inactive (solid) ones.
    inv_diag: Vec<f64>,
    x: Vec<f64>,
    b: Vec<f64>,
    r: Vec<f64>,
}

impl Level {
    fn new(
        dim: usize,
        n: [usize; 3],
        h: [f64; 3],
        periodic: [bool; 3],
        dirichlet_high: [bool; 3],
        coef: [Vec<f64>; 3],
    ) -> Self {
        let layout = Layout::new(n, dim, 1);
        let mut weight = vec![[0.0; 6]; layout.len];
        let mut diag = vec![0.0; layout.len];
        for k in 0..n[2] {
            for j in 0..n[1] {
                for i in 0..n[0] {
                    let p = [i, j, k];
                    let idx = layout.at(i as isize, j as isize, k as isize);
                    for a in 0..dim {
                        let mut fnum = n;
                        fnum[a] += 1;
                        let lo = (p[2] * fnum[1] + p[1]) * fnum[0] + p[0];
                        let fstride = [1, fnum[0], fnum[0] * fnum[1]][a];
                        let inv_h2 = 1.0 / (h[a] * h[a]);
                        let (c_lo, c_hi) = (coef[a][lo] * inv_h2, coef[a][lo + fstride] * inv_h2);
                        diag[idx] += c_lo + c_hi;
                        let interior_lo = periodic[a] || p[a] > 0;
                        let interior_hi = periodic[a] || p[a] + 1 < n[a];
                        weight[idx][2 * a] = if interior_lo { c_lo } else { 0.0 };
                        weight[idx][2 * a + 1] = if interior_hi { c_hi } else { 0.0 };
                    }
                }
            }
        }
        let inv_diag = diag
            .iter()
            .map(|&d| if d > 0.0 { 1.0 / d } else { 0.0 })
            .collect();
        Self {
            layout,
            periodic,
            dirichlet_high,
            coef,
            weight,
            diag,
            inv_diag,
            x: vec![0.0; layout.len],
            b: vec![0.0; layout.len],
            r: vec![0.0; layout.len],
        }
    }

    fn dim(&self) -> usize {
        self.layout.dim
    }

    fn cells(&self) -> usize {
        self.layout.interior.iter().product()
    }

    /// Visits the padded index of every interior cell, with its parity.
    fn for_each_cell(layout: &Layout, mut f: impl FnMut(usize, usize)) {
        let n = layout.interior;
        for k in 0..n[2] {
            for j in 0..n[1] {
                let row = layout.at(0, j as isize, k as isize);
                for i in 0..n[0] {
                    f(row + i, (i + j + k) & 1);
                }
            }
        }
    }

    /// Copies periodic ghosts (the only ghosts the operator reads).
    fn wrap(layout: &Layout, periodic: &[bool; 3], values: &mut [f64]) {
        for a in 0..layout.dim {
            if periodic[a] {
                let n = layout.interior[a] as isize;
                layout.for_each_line(a, |base, s| {
                    let at = |q: isize| (base as isize + q * s as isize) as usize;
                    values[at(-1)] = values[at(n - 1)];
                    values[at(n)] = values[at(0)];
                });
            }
        }
    }

    /// Ghosts for interpolation: periodic wrap, even mirror at Neumann sides, odd at the
    /// Dirichlet side.
    fn fill_for_interpolation(&mut self) {
        let layout = self.layout;
        for a in 0..layout.dim {
            let n = layout.interior[a] as isize;
            let (periodic, dirichlet) = (self.periodic[a], self.dirichlet_high[a]);
            let x = &mut self.x;
            layout.for_each_line(a, |base, s| {
                let at = |q: isize| (base as isize + q * s as isize) as usize;
                if periodic {
                    x[at(-1)] = x[at(n - 1)];
                    x[at(n)] = x[at(0)];
                } else {
                    x[at(-1)] = x[at(0)];
                    x[at(n)] = if dirichlet {
                        -x[at(n - 1)]
                    } else {
                        x[at(n - 1)]
                    };
                }
            });
        }
    }

    #[inline(always)]
    fn neighbours(&self, v: &[f64], idx: usize) -> f64 {
        let w = &self.weight[idx];
        let s = self.layout.stride;
        let mut sum =
            w[0] * v[idx - 1] + w[1] * v[idx + 1] + w[2] * v[idx - s[1]] + w[3] * v[idx + s[1]];
        if self.layout.dim == 3 {
            sum += w[4] * v[idx - s[2]] + w[5] * v[idx + s[2]];
        }
        sum
    }

    /// out = A v (v's periodic ghosts must be current).
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        Self::for_each_cell(&self.layout, |idx, _| {
            out[idx] = self.neighbours(v, idx) - self.diag[idx] * v[idx];
        });
    }

    fn smooth(&mut self, colours: [usize; 2]) {
        for colour in colours {
            Self::wrap(&self.layout, &self.periodic, &mut self.x);
            let layout = self.layout;
            let n = layout.interior;
            let mut x = std::mem::take(&mut self.x);
            for k in 0..n[2] {
                for j in 0..n[1] {
                    let row = layout.at(0, j as isize, k as isize);
                    let first = (j + k + colour) & 1;
                    for idx in (row + first..row + n[0]).step_by(2) {
                        // Inactive cells have inv_diag 0 and stay 0.
                        x[idx] = (self.neighbours(&x, idx) - self.b[idx]) * self.inv_diag[idx];
                    }
                }
            }
            self.x = x;
        }
    }

    fn residual(&mut self) {
        Self::wrap(&self.layout, &self.periodic, &mut self.x);
        let mut r = std::mem::take(&mut self.r);
        Self::for_each_cell(&self.layout, |idx, _| {
            r[idx] = if self.diag[idx] > 0.0 {
                self.b[idx] - (self.neighbours(&self.x, idx) - self.diag[idx] * self.x[idx])
            } else {
                0.0
            };
        });
        self.r = r;
    }
}

/// Sum and count of the active cells' values (for removing the mean of singular problems).
fn active_mean(level: &Level, v: &[f64]) -> f64 {
    let (mut sum, mut count) = (0.0, 0usize);
    Level::for_each_cell(&level.layout, |idx, _| {
        if level.diag[idx] > 0.0 {
            sum += v[idx];
            count += 1;
        }
    });
    sum / count.max(1) as f64
}

fn remove_mean(level: &Level, v: &mut [f64]) {
    let mean = active_mean(level, v);
    Level::for_each_cell(&level.layout, |idx, _| {
        if level.diag[idx] > 0.0 {
            v[idx] -= mean;
        }
    });
}

fn dot(level: &Level, a: &[f64], b: &[f64]) -> f64 {
    let mut sum = 0.0;
    Level::for_each_cell(&level.layout, |idx, _| sum += a[idx] * b[idx]);
    sum
}

fn max_abs(level: &Level, a: &[f64]) -> f64 {
    let mut m: f64 = 0.0;
    Level::for_each_cell(&level.layout, |idx, _| m = m.max(a[idx].abs()));
    m
}

/// What one Poisson solve did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonReport {
    /// Preconditioned CG iterations (one V-cycle each).
    pub iterations: usize,
    /// max |b - A p| at the end.
    pub residual: f64,
}

/// Multigrid-preconditioned CG for the pressure Poisson problem of a `MacGrid`.
#[derive(Clone, Debug)]
pub struct PoissonSolver {
    levels: Vec<Level>,
    singular: bool,
    /// Work vectors of the outer CG (fine padded layout).
    cg: [Vec<f64>; 6],
    /// Direction and its image of the coarsest level's CG.
    coarse_work: [Vec<f64>; 2],
    max_iterations: usize,
}

/// Smoothing sweeps before and after the coarse correction.
const PRE_SMOOTH: usize = 2;
const POST_SMOOTH: usize = 2;

impl PoissonSolver {
    pub fn new(grid: &MacGrid) -> Self {
        let dim = grid.dim();
        let n = grid.cells();
        let mut periodic = [false; 3];
        let mut dirichlet_high = [false; 3];
        for a in 0..dim {
            match grid.boundary(a) {
                AxisBoundary::Periodic => periodic[a] = true,
                AxisBoundary::Bounded { high, .. } => dirichlet_high[a] = high == Side::Outflow,
            }
        }
        let coef = face_coefficients(grid);
        let mut levels = vec![Level::new(
            dim,
            n,
            grid.spacing(),
            periodic,
            dirichlet_high,
            coef,
        )];
        loop {
            let fine = levels.last().unwrap();
            let nf = fine.layout.interior;
            let coarsenable = (0..dim).all(|a| nf[a] % 2 == 0 && nf[a] >= 4);
            if !coarsenable {
                break;
            }
            let mut nc = nf;
            let mut hc = [1.0; 3];
            let h_fine = fine_spacing(grid, levels.len() - 1);
            for a in 0..dim {
                nc[a] = nf[a] / 2;
                hc[a] = 2.0 * h_fine[a];
            }
            let coef = std::array::from_fn(|a| {
                if a < dim {
                    coarsen_coefficients(dim, nf, &fine.coef[a], a)
                } else {
                    Vec::new()
                }
            });
            levels.push(Level::new(dim, nc, hc, periodic, dirichlet_high, coef));
        }
        let len = levels[0].layout.len;
        Self {
            levels,
            singular: !grid.has_outflow(),
            cg: std::array::from_fn(|_| vec![0.0; len]),
            coarse_work: [Vec::new(), Vec::new()],
            max_iterations: 200,
        }
    }

    /// Number of multigrid levels.
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// One V-cycle on `A p = rhs`, updating `p` in place.
    pub fn v_cycle(&mut self, rhs: &CellField, p: &mut CellField) {
        let l0 = &mut self.levels[0];
        l0.layout.scatter(&rhs.values, &mut l0.b);
        l0.layout.scatter(&p.values, &mut l0.x);
        self.cycle(0);
        let l0 = &self.levels[0];
        l0.layout.gather(&l0.x, &mut p.values);
    }

    /// max |rhs - A p| over fluid cells.
    pub fn residual_max(&mut self, rhs: &CellField, p: &CellField) -> f64 {
        let l0 = &mut self.levels[0];
        l0.layout.scatter(&rhs.values, &mut l0.b);
        l0.layout.scatter(&p.values, &mut l0.x);
        l0.residual();
        max_abs(l0, &l0.r)
    }

    /// Solves `A p = rhs` until max |rhs - A p| <= tolerance, starting from `p`. For a
    /// problem without outflow the mean of `rhs` over fluid cells is removed first (the
    /// compatibility condition) and `p` is returned with zero mean.
    pub fn solve(
        &mut self,
        rhs: &CellField,
        p: &mut CellField,
        tolerance: f64,
    ) -> Result<PoissonReport, MacError> {
        let l0 = &mut self.levels[0];
        l0.layout.scatter(&rhs.values, &mut self.cg[0]);
        l0.layout.scatter(&p.values, &mut self.cg[1]);
        let report = self.solve_padded(tolerance)?;
        let l0 = &self.levels[0];
        l0.layout.gather(&self.cg[1], &mut p.values);
        Ok(report)
    }

    /// Padded-array entry for the projection: `cg[0]` holds the right-hand side, `cg[1]` the
    /// initial guess and on return the solution (ghosts wrapped).
    pub(crate) fn solve_padded(&mut self, tolerance: f64) -> Result<PoissonReport, MacError> {
        let mut cg = std::mem::take(&mut self.cg);
        let result = self.flexible_cg(&mut cg, tolerance);
        self.cg = cg;
        result
    }

    /// Right-hand side in cg[0], solution in cg[1]; cg[2..6]: residual, preconditioned
    /// residual, A times the direction, direction.
    fn flexible_cg(
        &mut self,
        cg: &mut [Vec<f64>; 6],
        tolerance: f64,
    ) -> Result<PoissonReport, MacError> {
        let [b, x, r, z, q, direction] = cg;
        let l0 = &mut self.levels[0];
        if self.singular {
            remove_mean(l0, b);
        }
        Level::wrap(&l0.layout, &l0.periodic, x);
        l0.apply(x, q);
        Level::for_each_cell(&l0.layout, |idx, _| {
            r[idx] = if l0.diag[idx] > 0.0 {
                b[idx] - q[idx]
            } else {
                0.0
            };
        });
        let mut residual = max_abs(l0, r);
        let mut iterations = 0;
        while residual > tolerance {
            if iterations == self.max_iterations {
                return Err(MacError::Poisson(format!(
                    "no convergence in {iterations} iterations (residual {residual:.3e}, tolerance {tolerance:.3e})"
                )));
            }
            // z = M r: one V-cycle from zero.
            {
                let l0 = &mut self.levels[0];
                l0.b.copy_from_slice(r);
                l0.x.fill(0.0);
            }
            self.cycle(0);
            let l0 = &mut self.levels[0];
            z.copy_from_slice(&l0.x);
            if self.singular {
                remove_mean(l0, z);
            }
            // Flexible CG: the new direction is z made A-conjugate to the previous one,
            // d = z + beta d, and A d = A z + beta A d needs one operator application.
            Level::wrap(&l0.layout, &l0.periodic, z);
            let mut az = std::mem::take(&mut l0.r);
            l0.apply(z, &mut az);
            if iterations == 0 {
                direction.copy_from_slice(z);
                q.copy_from_slice(&az);
            } else {
                let dq = dot(l0, direction, q);
                let beta = if dq != 0.0 {
                    -dot(l0, &az, direction) / dq
                } else {
                    0.0
                };
                Level::for_each_cell(&l0.layout, |idx, _| {
                    direction[idx] = z[idx] + beta * direction[idx];
                    q[idx] = az[idx] + beta * q[idx];
                });
            }
            l0.r = az;
            let pq = dot(l0, direction, q);
            if pq == 0.0 {
                break;
            }
            let alpha = dot(l0, r, direction) / pq;
            residual = 0.0;
            Level::for_each_cell(&l0.layout, |idx, _| {
                x[idx] += alpha * direction[idx];
                r[idx] -= alpha * q[idx];
                residual = residual.max(r[idx].abs());
            });
            iterations += 1;
        }
        let l0 = &self.levels[0];
        if self.singular {
            remove_mean(l0, x);
        }
        Level::wrap(&l0.layout, &l0.periodic, x);
        Ok(PoissonReport {
            iterations,
            residual,
        })
    }

    /// The padded cell layout of the fine level.
    pub(crate) fn cell_layout(&self) -> Layout {
        self.levels[0].layout
    }

    /// Fine-level face coefficients.
    pub(crate) fn coefficients(&self) -> &[Vec<f64>; 3] {
        &self.levels[0].coef
    }

    /// Right-hand side (cg[0]) and solution/initial guess (cg[1]) of the padded solve.
    pub(crate) fn padded_buffers(&mut self) -> (&mut Vec<f64>, &mut Vec<f64>) {
        let [b, x, ..] = &mut self.cg;
        (b, x)
    }

    /// Multigrid V-cycle on level `l` (its `b` and `x` set).
    fn cycle(&mut self, l: usize) {
        if l + 1 == self.levels.len() {
            self.coarsest_solve(l);
            return;
        }
        for _ in 0..PRE_SMOOTH {
            self.levels[l].smooth([0, 1]);
        }
        self.levels[l].residual();
        let (fine_levels, coarse_levels) = self.levels.split_at_mut(l + 1);
        let fine = &fine_levels[l];
        let coarse = &mut coarse_levels[0];
        restrict(fine, coarse);
        coarse.x.fill(0.0);
        self.cycle(l + 1);
        let (fine_levels, coarse_levels) = self.levels.split_at_mut(l + 1);
        let coarse = &mut coarse_levels[0];
        coarse.fill_for_interpolation();
        prolong_add(coarse, &mut fine_levels[l]);
        for _ in 0..POST_SMOOTH {
            self.levels[l].smooth([1, 0]);
        }
    }

    /// Conjugate gradient on the coarsest level, to a tight relative tolerance.
    fn coarsest_solve(&mut self, l: usize) {
        let singular = self.singular;
        let level = &mut self.levels[l];
        if singular {
            let mut b = std::mem::take(&mut level.b);
            remove_mean(level, &mut b);
            level.b = b;
        }
        // CG from the current x (zero inside a V-cycle); the CG's two other vectors are
        // kept between calls.
        level.residual();
        let mut r = std::mem::take(&mut level.r);
        let [mut d, mut ad] = std::mem::take(&mut self.coarse_work);
        d.resize(level.layout.len, 0.0);
        ad.resize(level.layout.len, 0.0);
        d.copy_from_slice(&r);
        let mut rr = dot(level, &r, &r);
        let stop = rr * 1e-24;
        for _ in 0..(4 * level.cells() + 20) {
            if rr <= stop || rr == 0.0 {
                break;
            }
            Level::wrap(&level.layout, &level.periodic, &mut d);
            level.apply(&d, &mut ad);
            let dad = dot(level, &d, &ad);
            if dad == 0.0 {
                break;
            }
            let alpha = rr / dad;
            Level::for_each_cell(&level.layout, |idx, _| {
                level.x[idx] += alpha * d[idx];
                r[idx] -= alpha * ad[idx];
            });
            let rr_new = dot(level, &r, &r);
            let beta = rr_new / rr;
            rr = rr_new;
            Level::for_each_cell(&level.layout, |idx, _| d[idx] = r[idx] + beta * d[idx]);
        }
        level.r = r;
        self.coarse_work = [d, ad];
    }
}

/// The fine-level face coefficients of a grid (see the module documentation), per axis in
/// face order.
pub(crate) fn face_coefficients(grid: &MacGrid) -> [Vec<f64>; 3] {
    let dim = grid.dim();
    let n = grid.cells();
    let periodic: [bool; 3] =
        std::array::from_fn(|a| a < dim && grid.boundary(a) == AxisBoundary::Periodic);
    let dirichlet_high: [bool; 3] = std::array::from_fn(|a| {
        a < dim
            && matches!(
                grid.boundary(a),
                AxisBoundary::Bounded {
                    high: Side::Outflow,
                    ..
                }
            )
    });
    std::array::from_fn(|a| {
        if a >= dim {
            return Vec::new();
        }
        let fnum = grid.face_counts(a);
        let mut c = vec![0.0; fnum.iter().product()];
        let mut idx = 0;
        for k in 0..fnum[2] {
            for j in 0..fnum[1] {
                for i in 0..fnum[0] {
                    let p = [i, j, k];
                    let q = p[a];
                    let fluid = |qc: usize| {
                        let mut pc = p;
                        pc[a] = qc;
                        !grid.is_solid(grid.cell_index(pc[0], pc[1], pc[2]))
                    };
                    c[idx] = if periodic[a] {
                        let lo = (q + n[a] - 1) % n[a];
                        let hi = q % n[a];
                        if fluid(lo) && fluid(hi) {
                            1.0
                        } else {
                            0.0
                        }
                    } else if q == 0 {
                        0.0
                    } else if q == n[a] {
                        if dirichlet_high[a] && fluid(q - 1) {
                            2.0
                        } else {
                            0.0
                        }
                    } else if fluid(q - 1) && fluid(q) {
                        1.0
                    } else {
                        0.0
                    };
                    idx += 1;
                }
            }
        }
        c
    })
}

/// Cell size on level `l` (each level doubles it).
fn fine_spacing(grid: &MacGrid, l: usize) -> [f64; 3] {
    let h = grid.spacing();
    let f = (1u64 << l) as f64;
    [h[0] * f, h[1] * f, h[2] * f]
}

/// Coarse face coefficients along axis a: the mean of the 2^(dim-1) fine faces a coarse face
/// covers.
fn coarsen_coefficients(dim: usize, nf: [usize; 3], fine: &[f64], a: usize) -> Vec<f64> {
    let mut ff = nf;
    ff[a] += 1;
    let mut nc = nf;
    for b in 0..dim {
        nc[b] /= 2;
    }
    let mut fc = nc;
    fc[a] += 1;
    let mut out = vec![0.0; fc.iter().product()];
    let others: Vec<usize> = (0..dim).filter(|&b| b != a).collect();
    let count = 1usize << others.len();
    let mut idx = 0;
    for k in 0..fc[2] {
        for j in 0..fc[1] {
            for i in 0..fc[0] {
                let pc = [i, j, k];
                let mut sum = 0.0;
                for corner in 0..count {
                    let mut pf = [0; 3];
                    for b in 0..3 {
                        pf[b] = if b == a || b >= dim { pc[b] } else { 2 * pc[b] };
                    }
                    pf[a] = 2 * pc[a];
                    for (bit, &b) in others.iter().enumerate() {
                        pf[b] += (corner >> bit) & 1;
                    }
                    sum += fine[(pf[2] * ff[1] + pf[1]) * ff[0] + pf[0]];
                }
                out[idx] = sum / count as f64;
                idx += 1;
            }
        }
    }
    out
}

/// coarse.b = mean of the fine residual over each coarse cell's children.
fn restrict(fine: &Level, coarse: &mut Level) {
    let dim = fine.dim();
    let nc = coarse.layout.interior;
    let fs = fine.layout.stride;
    let scale = 1.0 / (1usize << dim) as f64;
    for k in 0..nc[2] {
        for j in 0..nc[1] {
            let (kf, jf) = (if dim == 3 { 2 * k } else { k }, 2 * j);
            let fine_row = fine.layout.at(0, jf as isize, kf as isize);
            let coarse_row = coarse.layout.at(0, j as isize, k as isize);
            for i in 0..nc[0] {
                let f = fine_row + 2 * i;
                let mut sum = fine.r[f] + fine.r[f + 1] + fine.r[f + fs[1]] + fine.r[f + 1 + fs[1]];
                if dim == 3 {
                    let g = f + fs[2];
                    sum += fine.r[g] + fine.r[g + 1] + fine.r[g + fs[1]] + fine.r[g + 1 + fs[1]];
                }
                let idx = coarse_row + i;
                coarse.b[idx] = if coarse.diag[idx] > 0.0 {
                    sum * scale
                } else {
                    0.0
                };
            }
        }
    }
}

/// fine.x += bilinear (trilinear) interpolation of coarse.x (ghosts filled for
/// interpolation): weights 3/4 on the nearest coarse cell and 1/4 on the next, per axis.
fn prolong_add(coarse: &Level, fine: &mut Level) {
    let dim = fine.dim();
    let nf = fine.layout.interior;
    let cs = coarse.layout.stride;
    let x = &coarse.x;
    for k in 0..nf[2] {
        let (kc, sk) = if dim == 3 {
            (
                k / 2,
                if k % 2 == 0 {
                    -(cs[2] as isize)
                } else {
                    cs[2] as isize
                },
            )
        } else {
            (k, 0)
        };
        for j in 0..nf[1] {
            let sj = if j % 2 == 0 {
                -(cs[1] as isize)
            } else {
                cs[1] as isize
            };
            let coarse_row = coarse.layout.at(0, (j / 2) as isize, kc as isize);
            let fine_row = fine.layout.at(0, j as isize, k as isize);
            for i in 0..nf[0] {
                let idx = fine_row + i;
                if fine.diag[idx] <= 0.0 {
                    continue;
                }
                let si: isize = if i % 2 == 0 { -1 } else { 1 };
                let c = (coarse_row + i / 2) as isize;
                let plane = |c: isize| {
                    0.5625 * x[c as usize]
                        + 0.1875 * (x[(c + si) as usize] + x[(c + sj) as usize])
                        + 0.0625 * x[(c + si + sj) as usize]
                };
                fine.x[idx] += if dim == 3 {
                    0.75 * plane(c) + 0.25 * plane(c + sk)
                } else {
                    plane(c)
                };
            }
        }
    }
}
