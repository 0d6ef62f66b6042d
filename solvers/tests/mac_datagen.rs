//! The cavity and cylinder dataset generators: determinism, shapes, layout, parameter errors.

use ferrowave_solvers::datagen::cavity::{CavityGenerator, CavityParameters};
use ferrowave_solvers::datagen::cylinder::{CylinderGenerator, CylinderParameters};
use ferrowave_solvers::datagen::{sample_rng, GenerateError, Generator};

fn small_cavity() -> CavityParameters {
    CavityParameters {
        resolution: 16,
        time_steps: 3,
        snapshot_interval: 0.1,
        ..Default::default()
    }
}

fn small_cylinder() -> CylinderParameters {
    CylinderParameters {
        resolution: 16,
        time_steps: 2,
        snapshot_interval: 0.05,
        spin_up_time: 0.2,
        ..Default::default()
    }
}

fn check_shapes(generator: &dyn Generator, sample: &[Vec<f32>]) {
    let arrays = generator.sample_arrays();
    assert_eq!(arrays.len(), sample.len());
    for (array, values) in arrays.iter().zip(sample) {
        assert_eq!(
            array.shape.iter().product::<usize>(),
            values.len(),
            "{}",
            array.name
        );
        assert!(values.iter().all(|v| v.is_finite()), "{}", array.name);
    }
    for shared in generator.shared_arrays() {
        assert_eq!(
            shared.shape.iter().product::<usize>(),
            shared.data.len(),
            "{}",
            shared.name
        );
    }
}

/// max |div u| of snapshot `s` of a stacked (T+1, 2, ny+1, nx+1) velocity on fluid cells.
fn stacked_divergence(
    velocity: &[f32],
    s: usize,
    nx: usize,
    ny: usize,
    h: f64,
    solid: Option<&[f32]>,
) -> f64 {
    let (w, plane) = (nx + 1, (nx + 1) * (ny + 1));
    let base = s * 2 * plane;
    let mut max: f64 = 0.0;
    for j in 0..ny {
        for i in 0..nx {
            if solid.is_some_and(|m| m[j * nx + i] > 0.5) {
                continue;
            }
            let u = |j: usize, i: usize| velocity[base + j * w + i] as f64;
            let v = |j: usize, i: usize| velocity[base + plane + j * w + i] as f64;
            let div = (u(j, i + 1) - u(j, i) + v(j + 1, i) - v(j, i)) / h;
            max = max.max(div.abs());
        }
    }
    max
}

#[test]
fn cavity_samples_are_deterministic_and_well_formed() {
    let generator = CavityGenerator::new(small_cavity()).unwrap();
    let a = generator.generate(&mut sample_rng(42, 0)).unwrap();
    let b = generator.generate(&mut sample_rng(42, 0)).unwrap();
    let c = generator.generate(&mut sample_rng(42, 1)).unwrap();
    assert_eq!(a, b, "same stream, same sample");
    assert_ne!(a[2], c[2], "another stream draws another Reynolds number");
    check_shapes(&generator, &a);
    let n = 16;
    let reynolds = a[2][0] as f64;
    assert!((100.0..=1000.0).contains(&reynolds));
    let velocity = &a[0];
    let plane = (n + 1) * (n + 1);
    // t = 0: the fluid is at rest.
    assert!(velocity[..2 * plane].iter().all(|&v| v == 0.0));
    // Padding entries (u row j = n, v column i = n) are 0 in every snapshot.
    for s in 0..4 {
        let base = s * 2 * plane;
        for i in 0..=n {
            assert_eq!(velocity[base + n * (n + 1) + i], 0.0);
        }
        for j in 0..=n {
            assert_eq!(velocity[base + plane + j * (n + 1) + n], 0.0);
        }
    }
    // The lid drags the top row along +x; the stored fields are divergence-free to f32
    // precision (values ~1, h = 1/16: ~1e-5).
    let last = 3 * 2 * plane;
    assert!(velocity[last + (n - 1) * (n + 1) + n / 2] > 0.1);
    for s in 0..4 {
        assert!(stacked_divergence(velocity, s, n, n, 1.0 / n as f64, None) < 1e-4);
    }
    let pressure = &a[1];
    assert_eq!(pressure.len(), 4 * n * n);
    let mean: f64 = pressure[3 * n * n..].iter().map(|&p| p as f64).sum::<f64>() / (n * n) as f64;
    assert!(mean.abs() < 1e-5, "pressure has zero mean: {mean}");
}

