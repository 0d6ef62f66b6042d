//! Viscous Burgers' equation on the periodic unit interval, u_t + (u²/2)_x = ν u_xx, by a
//! Fourier pseudo-spectral discretisation and ETDRK4 in time (Cox & Matthews 2002, with the
//! contour-integral coefficients of Kassam & Trefethen 2005) — the scheme of Chebfun's `spin`,
//! which FNO's Burgers data came from.
//!
//! In Fourier space û_t = L û + N(û) with L = −ν (2πk)² (exact exponentials, so the stiff
//! diffusion costs no stability) and N(û) = −½ i 2πk FFT(u²), cut by the 2/3 rule
//! (|k| ≤ ⅔·⌊n/2⌋, which makes the quadratic product alias-free). Fourth order in time.
//! Grid: x_i = i/n. Four nonlinear evaluations a step, each one inverse and one forward real
//! FFT; tables built once, nothing allocated in `step`.

use ferrowave_kernels::fft::{signed_index, RealFft1d};
use num_complex::Complex64;

use std::f64::consts::PI;

/// Points on the upper half of the contour that evaluates the ETDRK4 coefficients (Kassam &
/// Trefethen use 32 on a circle of radius 1: accurate to rounding for every hL).
const CONTOUR_POINTS: usize = 32;

/// Whether the 2/3 rule keeps wavenumber `k` on an `n`-point grid: |k| ≤ ⅔·⌊n/2⌋.
pub fn dealias_keeps(k: i64, n: usize) -> bool {
    (k.abs() as f64) <= (2.0 / 3.0) * (n / 2) as f64
}

/// The ETDRK4 coefficients of one mode, for z = h·L (Kassam & Trefethen 2005, eq. 2.5):
/// e^{z}, e^{z/2}, Q = h·φ-type factor of the half steps, and the weights f1, f2, f3 of the
/// final combination, each already multiplied by h.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EtdCoefficients {
    full: f64,
    half: f64,
    q: f64,
    f1: f64,
    f2: f64,
    f3: f64,
}

impl EtdCoefficients {
    /// The coefficients for linear rate `rate` (L, real, ≤ 0) and step `h`, by the mean over
    /// a circle of radius 1 around z = hL, which avoids the cancellation of the closed forms
    /// near z = 0. For real L the mean over the upper half circle's real part is exact.
    fn new(rate: f64, h: f64) -> Self {
        let z0 = h * rate;
        let (mut q, mut f1, mut f2, mut f3) = (0.0, 0.0, 0.0, 0.0);
        for j in 0..CONTOUR_POINTS {
            let angle = PI * (j as f64 + 0.5) / CONTOUR_POINTS as f64;
            let z = Complex64::new(z0, 0.0) + Complex64::from_polar(1.0, angle);
            let ez = z.exp();
            let z3 = z * z * z;
            q += (((z / 2.0).exp() - 1.0) / z).re;
            f1 += ((-4.0 - z + ez * (4.0 - 3.0 * z + z * z)) / z3).re;
            f2 += ((2.0 + z + ez * (z - 2.0)) / z3).re;
            f3 += ((-4.0 - 3.0 * z - z * z + ez * (4.0 - z)) / z3).re;
        }
        let scale = h / CONTOUR_POINTS as f64;
        Self {
            full: z0.exp(),
            half: (z0 / 2.0).exp(),
            q: q * scale,
            f1: f1 * scale,
            f2: f2 * scale,
            f3: f3 * scale,
        }
    }
}

/// The time stepper of one trajectory on an `n`-point grid.
pub struct BurgersSolver {
    n: usize,
    dt: f64,
    fft: RealFft1d<f64>,
    /// −½·2πk where the 2/3 rule keeps k, else 0: N̂ = i · this · FFT(u²).
    flux_derivative: Vec<f64>,
    coefficients: Vec<EtdCoefficients>,
    state: Vec<Complex64>,
    stage_a: Vec<Complex64>,
    stage_bc: Vec<Complex64>,
    n_state: Vec<Complex64>,
    n_a: Vec<Complex64>,
    n_b: Vec<Complex64>,
    n_c: Vec<Complex64>,
    real: Vec<f64>,
}

impl BurgersSolver {
    /// A solver on `n` points x_i = i/n with viscosity `viscosity` and step `dt`; u starts at 0.
    pub fn new(n: usize, viscosity: f64, dt: f64) -> Self {
        assert!(
            n >= 4,
            "the Burgers solver needs at least 4 points, got {n}"
        );
        assert!(
            viscosity >= 0.0 && viscosity.is_finite(),
            "viscosity {viscosity}"
        );
        assert!(dt > 0.0 && dt.is_finite(), "time step {dt}");
        let m = n / 2 + 1;
        let mut flux_derivative = vec![0.0; m];
        let mut coefficients = Vec::with_capacity(m);
        for (k, derivative) in flux_derivative.iter_mut().enumerate() {
            let wavenumber = signed_index(k, n);
            // The Nyquist bin is its own negative: its derivative is not real, drop it.
            if dealias_keeps(wavenumber, n) && 2 * k != n {
                *derivative = -PI * wavenumber as f64;
            }
            let omega = 2.0 * PI * wavenumber as f64;
            coefficients.push(EtdCoefficients::new(-viscosity * omega * omega, dt));
        }
        let zero = Complex64::new(0.0, 0.0);
        Self {
            n,
            dt,
            fft: RealFft1d::new(n),
            flux_derivative,
            coefficients,
            state: vec![zero; m],
            stage_a: vec![zero; m],
            stage_bc: vec![zero; m],
            n_state: vec![zero; m],
            n_a: vec![zero; m],
            n_b: vec![zero; m],
            n_c: vec![zero; m],
            real: vec![0.0; n],
        }
    }

