//! A plane wave at normal incidence on a planar interface: reflection and transmission
//! coefficients against (Z2 - Z1) / (Z2 + Z1) and 2 Z2 / (Z2 + Z1).
//!
//! 1D, 1200 points of 0.1 mm, k-Wave's default PML (20 points, inside). c0 and rho0 are maps:
//! medium 1 for x < 600, medium 2 for x >= 600, so with k-Wave's staggering (rho0 on the
//! velocity grid x + dx/2 is the mean of its neighbours) the interface lies at x = 599.5 dx,
//! on the staggered point that takes the mean density. A Gaussian p0 (sigma = 6 dx) at
//! x = 300 splits into two half-amplitude pulses; the right-going one is the incident wave.
//! Sensor A (x = 450, medium 1) records the incident pulse and, 300 dx / c1 later, the
//! reflected one; sensor B (x = 750, medium 2) records the transmitted pulse. Each pulse is
//! cut out of its series by a window of +-10 sigma / c1 around its expected arrival (the
//! pulses are 300 dx apart, and PML echoes arrive after the windows), and the coefficients are
//! measured two ways: from the pulses' L2 norms (signed by the reflected peak) and from their
//! signed peaks. In 1D the pulses keep their shape in time (no spreading), so both ratios
//! equal the plane-wave coefficients exactly for the continuous problem.
//!
//! Tolerance: 1% (the validation issue's requirement). What the scheme adds: Gibbs ringing
//! at the sharp interface and the temporal dispersion of the slower medium (c_ref = max c0);
//! measured errors are 1.5e-3 or less (docs/validation.md). How rho0 is staggered at the
//! interface (the mean, or either neighbour's value) moves R and T by at most 0.5% (measured),
//! whereas a velocity update that ignored the density map (uniform rho0 on the staggered
//! grid) puts R off by 21-28%, which fails.

use ferrowave_solvers::acoustic::*;
use ferrowave_validation::{analytic, metrics, setup};

const TOLERANCE: f64 = 0.01;
const DX: f64 = 1e-4;
const N: usize = 1200;
const INTERFACE: usize = 600;
const SOURCE: usize = 300;
const SENSOR_A: usize = 450;
const SENSOR_B: usize = 750;

struct Measured {
    r_l2: f64,
    r_peak: f64,
    t_l2: f64,
    t_peak: f64,
}

fn measure(c1: f64, rho1: f64, c2: f64, rho2: f64) -> Measured {
    let sigma = 6.0 * DX;
    let grid = Grid::new(&[N], &[DX]).unwrap();
    let map = |a: f64, b: f64| {
        Property::Map(
            (0..N)
                .map(|i| if i < INTERFACE { a as f32 } else { b as f32 })
                .collect(),
        )
    };
    let medium = Medium {
        sound_speed: map(c1, c2),
        density: map(rho1, rho2),
        ..setup::homogeneous(c1, rho1)
    };
    let p0 = setup::sample(&grid, |x| {
        analytic::gaussian(1.0, sigma, x[0] - SOURCE as f64 * DX)
    });
    let c_max = c1.max(c2);
    let dt = 0.3 * DX / c_max;
    let x_interface = (INTERFACE as f64 - 0.5) * DX;
    let (xs, xa, xb) = (
        SOURCE as f64 * DX,
        SENSOR_A as f64 * DX,
        SENSOR_B as f64 * DX,
    );
    let t_incident = (xa - xs) / c1;
    let t_reflected = (2.0 * x_interface - xs - xa) / c1;
    let t_transmitted = (x_interface - xs) / c1 + (xb - x_interface) / c2;
    let half = 10.0 * sigma / c1;
    let steps = ((t_reflected.max(t_transmitted) + half) / dt).ceil() as usize + 1;
    let sim = setup::initial_value_problem(
        grid,
        medium,
        Pml::kwave_default(1),
        dt,
        steps,
        p0,
        vec![SENSOR_A, SENSOR_B],
    );
    let data = setup::run(&sim);
    let (pa, pb) = (
        setup::pressure_series(&data, 0),
        setup::pressure_series(&data, 1),
    );
    let window = |s: &[f64], t: f64| {
        s[((t - half) / dt).ceil() as usize..=((t + half) / dt).floor() as usize].to_vec()
    };
    let incident = window(&pa, t_incident);
    let reflected = window(&pa, t_reflected);
    let transmitted = window(&pb, t_transmitted);
    // The windows hold whole pulses: the series is quiet at their edges.
    let peak = metrics::signed_peak(&incident).abs();
    for (name, w) in [
        ("incident", &incident),
        ("reflected", &reflected),
        ("transmitted", &transmitted),
    ] {
        let edge = w[0].abs().max(w[w.len() - 1].abs());
        assert!(
            edge < 1e-4 * peak,
            "{name} window does not hold a whole pulse (edge {edge:e})"
        );
    }
    let reflected_peak = metrics::signed_peak(&reflected);
    Measured {
        r_l2: reflected_peak.signum() * metrics::energy_ratio(&reflected, &incident).sqrt(),
        r_peak: reflected_peak / metrics::signed_peak(&incident),
        t_l2: metrics::energy_ratio(&transmitted, &incident).sqrt(),
        t_peak: metrics::signed_peak(&transmitted) / metrics::signed_peak(&incident),
    }
}

fn check(name: &str, c1: f64, rho1: f64, c2: f64, rho2: f64) {
    let (z1, z2) = (rho1 * c1, rho2 * c2);
    let r = analytic::reflection_coefficient(z1, z2);
    let t = analytic::transmission_coefficient(z1, z2);
    let m = measure(c1, rho1, c2, rho2);
    println!(
        "{name}: Z2/Z1 = {:.3}; R = {r:+.5}: L2 {:+.5} ({:+.2e}), peak {:+.5} ({:+.2e}); \
         T = {t:.5}: L2 {:.5} ({:+.2e}), peak {:.5} ({:+.2e})",
        z2 / z1,
        m.r_l2,
        m.r_l2 / r - 1.0,
        m.r_peak,
        m.r_peak / r - 1.0,
        m.t_l2,
        m.t_l2 / t - 1.0,
        m.t_peak,
        m.t_peak / t - 1.0,
    );
    for (what, value, exact) in [
        ("R (L2)", m.r_l2, r),
        ("R (peak)", m.r_peak, r),
        ("T (L2)", m.t_l2, t),
        ("T (peak)", m.t_peak, t),
    ] {
        assert!(
            (value / exact - 1.0).abs() <= TOLERANCE,
            "{name}: {what} = {value:.5}, expected {exact:.5} within {TOLERANCE}"
        );
    }
}

/// Water into a stiffer, denser medium: Z2/Z1 = 2, R = +1/3, T = 4/3.
#[test]
fn interface_into_higher_impedance() {
    check("water -> Z2/Z1 = 2", 1500.0, 1000.0, 2000.0, 1500.0);
}

/// From a bone-like medium (2800 m/s, 1850 kg/m^3) into water: Z2/Z1 = 0.29,
/// R = -0.551 (an inverted reflection), T = 0.449.
#[test]
fn interface_into_lower_impedance() {
    check("bone-like -> water", 2800.0, 1850.0, 1500.0, 1000.0);
}
