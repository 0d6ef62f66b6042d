//! Homogeneous, lossless initial-value problems against the exact free-space solutions.
//!
//! A Gaussian p0 = exp(-r^2 / (2 sigma^2)) (not smoothed) with zero initial velocity in water
//! (1500 m/s, 1000 kg/m^3) on a grid of spacing dx = 0.1 mm, k-Wave's default PML inside the
//! grid. Each sensor's pressure series is compared with the exact solution (1D d'Alembert,
//! 2D Hankel transform, 3D spherical means; see `analytic`) at t = n dt, up to the last sample
//! before any wave that the PML could send back reaches that sensor (`reflection_free_samples`).
//!
//! Why these tolerances:
//! - `ISSUE_TOLERANCE` (relative L2 <= 1e-3) is the requirement of the validation issue.
//! - `EXACTNESS_TOLERANCE` (2e-5) is what the scheme should reach here: with c_ref = c0 the
//!   k-space corrected leapfrog is exact in time for a homogeneous medium, and the spectral
//!   derivatives are exact for a Gaussian of sigma >= 3 dx (its spectrum at the Nyquist
//!   wavenumber is below 1e-19), so only float32 rounding (measured 3e-7 .. 2e-6) is left. A
//!   one-sample time shift, a wrong kappa, a wrong p0 convention (e.g. u(0) != 0) or a wrong
//!   rho split in 2D/3D all give errors of 1e-3 to 1.

use ferrowave_solvers::acoustic::*;
use ferrowave_validation::{analytic, metrics, setup};

const ISSUE_TOLERANCE: f64 = 1e-3;
const EXACTNESS_TOLERANCE: f64 = 2e-5;
const C0: f64 = 1500.0;
const RHO0: f64 = 1000.0;
const DX: f64 = 1e-4;
const CFL: f64 = 0.3;
/// The Gaussian's leading edge is taken W sigma ahead of its centre (exp(-W^2/2) = 3e-4).
const EDGE_SIGMAS: f64 = 4.0;

/// Samples (t = n dt, n = 0 .. result-1) before a reflection from the PML can reach a sensor
/// at distance `r` from the source centre: the leading edge (EDGE_SIGMAS sigma ahead of the
/// pulse centre) reaches the nearest PML point at distance `d_pml`, and a reflection, itself
/// with a leading edge EDGE_SIGMAS sigma ahead, travels back d_pml - r.
fn reflection_free_samples(d_pml: f64, r: f64, sigma: f64, dt: f64) -> usize {
    let path = 2.0 * d_pml - r - 2.0 * EDGE_SIGMAS * sigma;
    assert!(
        path > 0.0,
        "sensor too far from the source for a reflection-free window"
    );
    (path / C0 / dt).floor() as usize + 1
}

