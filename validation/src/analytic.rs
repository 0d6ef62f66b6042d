//! Exact solutions the solvers are checked against.
//!
//! Everything here is written from the governing equations, not from the solver: the
//! free-space initial-value problems of the lossless wave equation (1D d'Alembert, 2D
//! Hankel-transform solution, 3D spherical means), plane-wave reflection and transmission at
//! a planar interface, and the dispersion relation of k-Wave's power-law absorption model
//! (both the continuous equations and their time-stepped form).
//!
//! Conventions: SI units, pressure in Pa, initial value problems start with p = p0 and zero
//! particle velocity at t = 0 (k-Wave's p0 convention).

use rustfft::num_complex::Complex64;
use std::f64::consts::PI;

/// A Gaussian `amplitude * exp(-r^2 / (2 sigma^2))`.
pub fn gaussian(amplitude: f64, sigma: f64, r: f64) -> f64 {
    amplitude * (-0.5 * (r / sigma).powi(2)).exp()
}

/// d/dr of [`gaussian`].
pub fn gaussian_derivative(amplitude: f64, sigma: f64, r: f64) -> f64 {
    -r / (sigma * sigma) * gaussian(amplitude, sigma, r)
}

/// 1D free-space solution of p_tt = c^2 p_xx with p(x, 0) = p0(x), p_t(x, 0) = 0
/// (zero initial velocity): d'Alembert, (p0(x - ct) + p0(x + ct)) / 2.
pub fn dalembert_1d(p0: impl Fn(f64) -> f64, x: f64, c: f64, t: f64) -> f64 {
    0.5 * (p0(x - c * t) + p0(x + c * t))
}

/// 3D free-space solution for a radially symmetric p0 = f(r) and zero initial velocity:
/// p(r, t) = [(r - ct) f(r - ct) + (r + ct) f(r + ct)] / (2r), f extended evenly.
///
/// With g(s) = s f(s) (odd), p = (g(ct + r) - g(ct - r)) / (2r); at r -> 0 this tends to
/// g'(ct) = f(|ct|) + |ct| f'(|ct|). `f` and its derivative `df` are taken at |s|; `scale` is a
/// length on which f varies (used only to decide when r is small enough for the limit).
pub fn spherical_3d(
    f: impl Fn(f64) -> f64,
    df: impl Fn(f64) -> f64,
    scale: f64,
    r: f64,
    c: f64,
    t: f64,
) -> f64 {
    let r = r.abs();
    let ct = c * t;
    if r < 1e-5 * scale {
        // Taylor: (g(ct + r) - g(ct - r)) / (2r) = g'(ct) + O(r^2); the O(r^2) term is
        // below 1e-10 relative for r < 1e-5 scale.
        return f(ct.abs()) + ct.abs() * df(ct.abs());
    }
    let g = |s: f64| s * f(s.abs());
    (g(ct + r) - g(ct - r)) / (2.0 * r)
}

/// [`spherical_3d`] for the Gaussian p0 = amplitude exp(-r^2 / (2 sigma^2)).
pub fn gaussian_3d(amplitude: f64, sigma: f64, r: f64, c: f64, t: f64) -> f64 {
    spherical_3d(
        |s| gaussian(amplitude, sigma, s),
        |s| gaussian_derivative(amplitude, sigma, s),
        sigma,
        r,
        c,
        t,
    )
}

/// Gauss-Legendre nodes and weights on [-1, 1] (Newton on the Legendre recurrence).
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    assert!(n >= 1, "at least one node");
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let nf = n as f64;
    for i in 0..n.div_ceil(2) {
        // Initial guess (Tricomi), then Newton.
        let mut x = (PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, x);
            for k in 2..=n {
                let kf = k as f64;
                let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                p0 = p1;
                p1 = p2;
            }
            let pn = if n == 1 { x } else { p1 };
            let pn1 = if n == 1 { 1.0 } else { p0 };
            dp = nf * (x * pn - pn1) / (x * x - 1.0);
            let dx = pn / dp;
            x -= dx;
            if dx.abs() < 1e-15 {
                break;
            }
        }
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        nodes[i] = -x;
        nodes[n - 1 - i] = x;
        weights[i] = w;
        weights[n - 1 - i] = w;
    }
    (nodes, weights)
}

