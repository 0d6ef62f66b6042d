//! Power-law absorption: attenuation and phase speed of a plane wave against alpha0 f^y and
//! the Kramers-Kronig dispersion of k-Wave's model.
//!
//! Setup (1D, so a plane wave with no spreading): 2048 points of 50 um (Nyquist 15 MHz),
//! c0 = 1500 m/s, rho0 = 1000 kg/m^3, k-Wave's default PML. A Gaussian p0 (sigma = 2 dx, whose
//! spectrum spans 0 .. 6 MHz) at x = 300 dx sends a broadband pulse past sensor 1 (x = 500 dx)
//! and sensor 2 (x = 900 dx), L = 400 dx = 20 mm apart. Each series is cut to a window of
//! +-200 dx / c0 around the pulse's arrival (the left-going pulse's PML echo arrives later,
//! and the windows' edges are checked to hold less than 1e-4 of the peak). The transfer function
//! H(f) = S2 / S1 of the windows (corrected for their offset) gives, on every FFT bin in the
//! band, the attenuation alpha = -ln|H| / L and, from the unwrapped phase of
//! H exp(i w L / c0), the phase speed c = w / (w / c0 - phase / L).
//!
//! Three references, from `analytic::power_law`:
//! 1. alpha0 f^y (alpha0 in dB/(MHz^y cm) converted to Np/m), tolerance 2% (the validation
//!    issue's requirement). k-Wave's tau/eta equations give alpha0 f^y only to first order in
//!    alpha / k: their exact dispersion relation (`Model::wavenumber`) lies below it by
//!    about 1.5 |tan(pi y / 2)| alpha / k relative, i.e. -0.3% .. -1.4% for the cases here
//!    (y = 1.5, alpha0 = 0.75; y = 1.1, alpha0 = 0.25), and by 2.4 .. 5% for
//!    alpha0 = 3 dB/(MHz^1.5 cm), which is why these tests use the smaller coefficients.
//! 2. The Kramers-Kronig speed k-Wave uses (`powerLawKramersKronig` with w0 = 0 and c(0) = c0:
//!    1/c = 1/c0 + a0 tan(pi y / 2) w^(y-1)). Tolerance: 5% of the dispersion c_KK - c0.
//!    Besides the model's own O(alpha / k) departure (<= 0.7% of the dispersion here), the time
//!    stepping adds a first-order term: the tau term acts on div u at step n + 1/2 while rho is
//!    at n + 1, which raises the dispersion by about w dt / 2 (2.2% at 5 MHz with CFL 0.05;
//!    10% at CFL 0.2, hence the small time step). A missing or sign-flipped dispersion term
//!    gives 100% or 200%.
//! 3. The dispersion relation of the time-stepped scheme itself (`Model::scheme_wavenumber`,
//!    derived on paper from k-Wave's update equations, not from the solver code): tolerance
//!    0.5% on alpha and 1% of the dispersion on c. This is the sharp check; what is left is
//!    spectral estimation error (window truncation of the model's slowly decaying tails,
//!    float32 rounding), measured at <= 0.3%.

use ferrowave_solvers::acoustic::*;
use ferrowave_validation::analytic::power_law::{
    attenuation_np_per_m, kramers_kronig_speed, Model,
};
use ferrowave_validation::{analytic, metrics, setup};
use rustfft::num_complex::Complex64;
use std::f64::consts::PI;

const C0: f64 = 1500.0;
const DX: f64 = 5e-5;
const N: usize = 2048;
const SOURCE: usize = 300;
const SENSOR_1: usize = 500;
const SENSOR_2: usize = 900;
const HALF_WINDOW: f64 = 200.0 * DX / C0;

const POWER_LAW_TOLERANCE: f64 = 0.02;
const KRAMERS_KRONIG_TOLERANCE: f64 = 0.05;
const SCHEME_ALPHA_TOLERANCE: f64 = 0.005;
const SCHEME_SPEED_TOLERANCE: f64 = 0.01;
/// y = 2: |c - c0| / c0 (the model's second-order dispersion is 4.3e-4 at 5 MHz).
const NO_DISPERSION_KK_TOLERANCE: f64 = 1e-3;
/// y = 2: |c - c_scheme| / c0 (phase measurement noise, measured 1e-6).
const NO_DISPERSION_SCHEME_TOLERANCE: f64 = 1e-5;

/// Attenuation (Np/m) and phase speed (m/s) measured at one frequency.
struct Point {
    f: f64,
    alpha: f64,
    c: f64,
}

