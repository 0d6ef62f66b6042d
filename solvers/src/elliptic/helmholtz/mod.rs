//! The Helmholtz equation Δu + k(x)² u = f on a square grid: second-order finite differences,
//! optional complex coordinate stretching (a perfectly matched layer), and a direct banded LU
//! solve.
//!
//! With stretched coordinates d/dx -> (1/s_x) d/dx, d/dy -> (1/s_y) d/dy, the equation
//! multiplied by s_x s_y takes the symmetric divergence form
//!
//! ∂x( (s_y/s_x) ∂x u ) + ∂y( (s_x/s_y) ∂y u ) + s_x s_y k² u = s_x s_y f,
//!
//! which the 5-point stencil discretises with the coefficients at the cell midpoints, giving a
//! complex symmetric matrix. With s = 1 it is the plain 5-point Laplacian plus k².
//!
//! Grid: n × n unknowns at spacing h, row-major with index i * n + j, i along x (first axis)
//! and j along y. The nodes one step outside (i or j = -1 or n) are walls with known values
//! (zero, or Dirichlet data added with `add_dirichlet_data`).

pub mod banded;
pub mod pml;

pub use pml::{solve_unit_square_with_pml, Pml, PmlSolution};

use banded::{BandedLu, BandedMatrix, FactorisationError};
use num_complex::Complex64;

/// A coordinate stretching factor s(x) along one axis, at the n nodes and at the n + 1
/// midpoints between consecutive nodes (midpoint m lies between node m - 1 and node m; the
/// first and last lie between a wall and the grid).
#[derive(Clone, Debug, PartialEq)]
pub struct Stretch {
    nodes: Vec<Complex64>,
    midpoints: Vec<Complex64>,
}

impl Stretch {
    /// No stretching: s = 1.
    pub fn identity(n: usize) -> Self {
        Self::from_fn(n, 0.0, 1.0, |_| Complex64::new(1.0, 0.0))
    }

    /// s evaluated at the nodes x_i = first + i h and the midpoints first + (m - 1/2) h.
    pub fn from_fn(n: usize, first: f64, h: f64, s: impl Fn(f64) -> Complex64) -> Self {
        Self {
            nodes: (0..n).map(|i| s(first + i as f64 * h)).collect(),
            midpoints: (0..=n).map(|m| s(first + (m as f64 - 0.5) * h)).collect(),
        }
    }

    fn len(&self) -> usize {
        self.nodes.len()
    }
}

/// The discrete operator A of the stretched, multiplied Helmholtz equation (module docs).
#[derive(Clone, Debug)]
pub struct HelmholtzOperator {
    n: usize,
    inverse_h2: f64,
    wavenumber_squared: Vec<f64>,
    stretch_x: Stretch,
    stretch_y: Stretch,
}

impl HelmholtzOperator {
    /// The operator on n × n unknowns at spacing h, with k² given at every unknown.
    pub fn new(
        n: usize,
        h: f64,
        wavenumber_squared: Vec<f64>,
        stretch_x: Stretch,
        stretch_y: Stretch,
    ) -> Self {
        assert!(n >= 1 && h > 0.0);
        assert_eq!(wavenumber_squared.len(), n * n);
        assert_eq!(stretch_x.len(), n);
        assert_eq!(stretch_y.len(), n);
        Self {
            n,
            inverse_h2: 1.0 / (h * h),
            wavenumber_squared,
            stretch_x,
            stretch_y,
        }
    }

    /// Unknowns per side.
    pub fn side(&self) -> usize {
        self.n
    }

    /// Coupling of node (m - 1, j) and node (m, j): (s_y / s_x) / h² at x-midpoint m.
    fn coupling_x(&self, m: usize, j: usize) -> Complex64 {
        self.stretch_y.nodes[j] / self.stretch_x.midpoints[m] * self.inverse_h2
    }

    /// Coupling of node (i, m - 1) and node (i, m): (s_x / s_y) / h² at y-midpoint m.
    fn coupling_y(&self, i: usize, m: usize) -> Complex64 {
        self.stretch_x.nodes[i] / self.stretch_y.midpoints[m] * self.inverse_h2
    }

    fn diagonal(&self, i: usize, j: usize) -> Complex64 {
        let mass = self.stretch_x.nodes[i]
            * self.stretch_y.nodes[j]
            * self.wavenumber_squared[i * self.n + j];
        mass - self.coupling_x(i, j)
            - self.coupling_x(i + 1, j)
            - self.coupling_y(i, j)
            - self.coupling_y(i, j + 1)
    }

    /// out = A u.
    pub fn apply(&self, u: &[Complex64], out: &mut [Complex64]) {
        let n = self.n;
        assert_eq!(u.len(), n * n);
        assert_eq!(out.len(), n * n);
        for i in 0..n {
            for j in 0..n {
                let p = i * n + j;
                let mut value = self.diagonal(i, j) * u[p];
                if i > 0 {
                    value += self.coupling_x(i, j) * u[p - n];
                }
                if i + 1 < n {
                    value += self.coupling_x(i + 1, j) * u[p + n];
                }
                if j > 0 {
                    value += self.coupling_y(i, j) * u[p - 1];
                }
                if j + 1 < n {
                    value += self.coupling_y(i, j + 1) * u[p + 1];
                }
                out[p] = value;
            }
        }
    }