/// 2D free-space solution for the Gaussian p0 = amplitude exp(-r^2 / (2 sigma^2)) with zero
/// initial velocity, by the Hankel transform:
///
/// p(r, t) = int_0^inf F(k) cos(c k t) J0(k r) k dk,  F(k) = amplitude sigma^2 exp(-k^2 sigma^2 / 2)
///
/// (F is the order-0 Hankel transform of p0; each Bessel mode J0(kr) oscillates as cos(ckt)).
/// With q = k sigma: p = amplitude int_0^inf exp(-q^2/2) cos(q ct/sigma) J0(q r/sigma) q dq,
/// integrated over q in [0, 10] (the integrand is below 2e-21 beyond) by 16-point
/// Gauss-Legendre on panels short enough that cos and J0 turn by under one radian each, which
/// makes the quadrature exact to about 1e-14 relative to the amplitude.
pub fn gaussian_2d(amplitude: f64, sigma: f64, r: f64, c: f64, t: f64) -> f64 {
    thread_local! {
        static RULE: (Vec<f64>, Vec<f64>) = gauss_legendre(16);
    }
    const Q_MAX: f64 = 10.0;
    let a = c * t / sigma;
    let b = r.abs() / sigma;
    let panels = ((Q_MAX * (a + b + 1.0)).ceil() as usize).max(20);
    let h = Q_MAX / panels as f64;
    RULE.with(|(nodes, weights)| {
        let mut sum = 0.0;
        for p in 0..panels {
            let mid = (p as f64 + 0.5) * h;
            for (x, w) in nodes.iter().zip(weights) {
                let q = mid + 0.5 * h * x;
                sum += w * (-0.5 * q * q).exp() * (q * a).cos() * libm::j0(q * b) * q;
            }
        }
        amplitude * sum * 0.5 * h
    })
}

/// Pressure reflection coefficient of a plane wave at normal incidence from medium 1 onto
/// medium 2: (Z2 - Z1) / (Z2 + Z1), Z = rho c.
pub fn reflection_coefficient(z1: f64, z2: f64) -> f64 {
    (z2 - z1) / (z2 + z1)
}

/// Pressure transmission coefficient at normal incidence: 2 Z2 / (Z2 + Z1).
pub fn transmission_coefficient(z1: f64, z2: f64) -> f64 {
    2.0 * z2 / (z2 + z1)
}

/// Power-law absorption alpha = alpha0 f^y and k-Wave's model of it.
pub mod power_law {
    use super::*;

    /// 20 log10(e): dB per Neper.
    pub const DB_PER_NEPER: f64 = 8.685_889_638_065_037;

    /// Attenuation in Np/m at `f_hz` for alpha_coeff in dB/(MHz^y cm):
    /// alpha = alpha_db f_MHz^y * 100 / (20 log10 e).
    pub fn attenuation_np_per_m(alpha_db: f64, y: f64, f_hz: f64) -> f64 {
        alpha_db * (f_hz * 1e-6).powf(y) * 100.0 / DB_PER_NEPER
    }

    /// alpha_coeff in dB/(MHz^y cm) as a0 in Np/((rad/s)^y m), so alpha = a0 omega^y.
    pub fn a0_np_per_rad(alpha_db: f64, y: f64) -> f64 {
        alpha_db * 100.0 / DB_PER_NEPER * (1e-6 / (2.0 * PI)).powf(y)
    }

    /// Phase speed from the Kramers-Kronig relation for power-law attenuation (Waters et al.
    /// 2005; k-Wave's `powerLawKramersKronig`): 1/c(w) = 1/c(w0) + a0 tan(pi y / 2) (w^(y-1) -
    /// w0^(y-1)). k-Wave's tau/eta equations give this with w0 = 0 and c(0) = c0 (the medium's
    /// sound speed) to first order in alpha / k, for 1 < y < 3.
    pub fn kramers_kronig_speed(c0: f64, a0: f64, y: f64, omega: f64, omega0: f64) -> f64 {
        let w0 = if omega0 == 0.0 {
            0.0
        } else {
            omega0.powf(y - 1.0)
        };
        1.0 / (1.0 / c0 + a0 * (PI * y / 2.0).tan() * (omega.powf(y - 1.0) - w0))
    }