#[test]
fn cylinder_samples_are_deterministic_and_well_formed() {
    let generator = CylinderGenerator::new(small_cylinder()).unwrap();
    let a = generator.generate(&mut sample_rng(7, 3)).unwrap();
    let b = generator.generate(&mut sample_rng(7, 3)).unwrap();
    let c = generator.generate(&mut sample_rng(7, 4)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a[5], c[5], "another stream places the cylinder elsewhere");
    check_shapes(&generator, &a);
    let (nx, ny) = (64, 16);
    let h = 1.0 / 16.0;
    let [diameter, cx, cy] = [a[4][0] as f64, a[5][0] as f64, a[5][1] as f64];
    assert!(
        (0.15..=0.25).contains(&diameter)
            && (0.75..=1.25).contains(&cx)
            && (0.4..=0.6).contains(&cy)
    );
    let solid = &a[2];
    let solid_cells = solid.iter().filter(|&&s| s == 1.0).count();
    let disc_cells = std::f64::consts::PI * diameter * diameter / 4.0 / (h * h);
    assert!(
        (solid_cells as f64 - disc_cells).abs() < 0.5 * disc_cells + 4.0,
        "{solid_cells} vs {disc_cells}"
    );
    let velocity = &a[0];
    let (w, plane) = (nx + 1, (nx + 1) * (ny + 1));
    for s in 0..3 {
        let base = s * 2 * plane;
        // Inflow u = 1 on x = 0; free-slip walls: v = 0 on y = 0 and y = H.
        for j in 0..ny {
            assert_eq!(velocity[base + j * w], 1.0);
        }
        for i in 0..nx {
            assert_eq!(velocity[base + plane + i], 0.0);
            assert_eq!(velocity[base + plane + ny * w + i], 0.0);
        }
        // No-slip on the cylinder: every face of a solid cell carries zero velocity.
        for j in 0..ny {
            for i in 0..nx {
                if solid[j * nx + i] == 1.0 {
                    for value in [
                        velocity[base + j * w + i],
                        velocity[base + j * w + i + 1],
                        velocity[base + plane + j * w + i],
                        velocity[base + plane + (j + 1) * w + i],
                    ] {
                        assert_eq!(value, 0.0);
                    }
                }
            }
        }
        assert!(stacked_divergence(velocity, s, nx, ny, h, Some(solid)) < 1e-4);
    }
}

fn parameter_name(error: GenerateError) -> &'static str {
    match error {
        GenerateError::Parameter { name, .. } => name,
        other => panic!("expected a parameter error, got {other}"),
    }
}

