//! A PML outside the user's grid is the same run as a PML inside a grid larger by the PML:
//! the solver pads the medium and p0, moves sources and sensors, and crops whole-grid output.

use ferrowave_solvers::acoustic::*;

fn run(n: usize, pml_inside: bool, offset: usize) -> SensorData {
    let grid = Grid::new(&[n, n], &[1e-4, 1e-4]).unwrap();
    let mut p0 = vec![0.0f32; grid.num_points()];
    let mut c = vec![1500.0f32; grid.num_points()];
    for y in 0..n {
        for x in 0..n {
            let (fx, fy) = (
                x as f32 - (offset + 30) as f32,
                y as f32 - (offset + 40) as f32,
            );
            p0[grid.index(x, y, 0)] = (-(fx * fx + fy * fy) / 9.0).exp();
            if x >= offset + 50 && x < offset + 60 {
                c[grid.index(x, y, 0)] = 1800.0;
            }
        }
    }
    let sim = Simulation {
        medium: Medium {
            sound_speed: Property::Map(c),
            density: Property::Uniform(1000.0),
            density_staggered: None,
            absorption: None,
            nonlinearity: None,
        },
        pml: Pml {
            size: [12, 12, 0],
            alpha: [2.0; 3],
            inside: pml_inside,
        },
        time: TimeSpec {
            dt_s: Some(1.5e-8),
            steps: Some(120),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            ..Default::default()
        },
        sensor: Sensor {
            points: vec![
                grid.index(offset + 5, offset + 40, 0),
                grid.index(offset + 45, offset + 10, 0),
                grid.index(offset + 70, offset + 70, 0),
            ],
            record: Record {
                p: true,
                p_final: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: Some(1800.0),
        grid,
    };
    Plan::new(&sim, 2).unwrap().run(&mut ()).unwrap().0
}

#[test]
fn outside_pml_equals_inside_pml_on_the_padded_grid() {
    let outside = run(80, false, 0);
    let inside = run(104, true, 12);
    let (a, b) = (outside.p.unwrap(), inside.p.unwrap());
    let scale = b.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let worst = a
        .iter()
        .zip(b.iter())
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(
        worst <= 1e-5 * scale,
        "sensor traces differ by {worst} (scale {scale})"
    );
    let (fa, fb) = (outside.p_final.unwrap(), inside.p_final.unwrap());
    assert_eq!(fa.shape(), &[80, 80]);
    for x in 0..80 {
        for y in 0..80 {
            assert!((fa[[x, y]] - fb[[x + 12, y + 12]]).abs() <= 1e-5 * scale);
        }
    }
}