    /// k-Wave's absorbing equations (Treeby & Cox 2010) for a plane wave exp(i(kx - wt)):
    /// u_t = -p_x / rho0, rho_t = -rho0 u_x,
    /// p = c0^2 (rho + tau L1{rho0 u_x} - eta L2{rho}) with L1 = |k|^(y-2), L2 = |k|^(y-1),
    /// tau = -2 a0 c0^(y-1), eta = 2 a0 c0^y tan(pi y / 2).
    #[derive(Clone, Copy, Debug)]
    pub struct Model {
        pub c0: f64,
        pub a0: f64,
        pub y: f64,
    }

    impl Model {
        pub fn new(c0: f64, alpha_db: f64, y: f64) -> Self {
            Self {
                c0,
                a0: a0_np_per_rad(alpha_db, y),
                y,
            }
        }

        fn tau(&self) -> f64 {
            -2.0 * self.a0 * self.c0.powf(self.y - 1.0)
        }

        fn eta(&self) -> f64 {
            2.0 * self.a0 * self.c0.powf(self.y) * (PI * self.y / 2.0).tan()
        }

        /// The complex wavenumber k(w) (Re k = w / c_phase, Im k = attenuation in Np/m) of
        /// the continuous equations, solving w^2 = c0^2 k^2 (1 - eta k^(y-1) + i w tau k^(y-2))
        /// exactly (Newton from w / c0; |k|^s continued analytically as k^s for the
        /// forward wave). To first order in alpha / k this is a0 w^y and the Kramers-Kronig
        /// speed; the exact root differs by O(alpha / k) relative.
        pub fn wavenumber(&self, omega: f64) -> Complex64 {
            let (c0, y, tau, eta) = (self.c0, self.y, self.tau(), self.eta());
            let i = Complex64::i();
            let f = |k: Complex64| {
                let bracket = 1.0 - eta * k.powf(y - 1.0) + i * omega * tau * k.powf(y - 2.0);
                c0 * c0 * k * k * bracket - omega * omega
            };
            let df = |k: Complex64| {
                c0 * c0
                    * (2.0 * k - eta * (y + 1.0) * k.powf(y)
                        + i * omega * tau * y * k.powf(y - 1.0))
            };
            newton(f, df, Complex64::new(omega / c0, 0.0))
        }

        /// The complex wavenumber of the time-stepped scheme k-Wave uses (staggered leapfrog,
        /// k-space correction kappa = sinc(c_ref k dt / 2), spectral derivatives; the tau term
        /// acts on rho0 div u at step n + 1/2 while rho is at n + 1). For a mode exp(ikx) and
        /// time factor z = exp(-i w dt), eliminating u gives
        ///
        /// 4 sin^2(w dt / 2) = (2 c0 / c_ref)^2 sin^2(c_ref k dt / 2)
        ///                     * (1 - eta k^(y-1) + 2 i tau k^(y-2) sin(w dt/2) exp(i w dt/2) / dt),
        ///
        /// which tends to [`Model::wavenumber`] as dt -> 0. To first order the attenuation is
        /// a0 w^y sinc^2(w dt / 2) and the dispersion term grows by about (1 + w dt / 2).
        pub fn scheme_wavenumber(&self, omega: f64, dt: f64, c_ref: f64) -> Complex64 {
            let (c0, y, tau, eta) = (self.c0, self.y, self.tau(), self.eta());
            let i = Complex64::i();
            let x = 0.5 * omega * dt;
            let lhs = 4.0 * x.sin().powi(2);
            let lag = 2.0 * i * tau * x.sin() * Complex64::new(x.cos(), x.sin()) / dt;
            let amp = 2.0 * c0 / c_ref;
            let h = 0.5 * c_ref * dt;
            let f = |k: Complex64| {
                let s = (k * h).sin();
                let bracket = 1.0 - eta * k.powf(y - 1.0) + lag * k.powf(y - 2.0);
                amp * amp * s * s * bracket - lhs
            };
            let df = |k: Complex64| {
                let s = (k * h).sin();
                let cs = (k * h).cos();
                let bracket = 1.0 - eta * k.powf(y - 1.0) + lag * k.powf(y - 2.0);
                let dbracket =
                    -eta * (y - 1.0) * k.powf(y - 2.0) + lag * (y - 2.0) * k.powf(y - 3.0);
                amp * amp * (2.0 * s * cs * h * bracket + s * s * dbracket)
            };
            newton(f, df, Complex64::new(omega / c0, 0.0))
        }
    }

