//! k-Wave's p0 smoothing is applied when asked (and only then), before the first step, so
//! sample 0 of a sensor is the smoothed p0 there; with a PML outside the grid the smoothing
//! is done on the user's grid, as k-Wave does before expanding.

use ferrowave_solvers::acoustic::smoothing::smooth_like_kwave;
use ferrowave_solvers::acoustic::*;

fn first_samples(smooth: bool, pml_inside: bool) -> (Vec<f32>, Vec<f32>, Vec<usize>) {
    let n = 64;
    let grid = Grid::new(&[n, n], &[1e-4, 1e-4]).unwrap();
    let mut p0 = vec![0.0f32; n * n];
    for y in 0..n {
        for x in 0..n {
            let r2 = (x as f32 - 30.0).powi(2) + (y as f32 - 33.0).powi(2);
            if r2 <= 25.0 {
                p0[grid.index(x, y, 0)] = 2.0;
            }
        }
    }
    let points = vec![
        grid.index(30, 33, 0),
        grid.index(36, 33, 0),
        grid.index(30, 40, 0),
    ];
    let sim = Simulation {
        medium: Medium {
            sound_speed: Property::Uniform(1500.0),
            density: Property::Uniform(1000.0),
            density_staggered: None,
            absorption: None,
            nonlinearity: None,
        },
        pml: Pml {
            inside: pml_inside,
            ..Pml::kwave_default(2)
        },
        time: TimeSpec {
            steps: Some(2),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0.clone()),
            smooth_initial_pressure: smooth,
            ..Default::default()
        },
        sensor: Sensor {
            points: points.clone(),
            record: Record {
                p: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    };
    let data = Plan::new(&sim, 1).unwrap().run(&mut ()).unwrap().0;
    let p = data.p.unwrap();
    (p.column(0).to_vec(), p0, points)
}

#[test]
fn sample_zero_is_the_smoothed_p0_when_smoothing_is_on() {
    for inside in [true, false] {
        let (samples, p0, points) = first_samples(true, inside);
        let smoothed = smooth_like_kwave(&p0, [64, 64, 1], 2, true);
        for (j, &point) in points.iter().enumerate() {
            assert!(
                (samples[j] - smoothed[point]).abs() <= 1e-6 * 2.0,
                "inside {inside}, sensor {j}: {} vs {}",
                samples[j],
                smoothed[point]
            );
        }
        assert!(
            samples[1] > 0.0 && samples[1] < 2.0,
            "smoothing spreads p0 past its edge"
        );
    }
    let (raw, p0, points) = first_samples(false, true);
    for (j, &point) in points.iter().enumerate() {
        assert!((raw[j] - p0[point]).abs() <= 1e-6, "unsmoothed sensor {j}");
    }
}
