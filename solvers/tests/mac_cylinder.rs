//! Flow past a cylinder: vortex shedding and its Strouhal number.
//!
//! Setup (see `datagen::cylinder`): channel of height H = 1 and length 4, uniform inflow
//! U = 1, convective outflow, free-slip walls, stair-step cylinder of diameter D centred at
//! (1, 0.5), Re = U D / nu = 100. The shedding signal is the transverse velocity v on the
//! wake centreline two diameters behind the cylinder centre; its period is the time between
//! upward zero crossings, and St = D / (U period).

use ferrowave_solvers::datagen::cylinder::{CylinderGenerator, CylinderParameters, CylinderSetup};

/// Strouhal numbers of the successive shedding periods after `spin_up`, and the probe
/// amplitude.
fn shedding(resolution: usize, diameter: f64, spin_up: f64, record: f64) -> (Vec<f64>, f64) {
    let generator = CylinderGenerator::new(CylinderParameters {
        resolution,
        ..Default::default()
    })
    .unwrap();
    let setup = CylinderSetup {
        reynolds: 100.0,
        diameter,
        centre: [1.0, 0.5],
    };
    let mut solver = generator.solver(&setup).unwrap();
    solver.advance_to(spin_up).unwrap();
    let h = 1.0 / resolution as f64;
    let nx = solver.grid().cells()[0];
    // v faces at x = (i + 1/2) h, y = j h: the probe at (1 + 2 D, 0.5).
    let probe = ((0.5 / h).round() as usize) * nx + ((1.0 + 2.0 * diameter) / h) as usize;
    let mut velocity = solver.velocity();
    let (mut times, mut values) = (Vec::new(), Vec::new());
    while solver.time() < spin_up + record {
        solver.step(solver.stable_dt()).unwrap();
        solver.velocity_into(&mut velocity);
        times.push(solver.time());
        values.push(velocity.v()[probe]);
    }
    let mut crossings = Vec::new();
    for k in 1..values.len() {
        if values[k - 1] < 0.0 && values[k] >= 0.0 {
            let fraction = -values[k - 1] / (values[k] - values[k - 1]);
            crossings.push(times[k - 1] + fraction * (times[k] - times[k - 1]));
        }
    }
    let amplitude = values.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let strouhal = crossings
        .windows(2)
        .map(|w| diameter / (w[1] - w[0]))
        .collect();
    (strouhal, amplitude)
}

#[test]
fn cylinder_sheds_vortices_on_a_coarse_grid() {
    // 64 x 16 cells, D = 0.25 H (4 cells, blockage 0.25), Re = 100: cheap; the wake must
    // oscillate periodically. Expected St is ~0.21 (the 8-cells-per-D run below at the same
    // blockage measures 0.215); at 4 cells per D we accept 0.15-0.28.
    let (strouhal, amplitude) = shedding(16, 0.25, 6.0, 4.0);
    eprintln!("coarse cylinder: St per period {strouhal:?}, probe amplitude {amplitude:.3}");
    assert!(amplitude > 0.1, "no shedding: probe amplitude {amplitude}");
    assert!(strouhal.len() >= 2, "fewer than 3 crossings: {strouhal:?}");
    let last = *strouhal.last().unwrap();
    assert!((0.15..0.28).contains(&last), "St {last}");
}

#[test]
#[ignore = "slow (minutes): 256 x 64 cells to t = 25; run with --ignored"]
fn cylinder_strouhal_number_at_re_100() {
    // D = H / 8 (8 cells per D, blockage 0.125), Re = 100. Measured: St = 0.1736 (steady
    // over 13 periods), probe amplitude 0.58. Literature: St ~ 0.165 for the
    // unbounded cylinder at Re = 100 (Williamson 1996); slip-wall confinement at blockage
    // 0.125 raises it by some 5-10 %, and a stair-step cylinder of 8 cells per diameter
    // adds a few percent of its own: we accept 0.15-0.20.
    let (strouhal, amplitude) = shedding(64, 0.125, 15.0, 10.0);
    eprintln!("cylinder D = H/8: St per period {strouhal:?}, probe amplitude {amplitude:.3}");
    assert!(amplitude > 0.1);
    let last = *strouhal.last().unwrap();
    assert!((0.15..0.20).contains(&last), "St {last}");
}
