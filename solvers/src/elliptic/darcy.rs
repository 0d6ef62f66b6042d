//! Darcy flow: −∇·(a∇u) = f on the unit square, u = 0 on its boundary.
//!
//! Discretisation: a vertex-centred grid of S × S nodes (x_i = i h, y_j = j h, h = 1/(S−1)),
//! boundary included, row-major with the first axis x: node (i, j) is at index i S + j. The
//! unknowns are the interior nodes; the 5-point stencil at (i, j) reads
//!
//!   Σ_nb a_face (u_ij − u_nb) / h² = f_ij,   a_face = 2 a_ij a_nb / (a_ij + a_nb),
//!
//! over the four neighbours nb, the face coefficient being the harmonic mean of the nodal
//! coefficients at the two nodes the face joins (boundary nodes' coefficients included).
//!
//! Solver: conjugate gradients preconditioned by one symmetric multigrid V-cycle
//! (`multigrid`), from u = 0, until the relative residual ||b − A u||₂ / ||b||₂ of the
//! interior system (A the stencil above, b = f) is at most the tolerance; the residual is
//! recomputed from scratch at the end so the reported value is the true one.

use super::multigrid::{self, Multigrid, NotPositiveDefinite, Stencil};

/// CG iterations after which a solve is declared failed (a healthy solve needs ~10).
const MAX_ITERATIONS: usize = 500;

/// A solved Darcy problem.
#[derive(Clone, Debug)]
pub struct DarcySolution {
    /// u at all S × S nodes, row-major (x, y), zero on the boundary.
    pub u: Vec<f64>,
    /// PCG iterations taken.
    pub iterations: usize,
    /// ||b − A u||₂ / ||b||₂ of the returned u over the interior nodes.
    pub relative_residual: f64,
}

/// Why a Darcy solve was refused or failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DarcyError {
    #[error("grid of {nodes} nodes a side: need at least 3 (one interior node)")]
    GridTooSmall { nodes: usize },
    #[error("{name} has {actual} values, expected {expected} (S × S)")]
    WrongLength {
        name: &'static str,
        actual: usize,
        expected: usize,
    },
    #[error("coefficient {value} at node {index} is not positive and finite")]
    InvalidCoefficient { index: usize, value: f64 },
    #[error(transparent)]
    NotPositiveDefinite(#[from] NotPositiveDefinite),
    #[error(
        "no convergence: relative residual {relative_residual:e} after {iterations} iterations"
    )]
    NoConvergence {
        iterations: usize,
        relative_residual: f64,
    },
}

/// Solves −∇·(a∇u) = f (constant f) with u = 0 on the boundary, `coefficient` the nodal a
/// on the S × S grid (row-major, first axis x), to relative residual `tolerance`.
pub fn solve_darcy(
    coefficient: &[f64],
    s: usize,
    f: f64,
    tolerance: f64,
) -> Result<DarcySolution, DarcyError> {
    let source = vec![f; s * s];
    solve_diffusion(coefficient, s, &source, tolerance)
}

/// As `solve_darcy` with a nodal source f (S × S values; boundary values are not used).
pub fn solve_diffusion(
    coefficient: &[f64],
    s: usize,
    source: &[f64],
    tolerance: f64,
) -> Result<DarcySolution, DarcyError> {
    if s < 3 {
        return Err(DarcyError::GridTooSmall { nodes: s });
    }
    for (name, values) in [("coefficient", coefficient), ("source", source)] {
        if values.len() != s * s {
            return Err(DarcyError::WrongLength {
                name,
                actual: values.len(),
                expected: s * s,
            });
        }
    }
    if let Some((index, &value)) = coefficient
        .iter()
        .enumerate()
        .find(|(_, a)| !(a.is_finite() && **a > 0.0))
    {
        return Err(DarcyError::InvalidCoefficient { index, value });
    }

    // Solve the system scaled by h² (stencil without 1/h², b = h² f): the same u, and the same
    // relative residual.
    let h = 1.0 / (s - 1) as f64;
    let faces = Faces::new(coefficient, s);
    let mut rhs = vec![0.0; s * s];
    for i in 1..s - 1 {
        for j in 1..s - 1 {
            rhs[i * s + j] = h * h * source[i * s + j];
        }
    }
    let mut u = vec![0.0; s * s];
    let (iterations, relative_residual) = preconditioned_cg(&faces, &rhs, &mut u, tolerance)?;
    Ok(DarcySolution {
        u,
        iterations,
        relative_residual,
    })
}

