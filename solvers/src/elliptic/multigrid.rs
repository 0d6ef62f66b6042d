//! A symmetric multigrid V-cycle for 9-point stencil operators on a square vertex grid with
//! Dirichlet boundaries, used as the preconditioner of conjugate gradients.
//!
//! Grid: `nodes` × `nodes` vertices, row-major, boundary included; the unknowns are the
//! interior nodes and every vector keeps zeros on the boundary, so the stencil loops need no
//! branches. An operator is one `[f64; 9]` per node: entry `(di + 1) * 3 + (dj + 1)` couples
//! node (i, j) to (i + di, j + dj); boundary rows are unused and couplings to boundary nodes
//! are ignored (those values are zero).
//!
//! Coarsening: a level with m intervals keeps the nodes 0, 2, 4, ... and the last one, so the
//! coarse grid has ceil(m/2) intervals of one or two fine intervals. This works for every m
//! (420 = 2²·105 coarsens 420 → 210 → 105 → 53 → 27 → 14 → 7), not just powers of two.
//! Interpolation P is the tensor product of 1D linear interpolation on that grid, restriction
//! is P^T and the coarse operators are Galerkin products P^T A P, which stay 9-point and follow
//! jumps in the coefficient without any geometric averaging. The coarsest level
//! (at most `COARSEST_INTERVALS` intervals a side) is solved by a dense Cholesky factorisation.
//!
//! Symmetry: one forward Gauss–Seidel sweep before the coarse correction and one backward
//! sweep after it (the adjoint of the forward one in the A inner product) and an exact coarse
//! solve make the V-cycle a symmetric positive definite operator, as CG requires.

/// Levels are coarsened until at most this many intervals a side remain.
const COARSEST_INTERVALS: usize = 8;

/// Gauss–Seidel sweeps before (forward) and after (backward) the coarse correction.
const SWEEPS: usize = 1;

/// Couplings of one node to itself and its eight neighbours, `(di + 1) * 3 + (dj + 1)`.
pub type Stencil = [f64; 9];

/// The diagonal entry of a `Stencil`.
pub const CENTRE: usize = 4;

/// out = A u at the interior nodes, zero on the boundary.
pub fn apply(stencil: &[Stencil], nodes: usize, u: &[f64], out: &mut [f64]) {
    apply_with::<false>(stencil, nodes, u, out);
}

/// `apply`, skipping the corner couplings when `FIVE_POINT` (they must then be zero).
fn apply_with<const FIVE_POINT: bool>(stencil: &[Stencil], n: usize, u: &[f64], out: &mut [f64]) {
    out[..n].fill(0.0);
    out[(n - 1) * n..].fill(0.0);
    for i in 1..n - 1 {
        out[i * n] = 0.0;
        out[i * n + n - 1] = 0.0;
        for p in i * n + 1..i * n + n - 1 {
            let s = &stencil[p];
            let mut sum =
                s[1] * u[p - n] + s[3] * u[p - 1] + s[4] * u[p] + s[5] * u[p + 1] + s[7] * u[p + n];
            if !FIVE_POINT {
                sum += s[0] * u[p - n - 1]
                    + s[2] * u[p - n + 1]
                    + s[6] * u[p + n - 1]
                    + s[8] * u[p + n + 1];
            }
            out[p] = sum;
        }
    }
}

/// The interior coarse nodes a fine node interpolates from, with their weights: one node
/// (weight 1) where the fine node is a coarse node, two (1/2 each) between coarse nodes;
/// coarse boundary nodes (value zero) are left out, and fine boundary nodes have none.
#[derive(Clone, Copy, Debug, Default)]
struct Sources {
    coarse: [usize; 2],
    weight: [f64; 2],
    count: usize,
}

impl Sources {
    fn iter(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.coarse
            .iter()
            .zip(&self.weight)
            .take(self.count)
            .map(|(&k, &w)| (k, w))
    }
}

/// The 1D interpolation from the coarse grid of an `intervals`-interval line (coarse nodes at
/// fine nodes 0, 2, 4, ... and the last): the sources of each fine node, and the coarse
/// grid's interval count.
fn sources_1d(intervals: usize) -> (Vec<Sources>, usize) {
    let coarse_intervals = intervals.div_ceil(2);
    let interior = |k: usize| (1..coarse_intervals).contains(&k);
    let sources = (0..=intervals)
        .map(|i| {
            let mut sources = Sources::default();
            let candidates: &[(usize, f64)] = if i == 0 || i == intervals {
                &[]
            } else if i % 2 == 0 {
                &[(i / 2, 1.0)]
            } else {
                &[(i / 2, 0.5), (i / 2 + 1, 0.5)]
            };
            for &(k, w) in candidates.iter().filter(|(k, _)| interior(*k)) {
                sources.coarse[sources.count] = k;
                sources.weight[sources.count] = w;
                sources.count += 1;
            }
            sources
        })
        .collect();
    (sources, coarse_intervals)
}