#[test]
fn invalid_parameters_are_rejected_with_the_option_name() {
    let cavity = |p: CavityParameters| parameter_name(CavityGenerator::new(p).unwrap_err());
    assert_eq!(
        cavity(CavityParameters {
            resolution: 4,
            ..Default::default()
        }),
        "resolution"
    );
    assert_eq!(
        cavity(CavityParameters {
            time_steps: 0,
            ..Default::default()
        }),
        "time-steps"
    );
    assert_eq!(
        cavity(CavityParameters {
            snapshot_interval: 0.0,
            ..Default::default()
        }),
        "snapshot-interval"
    );
    assert_eq!(
        cavity(CavityParameters {
            reynolds_min: -1.0,
            ..Default::default()
        }),
        "reynolds-min"
    );
    assert_eq!(
        cavity(CavityParameters {
            reynolds_max: 50.0,
            ..Default::default()
        }),
        "reynolds-max"
    );
    assert_eq!(
        cavity(CavityParameters {
            cfl: 1.5,
            ..Default::default()
        }),
        "cfl"
    );
    assert_eq!(
        cavity(CavityParameters {
            divergence_tolerance: 0.0,
            ..Default::default()
        }),
        "divergence-tolerance"
    );

    let cylinder = |p: CylinderParameters| parameter_name(CylinderGenerator::new(p).unwrap_err());
    let d = CylinderParameters::default;
    assert_eq!(
        cylinder(CylinderParameters {
            channel_length: 0.5,
            ..d()
        }),
        "channel-length"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            spin_up_time: -1.0,
            ..d()
        }),
        "spin-up-time"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            diameter_min: 0.01,
            ..d()
        }),
        "diameter-min"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            diameter_max: 0.1,
            ..d()
        }),
        "diameter-max"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            centre_y_max: 0.95,
            ..d()
        }),
        "centre-y-max"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            centre_x_min: 0.05,
            ..d()
        }),
        "centre-x-min"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            centre_x_max: 3.8,
            ..d()
        }),
        "centre-x-max"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            reynolds_max: 10.0,
            ..d()
        }),
        "reynolds-max"
    );
    assert_eq!(
        cylinder(CylinderParameters {
            time_steps: 0,
            ..d()
        }),
        "time-steps"
    );
}

#[test]
fn defaults_are_valid() {
    let cavity = CavityGenerator::new(CavityParameters::default()).unwrap();
    assert_eq!(cavity.sample_arrays()[0].shape, vec![51, 2, 65, 65]);
    let cylinder = CylinderGenerator::new(CylinderParameters::default()).unwrap();
    assert_eq!(cylinder.sample_arrays()[0].shape, vec![51, 2, 65, 257]);
    assert_eq!(cylinder.sample_arrays()[1].shape, vec![51, 64, 256]);
    assert!(cylinder.working_bytes() > 51 * 2 * 65 * 257 * 4);
}

#[test]
fn stored_pressure_solves_the_pressure_poisson_equation_of_the_stored_velocity() {
    // What a physics-constrained loss would check on a snapshot: unstack the velocity, and
    // compare div grad p with div(-(u.grad)u + nu lap u) through the exposed operators.
    use ferrowave_solvers::fluid::mac::{
        unstack_velocity_2d, AxisBoundary, CellField, MacGrid, MacOperators, Side,
    };
    let generator = CavityGenerator::new(small_cavity()).unwrap();
    let sample = generator.generate(&mut sample_rng(3, 0)).unwrap();
    let n = 16;
    let lid = AxisBoundary::Bounded {
        low: Side::NoSlip {
            wall_velocity: [0.0; 3],
        },
        high: Side::NoSlip {
            wall_velocity: [1.0, 0.0, 0.0],
        },
    };
    let grid = MacGrid::new_2d([n, n], [1.0 / n as f64; 2], [AxisBoundary::WALLS, lid]).unwrap();
    let ops = MacOperators::new(&grid);
    let nu = 1.0 / sample[2][0] as f64;
    let plane = 2 * (n + 1) * (n + 1);
    let s = 3;
    let stacked: Vec<f64> = sample[0][s * plane..(s + 1) * plane]
        .iter()
        .map(|&v| v as f64)
        .collect();
    let velocity = unstack_velocity_2d(&grid, &stacked);
    let pressure = CellField {
        values: sample[1][s * n * n..(s + 1) * n * n]
            .iter()
            .map(|&v| v as f64)
            .collect(),
    };
    let lhs = ops.pressure_laplacian(&pressure);
    let rhs = ops.divergence(&ops.momentum_rate(&velocity, nu));
    let scale = rhs.values.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let error = lhs
        .values
        .iter()
        .zip(&rhs.values)
        .fold(0.0, |m: f64, (a, b)| m.max((a - b).abs()));
    // f32 storage: relative rounding 6e-8 amplified by the 1/h² = 256 of the stencils.
    assert!(
        scale > 1.0 && error < 1e-3 * scale,
        "error {error:.3e}, scale {scale:.3e}"
    );
}
