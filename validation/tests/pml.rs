//! The PML with k-Wave's defaults (`Pml::kwave_default`: 20 points in 1D and 2D, alpha = 2
//! Np per point, inside the grid) against the exact free-space solution.
//!
//! A Gaussian p0 sends a pulse past a sensor into the PML. The exact solution (d'Alembert in
//! 1D, the Hankel-transform solution in 2D) is the field of an unbounded domain, so after the
//! incident pulse has passed the sensor, whatever differs from it is energy the boundary sent
//! back (reflection, or waves wrapping round the periodic grid through the layer). The
//! measure is E_back / E_incident, with E the sum of p^2 over the sensor's time series (for a
//! plane wave in one medium, proportional to the acoustic energy that crossed the sensor):
//! E_back = sum over n >= n_pass of (p - p_exact)^2, E_incident = sum of p_exact^2.
//! The records run until echoes from every PML side have come back, so E_back holds the
//! echoes of both pulses (1D) or of the four sides and corners (2D) while E_incident counts
//! one pulse: a conservative ratio.
//!
//! Tolerance: -50 dB (the validation issue's requirement). Measured: about -110 dB in 1D and
//! 2D, which is float32 rounding, so the layer's echo is below what float32 resolves here.
//! Controls: with alpha = 0 the wrapped pulse gives about +7 dB, and a 4-point layer gives
//! -48 dB (docs/validation.md), so the measure does see echoes.

use ferrowave_solvers::acoustic::*;
use ferrowave_validation::{analytic, metrics, setup};

const TOLERANCE_DB: f64 = -50.0;
const C0: f64 = 1500.0;
const DX: f64 = 1e-4;

/// E_back / E_incident in dB for a 1D run with `pml`: 512 points, sigma = 2 dx, source at 150,
/// sensor at 100, 3 grid-crossings long.
fn echo_1d(pml: Pml) -> f64 {
    let (n, source, sensor) = (512usize, 150usize, 100usize);
    let sigma = 2.0 * DX;
    let grid = Grid::new(&[n], &[DX]).unwrap();
    let p0 = setup::sample(&grid, |x| {
        analytic::gaussian(1.0, sigma, x[0] - source as f64 * DX)
    });
    let dt = 0.3 * DX / C0;
    let steps = (3.0 * n as f64 * DX / C0 / dt) as usize;
    let sim = setup::initial_value_problem(
        grid,
        setup::homogeneous(C0, 1000.0),
        pml,
        dt,
        steps,
        p0,
        vec![sensor],
    );
    let p = setup::pressure_series(&setup::run(&sim), 0);
    let x = (sensor as f64 - source as f64) * DX;
    let exact: Vec<f64> = (0..steps)
        .map(|k| {
            analytic::dalembert_1d(|s| analytic::gaussian(1.0, sigma, s), x, C0, k as f64 * dt)
        })
        .collect();
    // The incident pulse has passed once its centre is 6 sigma beyond the sensor.
    let n_pass = ((x.abs() + 6.0 * sigma) / C0 / dt).ceil() as usize;
    let back: Vec<f64> = p[n_pass..]
        .iter()
        .zip(&exact[n_pass..])
        .map(|(a, b)| a - b)
        .collect();
    metrics::decibels(metrics::energy(&back) / metrics::energy(&exact))
}

/// 1D: normal incidence by construction.
#[test]
fn pml_default_1d_normal_incidence() {
    let db = echo_1d(Pml::kwave_default(1));
    println!("1D, default PML: echo {db:.1} dB");
    assert!(
        db < TOLERANCE_DB,
        "1D default PML sends back {db:.1} dB > {TOLERANCE_DB} dB"
    );
}

/// Control: without absorption (alpha = 0) the pulses wrap round the periodic grid and come
/// back whole; the measure must see them.
#[test]
fn pml_control_without_absorption_fails_the_criterion() {
    let db = echo_1d(Pml {
        alpha: [0.0; 3],
        ..Pml::kwave_default(1)
    });
    println!("1D, alpha = 0: echo {db:.1} dB");
    assert!(
        db > -3.0,
        "the echo measure missed the wrapped pulse ({db:.1} dB)"
    );
}

/// 2D, 256 x 256, sigma = 3 dx at the centre: sensors on the x axis between the source and
/// the x PML (normal incidence of the part of the wavefront that reaches them first) and one
/// off axis; the record (1000 steps, 300 dx of travel) also brings back the oblique and
/// corner echoes.
#[test]
fn pml_default_2d() {
    let n = 256usize;
    let sigma = 3.0 * DX;
    let grid = Grid::new(&[n, n], &[DX, DX]).unwrap();
    let centre = 128.0 * DX;
    let p0 = setup::sample(&grid, |x| {
        analytic::gaussian(
            1.0,
            sigma,
            ((x[0] - centre).powi(2) + (x[1] - centre).powi(2)).sqrt(),
        )
    });
    let dt = 0.3 * DX / C0;
    let steps = (300.0 * DX / C0 / dt) as usize;
    let sensors = [[60usize, 128usize], [30, 128], [40, 60]];
    let indices = sensors.iter().map(|s| grid.index(s[0], s[1], 0)).collect();
    let sim = setup::initial_value_problem(
        grid,
        setup::homogeneous(C0, 1000.0),
        Pml::kwave_default(2),
        dt,
        steps,
        p0,
        indices,
    );
    let data = setup::run(&sim);
    for (j, s) in sensors.iter().enumerate() {
        let r = ((s[0] as f64 - 128.0).powi(2) + (s[1] as f64 - 128.0).powi(2)).sqrt() * DX;
        let p = setup::pressure_series(&data, j);
        let exact: Vec<f64> = (0..steps)
            .map(|k| analytic::gaussian_2d(1.0, sigma, r, C0, k as f64 * dt))
            .collect();
        let n_pass = ((r + 6.0 * sigma) / C0 / dt).ceil() as usize;
        let back: Vec<f64> = p[n_pass..]
            .iter()
            .zip(&exact[n_pass..])
            .map(|(a, b)| a - b)
            .collect();
        let db = metrics::decibels(metrics::energy(&back) / metrics::energy(&exact));
        println!("2D, default PML, sensor {s:?}: echo {db:.1} dB");
        assert!(
            db < TOLERANCE_DB,
            "2D default PML, sensor {s:?}: {db:.1} dB > {TOLERANCE_DB} dB"
        );
    }
}