/// One grid of the hierarchy with its operator and work vectors.
struct Level {
    nodes: usize,
    stencil: Vec<Stencil>,
    /// No corner couplings (the finest level's 5-point operator): the sweeps skip them.
    five_point: bool,
    /// 1 / the diagonal (0 on the boundary): a multiplication keeps the division's latency
    /// off the sweep's node-to-node dependency chain.
    inverse_diagonal: Vec<f64>,
    solution: Vec<f64>,
    rhs: Vec<f64>,
    residual: Vec<f64>,
}

impl Level {
    fn new(stencil: Vec<Stencil>, nodes: usize) -> Self {
        let five_point = stencil
            .iter()
            .all(|s| s[0] == 0.0 && s[2] == 0.0 && s[6] == 0.0 && s[8] == 0.0);
        let inverse_diagonal = stencil
            .iter()
            .map(|s| {
                if s[CENTRE] != 0.0 {
                    1.0 / s[CENTRE]
                } else {
                    0.0
                }
            })
            .collect();
        Self {
            nodes,
            stencil,
            five_point,
            inverse_diagonal,
            solution: vec![0.0; nodes * nodes],
            rhs: vec![0.0; nodes * nodes],
            residual: vec![0.0; nodes * nodes],
        }
    }

    fn gauss_seidel(&mut self, forward: bool) {
        match (self.five_point, forward) {
            (true, true) => self.sweep::<true, true>(),
            (true, false) => self.sweep::<true, false>(),
            (false, true) => self.sweep::<false, true>(),
            (false, false) => self.sweep::<false, false>(),
        }
    }

    /// One Gauss–Seidel sweep over the interior, lexicographic or in reverse.
    fn sweep<const FIVE_POINT: bool, const FORWARD: bool>(&mut self) {
        let n = self.nodes;
        let u = &mut self.solution;
        for row in 1..n - 1 {
            let i = if FORWARD { row } else { n - 1 - row };
            for column in 1..n - 1 {
                let j = if FORWARD { column } else { n - 1 - column };
                let p = i * n + j;
                let s = &self.stencil[p];
                let mut off = s[1] * u[p - n] + s[3] * u[p - 1] + s[5] * u[p + 1] + s[7] * u[p + n];
                if !FIVE_POINT {
                    off += s[0] * u[p - n - 1]
                        + s[2] * u[p - n + 1]
                        + s[6] * u[p + n - 1]
                        + s[8] * u[p + n + 1];
                }
                u[p] = (self.rhs[p] - off) * self.inverse_diagonal[p];
            }
        }
    }

    fn compute_residual(&mut self) {
        if self.five_point {
            apply_with::<true>(
                &self.stencil,
                self.nodes,
                &self.solution,
                &mut self.residual,
            );
        } else {
            apply_with::<false>(
                &self.stencil,
                self.nodes,
                &self.solution,
                &mut self.residual,
            );
        }
        let n = self.nodes;
        for i in 1..n - 1 {
            for p in i * n + 1..i * n + n - 1 {
                self.residual[p] = self.rhs[p] - self.residual[p];
            }
        }
    }
}

/// The coarsest operator's Cholesky factorisation met a non-positive pivot.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("coarsest multigrid operator is not positive definite (pivot {pivot:e})")]
pub struct NotPositiveDefinite {
    pub pivot: f64,
}

/// The dense Cholesky factor of the coarsest operator over its interior nodes.
struct CoarseSolver {
    nodes: usize,
    unknowns: usize,
    factor: Vec<f64>,
    work: Vec<f64>,
}