    fn newton(
        f: impl Fn(Complex64) -> Complex64,
        df: impl Fn(Complex64) -> Complex64,
        start: Complex64,
    ) -> Complex64 {
        let mut k = start;
        for _ in 0..100 {
            let step = f(k) / df(k);
            k -= step;
            if step.norm() <= 1e-15 * k.norm() {
                return k;
            }
        }
        panic!("Newton did not converge for the dispersion relation (k = {k})");
    }
}

#[cfg(test)]
mod tests {
    use super::power_law::*;
    use super::*;

    /// Second-order centred differences for the PDE residual checks.
    fn residual(
        p: impl Fn(f64, f64) -> f64,
        laplacian: impl Fn(&dyn Fn(f64, f64) -> f64, f64, f64, f64) -> f64,
        r: f64,
        t: f64,
        c: f64,
        h: f64,
    ) -> (f64, f64) {
        let ptt = (p(r, t + h / c) - 2.0 * p(r, t) + p(r, t - h / c)) / (h / c).powi(2);
        let lap = laplacian(&p, r, t, h);
        (ptt, c * c * lap)
    }

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        let (x, w) = gauss_legendre(16);
        assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-14);
        // int_{-1}^{1} x^30 dx = 2/31 (degree 30 <= 2n - 1 = 31).
        let integral: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(30)).sum();
        assert!((integral - 2.0 / 31.0).abs() < 1e-14, "{integral}");
        let (x5, _) = gauss_legendre(5);
        assert!(x5[2].abs() < 1e-15);
    }

    #[test]
    fn dalembert_splits_the_initial_pulse() {
        let p0 = |x: f64| gaussian(1.0, 1.0, x);
        assert_eq!(dalembert_1d(p0, 0.3, 2.0, 0.0), p0(0.3));
        assert!((dalembert_1d(p0, 10.0, 2.0, 5.0) - 0.5).abs() < 1e-12);
    }

    /// The 2D solution at t = 0 is p0 (the Hankel pair of the Gaussian), and it satisfies
    /// p_tt = c^2 (p_rr + p_r / r) to the accuracy of the finite differences used to check it.
    #[test]
    fn gaussian_2d_starts_at_p0_and_solves_the_wave_equation() {
        let (a, s, c) = (1.3, 0.7, 1.5);
        for r in [0.0, 0.2, 1.0, 2.5] {
            let p = gaussian_2d(a, s, r, c, 0.0);
            assert!((p - gaussian(a, s, r)).abs() < 1e-13, "r = {r}: {p}");
        }
        let p = |r: f64, t: f64| gaussian_2d(a, s, r, c, t);
        let lap = |p: &dyn Fn(f64, f64) -> f64, r: f64, t: f64, h: f64| {
            let prr = (p(r + h, t) - 2.0 * p(r, t) + p(r - h, t)) / (h * h);
            let pr = (p(r + h, t) - p(r - h, t)) / (2.0 * h);
            prr + pr / r
        };
        for (r, t) in [(0.5, 0.4), (1.7, 1.0), (3.0, 2.0), (6.0, 4.0)] {
            let (lhs, rhs) = residual(p, lap, r, t, c, 1e-3);
            let scale = a / (s * s / (c * c));
            assert!(
                (lhs - rhs).abs() < 1e-5 * scale,
                "r {r} t {t}: {lhs} vs {rhs}"
            );
        }
        // The 2D wave leaves a negative wake: far behind the front p < 0 at the centre.
        assert!(gaussian_2d(a, s, 0.0, c, 10.0 * s / c) < 0.0);
    }

    #[test]
    fn gaussian_3d_starts_at_p0_and_solves_the_wave_equation() {
        let (a, s, c) = (0.8, 1.1, 1.5);
        for r in [0.0, 1e-9, 0.5, 2.0] {
            assert!((gaussian_3d(a, s, r, c, 0.0) - gaussian(a, s, r)).abs() < 1e-12);
        }
        let p = |r: f64, t: f64| gaussian_3d(a, s, r, c, t);
        let lap = |p: &dyn Fn(f64, f64) -> f64, r: f64, t: f64, h: f64| {
            let prr = (p(r + h, t) - 2.0 * p(r, t) + p(r - h, t)) / (h * h);
            let pr = (p(r + h, t) - p(r - h, t)) / (2.0 * h);
            prr + 2.0 * pr / r
        };
        for (r, t) in [(0.5, 0.4), (1.7, 1.0), (3.0, 2.0)] {
            let (lhs, rhs) = residual(p, lap, r, t, c, 1e-3);
            let scale = a / (s * s / (c * c));
            assert!(
                (lhs - rhs).abs() < 1e-5 * scale,
                "r {r} t {t}: {lhs} vs {rhs}"
            );
        }
        // Continuity of the r -> 0 limit.
        let t = 0.9;
        assert!((gaussian_3d(a, s, 0.0, c, t) - gaussian_3d(a, s, 1e-3, c, t)).abs() < 1e-5);
        // Huygens: nothing is left behind the pulse in 3D.
        assert!(gaussian_3d(a, s, 0.0, c, 12.0 * s / c).abs() < 1e-12);
    }

    #[test]
    fn interface_coefficients() {
        assert!((reflection_coefficient(1.0, 2.0) - 1.0 / 3.0).abs() < 1e-15);
        assert!((transmission_coefficient(1.0, 2.0) - 4.0 / 3.0).abs() < 1e-15);
        // Pressure continuity: 1 + R = T.
        let (z1, z2) = (1.5e6, 3.7e6);
        assert!(
            (1.0 + reflection_coefficient(z1, z2) - transmission_coefficient(z1, z2)).abs() < 1e-15
        );
    }

    #[test]
    fn power_law_units() {
        // 1 dB/(MHz^y cm) at 1 MHz is 100 / 8.686 Np/m whatever y.
        assert!((attenuation_np_per_m(1.0, 1.5, 1e6) - 11.512_925_464_970_229).abs() < 1e-12);
        let (adb, y, f) = (0.75, 1.5, 3.2e6);
        let a0 = a0_np_per_rad(adb, y);
        let w = 2.0 * PI * f;
        assert!((a0 * w.powf(y) / attenuation_np_per_m(adb, y, f) - 1.0).abs() < 1e-12);
    }

    /// The exact dispersion relation agrees with its first-order expansion (a0 w^y and the
    /// Kramers-Kronig speed) when alpha / k is small, and the scheme's relation tends to the
    /// continuous one as dt -> 0.
    #[test]
    fn dispersion_relations_are_consistent() {
        let c0 = 1500.0;
        let m = Model::new(c0, 0.05, 1.5);
        let w = 2.0 * PI * 2e6;
        let k = m.wavenumber(w);
        let alpha = m.a0 * w.powf(1.5);
        assert!((k.im / alpha - 1.0).abs() < 2e-3, "{}", k.im / alpha);
        let c_kk = kramers_kronig_speed(c0, m.a0, 1.5, w, 0.0);
        assert!(((w / k.re - c0) / (c_kk - c0) - 1.0).abs() < 2e-3);
        let kd = m.scheme_wavenumber(w, 1e-12, c0);
        assert!((kd - k).norm() < 1e-6 * k.norm());
        // Lossless: the scheme is exact in time when c_ref = c0.
        let lossless = Model { a0: 0.0, ..m };
        let k0 = lossless.scheme_wavenumber(w, 2e-8, c0);
        assert!((k0.re - w / c0).abs() < 1e-9 * w / c0 && k0.im.abs() < 1e-9);
        // First-order attenuation of the scheme: a0 w^y sinc^2(w dt / 2).
        let dt = 2e-8;
        let x: f64 = 0.5 * w * dt;
        let kd = m.scheme_wavenumber(w, dt, c0);
        let sinc2 = (x.sin() / x).powi(2);
        assert!((kd.im / k.im / sinc2 - 1.0).abs() < 2e-3);
    }
}