/// The harmonic mean 2 a b / (a + b), the coefficient of the face between nodal values a, b.
pub fn face_coefficient(a: f64, b: f64) -> f64 {
    2.0 * a * b / (a + b)
}

/// h² × the operator, by its face coefficients: x[p] joins node p = (i, j) to (i + 1, j),
/// y[p] joins it to (i, j + 1).
struct Faces {
    s: usize,
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Faces {
    fn new(coefficient: &[f64], s: usize) -> Self {
        let mut x = vec![0.0; s * s];
        let mut y = vec![0.0; s * s];
        for i in 0..s {
            for j in 0..s {
                let p = i * s + j;
                if i + 1 < s {
                    x[p] = face_coefficient(coefficient[p], coefficient[p + s]);
                }
                if j + 1 < s {
                    y[p] = face_coefficient(coefficient[p], coefficient[p + 1]);
                }
            }
        }
        Self { s, x, y }
    }

    /// out = A u at the interior nodes (zero on the boundary; u must be zero there), summed
    /// as fluxes face × (u_p − u_q): differences of neighbouring values lose less to rounding
    /// than the stencil form u_p Σ faces − Σ faces u_q, which halves the residual's rounding
    /// floor (measured at S = 421: 2.4e-12 relative against 5.3e-12).
    fn apply(&self, u: &[f64], out: &mut [f64]) {
        let s = self.s;
        out.fill(0.0);
        for i in 1..s - 1 {
            for p in i * s + 1..i * s + s - 1 {
                let up = u[p];
                out[p] = self.x[p] * (up - u[p + s])
                    + self.x[p - s] * (up - u[p - s])
                    + self.y[p] * (up - u[p + 1])
                    + self.y[p - 1] * (up - u[p - 1]);
            }
        }
    }

    /// The same operator as 9-point stencils (corners zero), for the multigrid hierarchy.
    fn stencil(&self) -> Vec<Stencil> {
        let s = self.s;
        let mut stencil = vec![[0.0; 9]; s * s];
        for i in 1..s - 1 {
            let interior = i * s + 1..i * s + s - 1;
            for (p, row) in interior.clone().zip(&mut stencil[interior]) {
                let (west, east) = (self.x[p - s], self.x[p]);
                let (south, north) = (self.y[p - 1], self.y[p]);
                row[1] = -west;
                row[7] = -east;
                row[3] = -south;
                row[5] = -north;
                row[multigrid::CENTRE] = west + east + south + north;
            }
        }
        stencil
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// CG on A u = b preconditioned by a multigrid V-cycle, from the given u. Returns the
/// iteration count and the true final relative residual.
fn preconditioned_cg(
    operator: &Faces,
    b: &[f64],
    u: &mut [f64],
    tolerance: f64,
) -> Result<(usize, f64), DarcyError> {
    let b_norm = dot(b, b).sqrt();
    if b_norm == 0.0 {
        u.fill(0.0);
        return Ok((0, 0.0));
    }
    let s = operator.s;
    let mut multigrid = Multigrid::new(operator.stencil(), s)?;
    let n = s * s;
    let (mut r, mut z, mut p, mut q) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);

    let true_residual = |u: &[f64], r: &mut [f64]| {
        operator.apply(u, r);
        for (r, b) in r.iter_mut().zip(b) {
            *r = b - *r;
        }
        dot(r, r).sqrt() / b_norm
    };

    let mut iterations = 0;
    let mut relative = true_residual(u, &mut r);
    // Restart from the true residual if rounding drift stops the recurrence short of the
    // tolerance (rare; costs one extra operator application otherwise). A restart that does
    // not halve the true residual means it sits at its rounding floor, ~eps ||A|| ||u|| / ||b||
    // (about 2e-12 at S = 421, growing as S²): the tolerance is then out of reach.
    let mut previous = f64::INFINITY;
    // Written so that a NaN (a breakdown) ends the loop and fails the check below.
    while relative > tolerance && relative < 0.5 * previous && iterations < MAX_ITERATIONS {
        previous = relative;
        multigrid.precondition(&r, &mut z);
        p.copy_from_slice(&z);
        let mut rz = dot(&r, &z);
        while iterations < MAX_ITERATIONS {
            iterations += 1;
            operator.apply(&p, &mut q);
            let alpha = rz / dot(&p, &q);
            for k in 0..n {
                u[k] += alpha * p[k];
                r[k] -= alpha * q[k];
            }
            // The recurrence's residual, which CG minimises; checked against the true one below.
            if dot(&r, &r).sqrt() / b_norm <= tolerance {
                break;
            }
            multigrid.precondition(&r, &mut z);
            let rz_next = dot(&r, &z);
            let beta = rz_next / rz;
            rz = rz_next;
            for k in 0..n {
                p[k] = z[k] + beta * p[k];
            }
        }
        relative = true_residual(u, &mut r);
    }
    if relative.is_nan() || relative > tolerance {
        return Err(DarcyError::NoConvergence {
            iterations,
            relative_residual: relative,
        });
    }
    Ok((iterations, relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stencil_is_the_harmonic_mean_five_point_operator() {
        let s = 4;
        let coefficient: Vec<f64> = (0..s * s).map(|k| 1.0 + k as f64).collect();
        let st = Faces::new(&coefficient, s).stencil();
        // Node (1, 2) = index 6: neighbours 2 (x−), 10 (x+), 5 (y−), 7 (y+).
        let a = |k: usize| coefficient[k];
        let hm = |x: f64, y: f64| 2.0 * x * y / (x + y);
        let row = st[6];
        assert_eq!(row[1], -hm(a(6), a(2)));
        assert_eq!(row[7], -hm(a(6), a(10)));
        assert_eq!(row[3], -hm(a(6), a(5)));
        assert_eq!(row[5], -hm(a(6), a(7)));
        assert_eq!(row[0] + row[2] + row[6] + row[8], 0.0);
        assert!((row.iter().sum::<f64>()).abs() < 1e-12);
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert_eq!(
            solve_darcy(&[1.0; 4], 2, 1.0, 1e-10).unwrap_err(),
            DarcyError::GridTooSmall { nodes: 2 }
        );
        assert!(matches!(
            solve_darcy(&[1.0; 8], 3, 1.0, 1e-10),
            Err(DarcyError::WrongLength { .. })
        ));
        let mut a = vec![1.0; 9];
        a[4] = 0.0;
        assert_eq!(
            solve_darcy(&a, 3, 1.0, 1e-10).unwrap_err(),
            DarcyError::InvalidCoefficient {
                index: 4,
                value: 0.0
            }
        );
    }

    #[test]
    fn one_interior_node_is_solved_exactly() {
        // S = 3, a = 1: 4 u / h² = f with h = 1/2, so u = f / 16.
        let solution = solve_darcy(&[1.0; 9], 3, 1.0, 1e-12).unwrap();
        assert!((solution.u[4] - 1.0 / 16.0).abs() < 1e-15);
        assert_eq!(solution.u.iter().filter(|&&v| v != 0.0).count(), 1);
    }

    #[test]
    fn zero_forcing_gives_zero() {
        let solution = solve_darcy(&[2.0; 100], 10, 0.0, 1e-10).unwrap();
        assert!(solution.u.iter().all(|&v| v == 0.0));
        assert_eq!(solution.iterations, 0);
    }

    #[test]
    fn a_tolerance_below_the_rounding_floor_fails_promptly() {
        // At S = 129 the floor is ~1e-13: 1e-15 cannot be reached and must be reported, after
        // a couple of restarts rather than MAX_ITERATIONS.
        let s = 129;
        let coefficient: Vec<f64> = (0..s * s)
            .map(|k| if (k / s + k % s) % 7 < 3 { 3.0 } else { 12.0 })
            .collect();
        match solve_darcy(&coefficient, s, 1.0, 1e-15) {
            Err(DarcyError::NoConvergence {
                iterations,
                relative_residual,
            }) => {
                assert!(iterations < 60, "{iterations}");
                assert!(relative_residual > 1e-15 && relative_residual < 1e-11);
            }
            other => panic!("{other:?}"),
        }
    }
}