impl CoarseSolver {
    fn new(stencil: &[Stencil], nodes: usize) -> Result<Self, NotPositiveDefinite> {
        let inner = nodes - 2;
        let unknowns = inner * inner;
        let mut matrix = vec![0.0; unknowns * unknowns];
        for i in 1..nodes - 1 {
            for j in 1..nodes - 1 {
                let row = (i - 1) * inner + (j - 1);
                for (o, &value) in stencil[i * nodes + j].iter().enumerate() {
                    let (qi, qj) = (i + o / 3 - 1, j + o % 3 - 1);
                    if (1..nodes - 1).contains(&qi) && (1..nodes - 1).contains(&qj) {
                        matrix[row * unknowns + (qi - 1) * inner + (qj - 1)] = value;
                    }
                }
            }
        }
        // In place: the lower triangle becomes L with A = L L^T.
        for k in 0..unknowns {
            let pivot = matrix[k * unknowns + k]
                - (0..k)
                    .map(|m| matrix[k * unknowns + m].powi(2))
                    .sum::<f64>();
            // Rounding can only break this for absurd coefficient contrasts.
            if pivot.is_nan() || pivot <= 0.0 {
                return Err(NotPositiveDefinite { pivot });
            }
            let diagonal = pivot.sqrt();
            matrix[k * unknowns + k] = diagonal;
            for r in k + 1..unknowns {
                let dot: f64 = (0..k)
                    .map(|m| matrix[r * unknowns + m] * matrix[k * unknowns + m])
                    .sum();
                matrix[r * unknowns + k] = (matrix[r * unknowns + k] - dot) / diagonal;
            }
        }
        Ok(Self {
            nodes,
            unknowns,
            factor: matrix,
            work: vec![0.0; unknowns],
        })
    }

    /// solution = A^-1 rhs at the interior nodes.
    fn solve(&mut self, rhs: &[f64], solution: &mut [f64]) {
        let (n, inner, size) = (self.nodes, self.nodes - 2, self.unknowns);
        let l = &self.factor;
        for k in 0..size {
            let b = rhs[(k / inner + 1) * n + k % inner + 1];
            let dot: f64 = (0..k).map(|m| l[k * size + m] * self.work[m]).sum();
            self.work[k] = (b - dot) / l[k * size + k];
        }
        for k in (0..size).rev() {
            let dot: f64 = (k + 1..size).map(|m| l[m * size + k] * self.work[m]).sum();
            self.work[k] = (self.work[k] - dot) / l[k * size + k];
        }
        for k in 0..size {
            solution[(k / inner + 1) * n + k % inner + 1] = self.work[k];
        }
    }
}

/// The multigrid hierarchy of one operator; `precondition` applies one V-cycle.
pub struct Multigrid {
    levels: Vec<Level>,
    /// sources[l]: interpolation from level l + 1 to level l, per node of level l's side.
    sources: Vec<Vec<Sources>>,
    /// scratch[l]: level l restricted or interpolated along one axis only, (nodes_l, nodes_l+1).
    scratch: Vec<Vec<f64>>,
    coarse: CoarseSolver,
}

impl Multigrid {
    /// The hierarchy of the operator `stencil` on a `nodes` × `nodes` grid (nodes >= 3). The
    /// operator must be symmetric positive definite on the interior nodes.
    pub fn new(stencil: Vec<Stencil>, nodes: usize) -> Result<Self, NotPositiveDefinite> {
        assert!(nodes >= 3, "need at least one interior node");
        assert_eq!(stencil.len(), nodes * nodes);
        let mut levels = vec![Level::new(stencil, nodes)];
        let (mut sources, mut scratch) = (Vec::new(), Vec::new());
        loop {
            let fine = levels.last().expect("level 0 exists");
            let intervals = fine.nodes - 1;
            if intervals <= COARSEST_INTERVALS {
                break;
            }
            let (level_sources, coarse_intervals) = sources_1d(intervals);
            let coarse =
                galerkin_product(&fine.stencil, fine.nodes, &level_sources, coarse_intervals);
            scratch.push(vec![0.0; fine.nodes * (coarse_intervals + 1)]);
            levels.push(Level::new(coarse, coarse_intervals + 1));
            sources.push(level_sources);
        }
        let last = levels.last().expect("level 0 exists");
        let coarse = CoarseSolver::new(&last.stencil, last.nodes)?;
        Ok(Self {
            levels,
            sources,
            scratch,
            coarse,
        })
    }

    /// The number of grids, the finest included.
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// Bytes held by a hierarchy on a `nodes` × `nodes` grid (a bound, for memory estimates).
    pub fn bytes_for(nodes: usize) -> usize {
        // Each level: 9 stencil values, the inverse diagonal, 3 vectors and half a node of
        // scratch per node; levels shrink by ~4, so the sum is at most 4/3 of the finest. Plus
        // the dense coarse factor.
        let per_node = (9 + 1 + 3 + 1) * std::mem::size_of::<f64>();
        let coarse = (COARSEST_INTERVALS - 1).pow(4) * std::mem::size_of::<f64>();
        nodes * nodes * per_node * 4 / 3 + coarse
    }