fn measure(alpha_db: f64, y: f64, cfl: f64, band_hz: (f64, f64)) -> (Vec<Point>, f64) {
    let sigma = 2.0 * DX;
    let grid = Grid::new(&[N], &[DX]).unwrap();
    let medium = Medium {
        absorption: Some(Absorption {
            alpha_coeff_db: Property::Uniform(alpha_db),
            alpha_power: y,
            stokes: false,
        }),
        ..setup::homogeneous(C0, 1000.0)
    };
    let p0 = setup::sample(&grid, |x| {
        analytic::gaussian(1.0, sigma, x[0] - SOURCE as f64 * DX)
    });
    let dt = cfl * DX / C0;
    let t1 = (SENSOR_1 - SOURCE) as f64 * DX / C0;
    let t2 = (SENSOR_2 - SOURCE) as f64 * DX / C0;
    let steps = ((t2 + HALF_WINDOW) / dt).ceil() as usize + 1;
    let sim = setup::initial_value_problem(
        grid,
        medium,
        Pml::kwave_default(1),
        dt,
        steps,
        p0,
        vec![SENSOR_1, SENSOR_2],
    );
    let data = setup::run(&sim);
    let len = (2.0 * HALF_WINDOW / dt).round() as usize;
    let window = |j: usize, t: f64| {
        let start = ((t - HALF_WINDOW) / dt).round() as usize;
        (
            start,
            setup::pressure_series(&data, j)[start..start + len].to_vec(),
        )
    };
    let (start1, w1) = window(0, t1);
    let (start2, w2) = window(1, t2);
    let peak = metrics::signed_peak(&w1).abs();
    for w in [&w1, &w2] {
        let edge = w[0].abs().max(w[len - 1].abs());
        assert!(
            edge < 1e-4 * peak,
            "the window cuts the pulse (edge {:.1e} of the peak)",
            edge / peak
        );
    }
    let n_fft = (2 * len).next_power_of_two();
    let h = metrics::transfer_function(&w1, &w2, n_fft);
    let freqs = metrics::frequencies(n_fft, dt);
    let l = (SENSOR_2 - SENSOR_1) as f64 * DX;
    let offset = (start2 - start1) as f64 * dt;
    // S2/S1 = H exp(-i w offset); remove the lossless delay L / c0 too, leaving the small
    // dispersive phase to unwrap.
    let residual: Vec<f64> = h
        .iter()
        .zip(&freqs)
        .map(|(h, f)| {
            let w = 2.0 * PI * f;
            (h * Complex64::from_polar(1.0, w * (l / C0 - offset))).arg()
        })
        .collect();
    let residual = metrics::unwrap(&residual);
    let points = freqs
        .iter()
        .enumerate()
        .filter(|(_, &f)| f >= band_hz.0 && f <= band_hz.1)
        .map(|(m, &f)| {
            let w = 2.0 * PI * f;
            Point {
                f,
                alpha: -h[m].norm().ln() / l,
                c: w / (w / C0 - residual[m] / l),
            }
        })
        .collect();
    (points, dt)
}