    /// The right-hand side s_x s_y f of the multiplied equation, f given at the unknowns.
    pub fn scaled_source(&self, source: &[Complex64]) -> Vec<Complex64> {
        let n = self.n;
        assert_eq!(source.len(), n * n);
        let mut rhs = source.to_vec();
        for i in 0..n {
            for j in 0..n {
                rhs[i * n + j] *= self.stretch_x.nodes[i] * self.stretch_y.nodes[j];
            }
        }
        rhs
    }

    /// Moves known wall values to the right-hand side: `wall(i, j)` gives u at the wall nodes
    /// (i or j equal to -1 or n), which the stencil of the nodes next to them reaches.
    pub fn add_dirichlet_data(
        &self,
        rhs: &mut [Complex64],
        wall: impl Fn(isize, isize) -> Complex64,
    ) {
        let n = self.n;
        let last = n as isize;
        for k in 0..n {
            let kk = k as isize;
            rhs[k] -= self.coupling_x(0, k) * wall(-1, kk);
            rhs[(n - 1) * n + k] -= self.coupling_x(n, k) * wall(last, kk);
            rhs[k * n] -= self.coupling_y(k, 0) * wall(kk, -1);
            rhs[k * n + n - 1] -= self.coupling_y(k, n) * wall(kk, last);
        }
    }

    /// The matrix in band storage (half bandwidth n).
    pub fn assemble(&self) -> BandedMatrix {
        let n = self.n;
        let mut matrix = BandedMatrix::zeros(n * n, n);
        for i in 0..n {
            for j in 0..n {
                let p = i * n + j;
                matrix.set(p, p, self.diagonal(i, j));
                if i > 0 {
                    matrix.set(p, p - n, self.coupling_x(i, j));
                }
                if i + 1 < n {
                    matrix.set(p, p + n, self.coupling_x(i + 1, j));
                }
                if j > 0 {
                    matrix.set(p, p - 1, self.coupling_y(i, j));
                }
                if j + 1 < n {
                    matrix.set(p, p + 1, self.coupling_y(i, j + 1));
                }
            }
        }
        matrix
    }

    /// LU factors of A, to solve with any right-hand side.
    pub fn factorize(&self) -> Result<BandedLu, FactorisationError> {
        self.assemble().factorize()
    }

    /// The solution of A u = rhs.
    pub fn solve(&self, rhs: &[Complex64]) -> Result<Vec<Complex64>, FactorisationError> {
        let mut u = rhs.to_vec();
        self.factorize()?.solve_in_place(&mut u);
        Ok(u)
    }

    /// ‖rhs - A u‖₂ / ‖rhs‖₂.
    pub fn relative_residual(&self, u: &[Complex64], rhs: &[Complex64]) -> f64 {
        let mut product = vec![Complex64::new(0.0, 0.0); u.len()];
        self.apply(u, &mut product);
        let residual: f64 = product
            .iter()
            .zip(rhs)
            .map(|(a, b)| (b - a).norm_sqr())
            .sum();
        let norm: f64 = rhs.iter().map(|b| b.norm_sqr()).sum();
        (residual / norm).sqrt()
    }

    /// Bytes a factorisation of an n × n grid takes.
    pub fn factorisation_bytes(n: usize) -> usize {
        BandedMatrix::bytes(n * n, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banded_matrix_is_the_operator_and_is_complex_symmetric() {
        let n = 5;
        let h = 0.1;
        let k2: Vec<f64> = (0..n * n).map(|p| 10.0 + p as f64).collect();
        let s = |x: f64| Complex64::new(1.0, x * x);
        let operator = HelmholtzOperator::new(
            n,
            h,
            k2,
            Stretch::from_fn(n, 0.3, h, s),
            Stretch::from_fn(n, -0.2, h, s),
        );
        let matrix = operator.assemble();
        for p in 0..n * n {
            let mut unit = vec![Complex64::new(0.0, 0.0); n * n];
            unit[p] = Complex64::new(1.0, 0.0);
            let mut column = vec![Complex64::new(0.0, 0.0); n * n];
            operator.apply(&unit, &mut column);
            for (q, &value) in column.iter().enumerate() {
                let in_band = p.abs_diff(q) <= n;
                let entry = if in_band {
                    matrix.get(q, p)
                } else {
                    Complex64::new(0.0, 0.0)
                };
                assert_eq!(value, entry, "entry ({q}, {p})");
                if in_band {
                    assert!((matrix.get(q, p) - matrix.get(p, q)).norm() < 1e-12);
                }
            }
        }
    }
}