    /// out = B residual with B one symmetric V-cycle (B ≈ A^-1). Boundary values of
    /// `residual` are ignored; `out` is zero on the boundary.
    pub fn precondition(&mut self, residual: &[f64], out: &mut [f64]) {
        self.levels[0].rhs.copy_from_slice(residual);
        cycle(
            &mut self.levels,
            &self.sources,
            &mut self.scratch,
            &mut self.coarse,
        );
        out.copy_from_slice(&self.levels[0].solution);
    }
}

/// One V-cycle on `levels[0]` (its rhs in, its solution out), recursing to the coarse solve.
fn cycle(
    levels: &mut [Level],
    sources: &[Vec<Sources>],
    scratch: &mut [Vec<f64>],
    coarse_solver: &mut CoarseSolver,
) {
    let (fine, coarser) = levels.split_first_mut().expect("at least one level");
    if coarser.is_empty() {
        coarse_solver.solve(&fine.rhs, &mut fine.solution);
        return;
    }
    let (half, coarser_scratch) = scratch.split_first_mut().expect("one per coarse level");
    fine.solution.fill(0.0);
    for _ in 0..SWEEPS {
        fine.gauss_seidel(true);
    }
    fine.compute_residual();
    let coarse = &mut coarser[0];
    restrict(
        &fine.residual,
        fine.nodes,
        &sources[0],
        half,
        &mut coarse.rhs,
        coarse.nodes,
    );

    cycle(coarser, &sources[1..], coarser_scratch, coarse_solver);

    let coarse = &coarser[0];
    interpolate_add(
        &coarse.solution,
        coarse.nodes,
        &sources[0],
        half,
        &mut fine.solution,
        fine.nodes,
    );
    for _ in 0..SWEEPS {
        fine.gauss_seidel(false);
    }
}