    pub fn resolution(&self) -> usize {
        self.n
    }

    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Sets u (n values at x_i = i/n).
    pub fn set_solution(&mut self, values: &[f64]) {
        self.fft.forward(values, &mut self.state);
    }

    /// The current u into `out` (n values).
    pub fn solution(&mut self, out: &mut [f64]) {
        self.fft.inverse(&self.state, out);
    }

    /// Takes `steps` steps.
    pub fn advance(&mut self, steps: usize) {
        for _ in 0..steps {
            self.step();
        }
    }

    /// One ETDRK4 step (Kassam & Trefethen 2005, eq. 2.5, with their names a, b, c).
    pub fn step(&mut self) {
        nonlinear(
            &mut self.fft,
            &self.flux_derivative,
            &self.state,
            &mut self.real,
            &mut self.n_state,
        );
        for (((a, c), v), nv) in self
            .stage_a
            .iter_mut()
            .zip(&self.coefficients)
            .zip(&self.state)
            .zip(&self.n_state)
        {
            *a = *v * c.half + *nv * c.q;
        }
        nonlinear(
            &mut self.fft,
            &self.flux_derivative,
            &self.stage_a,
            &mut self.real,
            &mut self.n_a,
        );
        for (((b, c), v), na) in self
            .stage_bc
            .iter_mut()
            .zip(&self.coefficients)
            .zip(&self.state)
            .zip(&self.n_a)
        {
            *b = *v * c.half + *na * c.q;
        }
        nonlinear(
            &mut self.fft,
            &self.flux_derivative,
            &self.stage_bc,
            &mut self.real,
            &mut self.n_b,
        );
        for ((((cc, c), a), nb), nv) in self
            .stage_bc
            .iter_mut()
            .zip(&self.coefficients)
            .zip(&self.stage_a)
            .zip(&self.n_b)
            .zip(&self.n_state)
        {
            *cc = *a * c.half + (*nb * 2.0 - *nv) * c.q;
        }
        nonlinear(
            &mut self.fft,
            &self.flux_derivative,
            &self.stage_bc,
            &mut self.real,
            &mut self.n_c,
        );
        for (k, (v, c)) in self.state.iter_mut().zip(&self.coefficients).enumerate() {
            *v = *v * c.full
                + self.n_state[k] * c.f1
                + (self.n_a[k] + self.n_b[k]) * (2.0 * c.f2)
                + self.n_c[k] * c.f3;
        }
    }
}

/// `out` = −½ (u²)_x in Fourier space, dealiased, for the spectrum `values`.
fn nonlinear(
    fft: &mut RealFft1d<f64>,
    flux_derivative: &[f64],
    values: &[Complex64],
    real: &mut [f64],
    out: &mut [Complex64],
) {
    fft.inverse(values, real);
    real.iter_mut().for_each(|u| *u *= *u);
    fft.forward(real, out);
    for (o, d) in out.iter_mut().zip(flux_derivative) {
        *o = Complex64::new(-d * o.im, d * o.re);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed forms, fine where z is not small.
    fn closed_forms(z: f64, h: f64) -> [f64; 4] {
        let e = z.exp();
        [
            h * ((z / 2.0).exp() - 1.0) / z,
            h * (-4.0 - z + e * (4.0 - 3.0 * z + z * z)) / z.powi(3),
            h * (2.0 + z + e * (z - 2.0)) / z.powi(3),
            h * (-4.0 - 3.0 * z - z * z + e * (4.0 - z)) / z.powi(3),
        ]
    }

    #[test]
    fn contour_coefficients_match_the_closed_forms_and_the_small_z_limits() {
        for z in [-0.7, -3.0, -40.0, -5000.0] {
            let c = EtdCoefficients::new(z / 0.01, 0.01);
            let exact = closed_forms(z, 0.01);
            for (got, want) in [c.q, c.f1, c.f2, c.f3].iter().zip(exact) {
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs(),
                    "z {z}: {got} vs {want}"
                );
            }
        }
        // z -> 0: Q -> h/2, f1 -> h/6, f2 -> h/6, f3 -> h/6 (RK4's weights).
        let c = EtdCoefficients::new(0.0, 0.01);
        for (got, want) in [
            (c.q, 0.005),
            (c.f1, 0.01 / 6.0),
            (c.f2, 0.01 / 6.0),
            (c.f3, 0.01 / 6.0),
        ] {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
    }

    #[test]
    fn the_mask_keeps_two_thirds_of_the_largest_wavenumber() {
        // n = 8192: ⌊n/2⌋ = 4096, ⅔·4096 = 2730.7.
        assert!(dealias_keeps(2730, 8192));
        assert!(!dealias_keeps(-2731, 8192));
    }
}