/// Runs the IVP and compares each sensor with `exact(r, t)`; returns the relative L2 errors.
fn check(
    name: &str,
    grid: Grid,
    centre: [usize; 3],
    sigma: f64,
    sensors: &[[usize; 3]],
    exact: impl Fn(f64, f64) -> f64,
) -> Vec<f64> {
    let ndim = grid.ndim;
    let pml = Pml::kwave_default(ndim);
    // Distance from the centre to the nearest PML point (the PML covers the first and last
    // pml.size points of each axis).
    let d_pml = (0..ndim)
        .map(|a| {
            let left = centre[a] - (pml.size[a] - 1);
            let right = grid.shape[a] - pml.size[a] - centre[a];
            left.min(right) as f64 * grid.spacing_m[a]
        })
        .fold(f64::INFINITY, f64::min);
    let position = |p: [usize; 3]| -> [f64; 3] {
        let mut x = [0.0; 3];
        for a in 0..ndim {
            x[a] = (p[a] as f64 - centre[a] as f64) * grid.spacing_m[a];
        }
        x
    };
    let radius = |x: [f64; 3]| (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
    let origin = position([0, 0, 0]);
    let p0 = setup::sample(&grid, |x| {
        let shifted = [x[0] + origin[0], x[1] + origin[1], x[2] + origin[2]];
        analytic::gaussian(1.0, sigma, radius(shifted))
    });
    let dt = CFL * DX / C0;
    let windows: Vec<usize> = sensors
        .iter()
        .map(|&s| reflection_free_samples(d_pml, radius(position(s)), sigma, dt))
        .collect();
    let steps = *windows.iter().max().unwrap();
    let indices = sensors
        .iter()
        .map(|s| grid.index(s[0], s[1], s[2]))
        .collect();
    let sim = setup::initial_value_problem(
        grid.clone(),
        setup::homogeneous(C0, RHO0),
        pml,
        dt,
        steps,
        p0,
        indices,
    );
    let data = setup::run(&sim);
    let mut errors = Vec::new();
    for (j, (&s, &n)) in sensors.iter().zip(&windows).enumerate() {
        let r = radius(position(s));
        let computed = &setup::pressure_series(&data, j)[..n];
        let reference: Vec<f64> = (0..n).map(|k| exact(r, k as f64 * dt)).collect();
        let err = metrics::relative_l2(computed, &reference);
        println!(
            "{name}: sensor {s:?} r = {:.1} dx, {n} samples: relative L2 {err:.2e}, max {:.2e}",
            r / DX,
            metrics::relative_max(computed, &reference)
        );
        errors.push(err);
    }
    for (s, &err) in sensors.iter().zip(&errors) {
        assert!(
            err <= ISSUE_TOLERANCE,
            "{name}: sensor {s:?}: relative L2 {err:.3e} > {ISSUE_TOLERANCE:e}"
        );
        assert!(
            err <= EXACTNESS_TOLERANCE,
            "{name}: sensor {s:?}: relative L2 {err:.3e} > {EXACTNESS_TOLERANCE:e} (float32 floor)"
        );
    }
    errors
}

/// 1D: 512 points, sigma = 4 dx, centre 256, sensors on both sides. d'Alembert.
#[test]
fn homogeneous_1d_matches_dalembert() {
    let sigma = 4.0 * DX;
    let grid = Grid::new(&[512], &[DX]).unwrap();
    let sensors = [
        [256, 0, 0],
        [260, 0, 0],
        [300, 0, 0],
        [356, 0, 0],
        [150, 0, 0],
        [40, 0, 0],
    ];
    check("1D", grid, [256, 0, 0], sigma, &sensors, |x, t| {
        analytic::dalembert_1d(|s| analytic::gaussian(1.0, sigma, s), x, C0, t)
    });
}

/// 2D: 256 x 256, sigma = 3 dx, centre (128, 128), sensors on axes, diagonals and off-axis.
/// Hankel-transform solution.
#[test]
fn homogeneous_2d_matches_hankel_solution() {
    let sigma = 3.0 * DX;
    let grid = Grid::new(&[256, 256], &[DX, DX]).unwrap();
    let sensors = [
        [128, 128, 0],
        [131, 128, 0],
        [128, 150, 0],
        [143, 143, 0],
        [80, 128, 0],
        [100, 175, 0],
    ];
    check("2D", grid, [128, 128, 0], sigma, &sensors, |r, t| {
        analytic::gaussian_2d(1.0, sigma, r, C0, t)
    });
}

/// 3D: 64^3, sigma = 3 dx, centre (32, 32, 32), sensors at up to 9 dx. Spherical means.
#[test]
fn homogeneous_3d_matches_spherical_solution() {
    let sigma = 3.0 * DX;
    let grid = Grid::new(&[64, 64, 64], &[DX, DX, DX]).unwrap();
    let sensors = [
        [32, 32, 32],
        [35, 32, 32],
        [32, 38, 32],
        [36, 36, 36],
        [32, 32, 24],
        [26, 35, 38],
    ];
    check("3D", grid, [32, 32, 32], sigma, &sensors, |r, t| {
        analytic::gaussian_3d(1.0, sigma, r, C0, t)
    });
}