/// coarse = P^T fine at the coarse interior nodes (zero on the coarse boundary), one axis at a
/// time through `half` (fine rows × coarse columns).
fn restrict(
    fine: &[f64],
    nf: usize,
    sources: &[Sources],
    half: &mut [f64],
    coarse: &mut [f64],
    nc: usize,
) {
    for i in 1..nf - 1 {
        let row = &fine[i * nf..(i + 1) * nf];
        let out = &mut half[i * nc..(i + 1) * nc];
        out.fill(0.0);
        for j in 1..nf - 1 {
            for (k, w) in sources[j].iter() {
                out[k] += w * row[j];
            }
        }
    }
    coarse.fill(0.0);
    for i in 1..nf - 1 {
        for (k, w) in sources[i].iter() {
            let (out, row) = (
                &mut coarse[k * nc..(k + 1) * nc],
                &half[i * nc..(i + 1) * nc],
            );
            for (o, v) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }
}

/// fine += P coarse at the fine interior nodes, one axis at a time through `half`.
fn interpolate_add(
    coarse: &[f64],
    nc: usize,
    sources: &[Sources],
    half: &mut [f64],
    fine: &mut [f64],
    nf: usize,
) {
    for i in 1..nf - 1 {
        let out = &mut half[i * nc..(i + 1) * nc];
        out.fill(0.0);
        for (k, w) in sources[i].iter() {
            for (o, v) in out.iter_mut().zip(&coarse[k * nc..(k + 1) * nc]) {
                *o += w * v;
            }
        }
    }
    for i in 1..nf - 1 {
        let row = &half[i * nc..(i + 1) * nc];
        let out = &mut fine[i * nf..(i + 1) * nf];
        for j in 1..nf - 1 {
            out[j] += sources[j].iter().map(|(k, w)| w * row[k]).sum::<f64>();
        }
    }
}

/// The coarse operator P^T A P as a 9-point stencil on the coarse grid.
fn galerkin_product(
    fine: &[Stencil],
    nf: usize,
    sources: &[Sources],
    coarse_intervals: usize,
) -> Vec<Stencil> {
    let nc = coarse_intervals + 1;
    let mut coarse = vec![[0.0; 9]; nc * nc];
    for i in 1..nf - 1 {
        for j in 1..nf - 1 {
            for (o, &value) in fine[i * nf + j].iter().enumerate() {
                if value == 0.0 {
                    continue;
                }
                // Couplings to boundary nodes meet sources with count 0 and vanish.
                let (qi, qj) = (i + o / 3 - 1, j + o % 3 - 1);
                for (ki, wi) in sources[i].iter() {
                    for (kj, wj) in sources[j].iter() {
                        let target = &mut coarse[ki * nc + kj];
                        let weight = wi * wj * value;
                        for (li, vi) in sources[qi].iter() {
                            for (lj, vj) in sources[qj].iter() {
                                // Coarse spacing of one or two fine intervals keeps |L − K| <= 1.
                                target[(li + 1 - ki) * 3 + (lj + 1 - kj)] += weight * vi * vj;
                            }
                        }
                    }
                }
            }
        }
    }
    coarse
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 5-point Laplacian (times h²) on an n × n vertex grid.
    fn laplacian(n: usize) -> Vec<Stencil> {
        let mut stencil = vec![[0.0; 9]; n * n];
        for s in stencil.iter_mut() {
            *s = [0.0, -1.0, 0.0, -1.0, 4.0, -1.0, 0.0, -1.0, 0.0];
        }
        stencil
    }

    fn dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// A deterministic pseudo-random interior vector (boundary zero).
    fn test_vector(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        let mut v = vec![0.0; n * n];
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                v[i * n + j] = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            }
        }
        v
    }

    #[test]
    fn sources_cover_even_and_odd_interval_counts() {
        let list = |s: &Sources| s.iter().collect::<Vec<_>>();
        // 6 intervals -> 3: coarse nodes at fine 0, 2, 4, 6; interior coarse nodes 1, 2.
        let (t, m) = sources_1d(6);
        assert_eq!(m, 3);
        assert_eq!(list(&t[0]), []);
        assert_eq!(list(&t[1]), [(1, 0.5)]);
        assert_eq!(list(&t[2]), [(1, 1.0)]);
        assert_eq!(list(&t[3]), [(1, 0.5), (2, 0.5)]);
        assert_eq!(list(&t[5]), [(2, 0.5)]);
        // 7 intervals -> 4: coarse nodes at fine 0, 2, 4, 6, 7 (the last interval is short).
        let (t, m) = sources_1d(7);
        assert_eq!(m, 4);
        assert_eq!(list(&t[5]), [(2, 0.5), (3, 0.5)]);
        assert_eq!(list(&t[6]), [(3, 1.0)]);
        assert_eq!(list(&t[7]), []);
    }

    #[test]
    fn galerkin_operator_of_the_laplacian_is_symmetric_and_positive() {
        // P^T A P must be symmetric (x^T Ac y = y^T Ac x) and positive (x^T Ac x > 0).
        for n in [18, 19] {
            let fine = laplacian(n);
            let (t, mc) = sources_1d(n - 1);
            let coarse = galerkin_product(&fine, n, &t, mc);
            let nc = mc + 1;
            let (x, y) = (test_vector(nc, 1), test_vector(nc, 2));
            let (mut ax, mut ay) = (vec![0.0; nc * nc], vec![0.0; nc * nc]);
            apply(&coarse, nc, &x, &mut ax);
            apply(&coarse, nc, &y, &mut ay);
            assert!((dot(&y, &ax) - dot(&x, &ay)).abs() < 1e-12 * dot(&x, &ax).abs());
            assert!(dot(&x, &ax) > 0.0);
        }
    }

    #[test]
    fn the_v_cycle_is_symmetric_and_contracts_the_error() {
        // Symmetry of B (y^T B x = x^T B y) is what CG needs; a V-cycle worth its name reduces
        // the A-norm of the error of any vector by a resolution-independent factor (< 0.2).
        for n in [65, 64, 422] {
            let stencil = laplacian(n);
            let mut mg = Multigrid::new(stencil.clone(), n).unwrap();
            let (x, y) = (test_vector(n, 3), test_vector(n, 4));
            let (mut bx, mut by) = (vec![0.0; n * n], vec![0.0; n * n]);
            mg.precondition(&x, &mut bx);
            mg.precondition(&y, &mut by);
            let (ybx, xby) = (dot(&y, &bx), dot(&x, &by));
            assert!((ybx - xby).abs() < 1e-10 * ybx.abs(), "{ybx} vs {xby}");

            // Error propagation: e -> e - B A e.
            let e = x;
            let mut ae = vec![0.0; n * n];
            apply(&stencil, n, &e, &mut ae);
            let mut bae = vec![0.0; n * n];
            mg.precondition(&ae, &mut bae);
            let e_next: Vec<f64> = e.iter().zip(&bae).map(|(a, b)| a - b).collect();
            let mut ae_next = vec![0.0; n * n];
            apply(&stencil, n, &e_next, &mut ae_next);
            let ratio = (dot(&e_next, &ae_next) / dot(&e, &ae)).sqrt();
            eprintln!("n {n}: V-cycle A-norm contraction {ratio:.3}");
            assert!(ratio < 0.2, "n {n}: A-norm contraction {ratio}");
        }
    }
}