/// Runs one case and checks the references selected.
fn check(name: &str, alpha_db: f64, y: f64, cfl: f64, band_hz: (f64, f64), kramers_kronig: bool) {
    let (points, dt) = measure(alpha_db, y, cfl, band_hz);
    assert!(points.len() > 50, "too few frequencies in the band");
    let model = Model::new(C0, alpha_db, y);
    let (mut worst_pl, mut worst_kk, mut worst_sa, mut worst_sc) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut failures = Vec::new();
    for p in &points {
        let w = 2.0 * PI * p.f;
        let power_law = attenuation_np_per_m(alpha_db, y, p.f);
        let scheme = model.scheme_wavenumber(w, dt, C0);
        let c_scheme = w / scheme.re;
        let c_kk = kramers_kronig_speed(C0, model.a0, y, w, 0.0);
        let e_pl = p.alpha / power_law - 1.0;
        let e_sa = p.alpha / scheme.im - 1.0;
        // y = 2: no first-order dispersion (tan(pi) = 0), so speeds are compared relative to
        // c0, with their own tolerances.
        let no_dispersion = (y - 2.0).abs() < 1e-12;
        let (e_kk, tol_kk, e_sc, tol_sc) = if no_dispersion {
            (
                (p.c - c_kk) / C0,
                NO_DISPERSION_KK_TOLERANCE,
                (p.c - c_scheme) / C0,
                NO_DISPERSION_SCHEME_TOLERANCE,
            )
        } else {
            (
                (p.c - c_kk) / (c_kk - C0),
                KRAMERS_KRONIG_TOLERANCE,
                (p.c - c_scheme) / (c_scheme - C0),
                SCHEME_SPEED_TOLERANCE,
            )
        };
        for (what, e, tol) in [
            ("alpha vs alpha0 f^y", e_pl, POWER_LAW_TOLERANCE),
            ("alpha vs scheme", e_sa, SCHEME_ALPHA_TOLERANCE),
            (
                "speed vs Kramers-Kronig",
                if kramers_kronig { e_kk } else { 0.0 },
                tol_kk,
            ),
            ("speed vs scheme", e_sc, tol_sc),
        ] {
            if e.abs() > tol {
                failures.push(format!(
                    "{:.3} MHz: {what}: {e:+.3e} (tolerance {tol})",
                    p.f * 1e-6
                ));
            }
        }
        for (worst, e) in [
            (&mut worst_pl, e_pl),
            (&mut worst_kk, e_kk),
            (&mut worst_sa, e_sa),
            (&mut worst_sc, e_sc),
        ] {
            if e.abs() > worst.abs() {
                *worst = e;
            }
        }
    }
    let at = |f: f64| {
        points
            .iter()
            .min_by(|a, b| (a.f - f).abs().total_cmp(&(b.f - f).abs()))
            .unwrap()
    };
    let (lo, hi) = (at(band_hz.0), at(band_hz.1));
    println!(
        "{name}: {} bins {:.2}..{:.2} MHz, dt = {dt:.3e} s. Worst: alpha/(alpha0 f^y) - 1 = {worst_pl:+.3e}, \
         alpha/scheme - 1 = {worst_sa:+.3e}, (c - c_KK)/{} = {worst_kk:+.3e}, (c - c_scheme)/{} = {worst_sc:+.3e}. \
         c - c0: {:.3} m/s at {:.2} MHz, {:.3} m/s at {:.2} MHz",
        points.len(),
        band_hz.0 * 1e-6,
        band_hz.1 * 1e-6,
        if (y - 2.0).abs() < 1e-12 { "c0" } else { "(c_KK - c0)" },
        if (y - 2.0).abs() < 1e-12 { "c0" } else { "(c_scheme - c0)" },
        lo.c - C0,
        lo.f * 1e-6,
        hi.c - C0,
        hi.f * 1e-6,
    );
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

/// y = 1.5, alpha0 = 0.75 dB/(MHz^1.5 cm) (soft tissue), 0.5 .. 5 MHz (6 to 60 points per
/// wavelength), CFL 0.05: all references.
#[test]
fn power_law_y_1_5() {
    check(
        "y = 1.5, 0.75 dB/(MHz^1.5 cm), CFL 0.05",
        0.75,
        1.5,
        0.05,
        (0.5e6, 5e6),
        true,
    );
}

/// y = 2, alpha0 = 0.75: Kramers-Kronig predicts no dispersion (tan(pi) = 0) and the model
/// agrees with alpha0 f^2 to 0.1%. The speed is checked relative to c0: within 1e-3 of c0
/// (the model's second-order dispersion is 4.3e-4 c0 at 5 MHz) and within 1e-5 c0 of the
/// scheme's speed.
#[test]
fn power_law_y_2() {
    check(
        "y = 2.0, 0.75 dB/(MHz^2 cm), CFL 0.05",
        0.75,
        2.0,
        0.05,
        (0.5e6, 5e6),
        true,
    );
}

/// y = 1.1, alpha0 = 0.25: strong dispersion (|tan(pi y / 2)| = 6.3, c - c0 = 6 .. 7.7 m/s).
#[test]
fn power_law_y_1_1() {
    check(
        "y = 1.1, 0.25 dB/(MHz^1.1 cm), CFL 0.05",
        0.25,
        1.1,
        0.05,
        (0.5e6, 5e6),
        true,
    );
}

/// k-Wave's default time step (CFL 0.3): the scheme relation must still hold to the same
/// tolerance (it contains the sinc^2(w dt / 2) attenuation loss and the first-order
/// dispersion error), and alpha0 f^y holds to 2% up to 3 MHz (10 points per wavelength). The
/// Kramers-Kronig comparison is left out: at this dt the scheme's dispersion exceeds it by up to
/// 9% at 3 MHz, as the scheme relation predicts.
#[test]
fn power_law_y_1_5_default_time_step() {
    check(
        "y = 1.5, 0.75 dB/(MHz^1.5 cm), CFL 0.3",
        0.75,
        1.5,
        0.3,
        (0.5e6, 3e6),
        false,
    );
}
