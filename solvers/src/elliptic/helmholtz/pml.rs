//! The unit square surrounded by a perfectly matched layer (complex coordinate stretching).
//!
//! Outside [0, 1] along each axis the coordinate is stretched by s(x) = 1 + i σ(d) / ω, d the
//! distance into the layer, with the quadratic profile σ(d) = σ_max (d / L)². A wave
//! e^{i k x} (time dependence e^{-i ω t}, so outgoing) then decays by e^{-(k/ω) ∫σ}; σ_max =
//! 3 c ln(1/R) / (2 L) makes the round trip through the layer and back, after the zero wall
//! at depth L, attenuate a normally incident wave of speed c by the design reflection R. The
//! quadratic profile grows from zero, so the discrete layer reflects little at its entrance.

use super::banded::FactorisationError;
use super::{HelmholtzOperator, Stretch};
use num_complex::Complex64;

/// The absorbing layer around the unit square.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pml {
    /// Thickness L in domain lengths, rounded to whole grid cells (at least 2).
    pub thickness: f64,
    /// Design reflection R of a normally incident wave after the round trip through the
    /// layer, in the continuum (the discrete layer adds a small reflection of its own).
    pub reflection: f64,
}

impl Pml {
    /// Grid cells across the layer at spacing h: the layer holds cells - 1 unknown nodes
    /// beyond the domain's edge node, and its outer wall (u = 0) is `cells` steps out.
    pub fn cells(&self, h: f64) -> usize {
        ((self.thickness / h).round() as usize).max(2)
    }

    /// The stretching factor at coordinate x for a layer of thickness `layer` outside [0, 1].
    fn stretch(&self, x: f64, layer: f64, speed: f64, angular_frequency: f64) -> Complex64 {
        let depth = (-x).max(x - 1.0).max(0.0);
        let sigma_max = 1.5 * speed * (1.0 / self.reflection).ln() / layer;
        let sigma = sigma_max * (depth / layer).powi(2);
        Complex64::new(1.0, sigma / angular_frequency)
    }
}

/// A solution on the unit square's S × S nodes, with the solve's relative residual.
#[derive(Clone, Debug)]
pub struct PmlSolution {
    /// u at (i h, j h), row-major (S, S), i along x.
    pub solution: Vec<Complex64>,
    /// ‖b - A u‖ / ‖b‖ of the whole system, layer included.
    pub relative_residual: f64,
}

/// The side of the grid solved for: S domain nodes plus cells - 1 layer nodes each side.
pub fn extended_side(side: usize, pml: &Pml) -> usize {
    let h = 1.0 / (side - 1) as f64;
    side + 2 * (pml.cells(h) - 1)
}

/// Solves Δu + (ω / c)² u = f on the unit square surrounded by `pml`, for c and f given at
/// the S × S vertex nodes (i h, j h), h = 1 / (S - 1), row-major, i along x. Inside the layer
/// c continues constant along the normal (the nearest edge value) and f is zero. The layer is
/// designed for the largest c, so that every wave is attenuated by at least the design R.
pub fn solve_unit_square_with_pml(
    side: usize,
    sound_speed: &[f64],
    source: &[f64],
    angular_frequency: f64,
    pml: &Pml,
) -> Result<PmlSolution, FactorisationError> {
    assert!(side >= 2);
    assert_eq!(sound_speed.len(), side * side);
    assert_eq!(source.len(), side * side);
    let h = 1.0 / (side - 1) as f64;
    let cells = pml.cells(h);
    let layer = cells as f64 * h;
    let pad = cells - 1;
    let n = side + 2 * pad;
    let clamp = |i: usize| i.saturating_sub(pad).min(side - 1);
    let mut wavenumber_squared = vec![0.0; n * n];
    let mut rhs = vec![Complex64::new(0.0, 0.0); n * n];
    for i in 0..n {
        for j in 0..n {
            let c = sound_speed[clamp(i) * side + clamp(j)];
            wavenumber_squared[i * n + j] = (angular_frequency / c).powi(2);
            let inside = (pad..pad + side).contains(&i) && (pad..pad + side).contains(&j);
            if inside {
                rhs[i * n + j] = Complex64::new(source[(i - pad) * side + (j - pad)], 0.0);
            }
        }
    }
    let speed = sound_speed.iter().copied().fold(0.0, f64::max);
    let first = -(pad as f64) * h;
    let stretch = |x: f64| pml.stretch(x, layer, speed, angular_frequency);
    let operator = HelmholtzOperator::new(
        n,
        h,
        wavenumber_squared,
        Stretch::from_fn(n, first, h, stretch),
        Stretch::from_fn(n, first, h, stretch),
    );
    // f vanishes in the layer, where s != 1, so s_x s_y f = f.
    let mut u = rhs.clone();
    operator.factorize()?.solve_in_place(&mut u);
    let relative_residual = operator.relative_residual(&u, &rhs);
    let mut solution = Vec::with_capacity(side * side);
    for i in 0..side {
        solution.extend_from_slice(&u[(i + pad) * n + pad..(i + pad) * n + pad + side]);
    }
    Ok(PmlSolution {
        solution,
        relative_residual,
    })
}

/// Peak bytes of one solve on S × S domain nodes: the band factorisation plus a few vectors.
pub fn solve_bytes(side: usize, pml: &Pml) -> usize {
    let n = extended_side(side, pml);
    HelmholtzOperator::factorisation_bytes(n) + 6 * n * n * std::mem::size_of::<Complex64>()
}
