//! The same scenes on every GPU backend this build includes agree with the CPU stepper.
//!
//! Tolerance: relative L2 <= 1e-5 on every recorded array. Both run the same plan in f32;
//! what differs is the FFT algorithm and the order of additions, a few ulps (~1e-7) per
//! transform, which the k-space scheme does not amplify over these few dozen steps (it is
//! stable), so 1e-5 leaves room for the accumulation and still catches any wrong factor,
//! sign, index or missing term (those give errors of order 1e-2 or more).
//!
//! A backend not built in (features `wgpu`, `cuda`) or without a device skips, printing why.
//! The scenes are small so that WGSL on lavapipe (CI) runs them in seconds.

use ferrowave_kernels::{DeviceError, DeviceKind, StepForm};
use ferrowave_solvers::acoustic::*;

const TOLERANCE: f64 = 1e-5;

fn relative_l2(reference: &[f32], other: &[f32]) -> f64 {
    assert_eq!(reference.len(), other.len(), "array lengths differ");
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (&a, &b) in reference.iter().zip(other) {
        diff += (a as f64 - b as f64).powi(2);
        norm += (a as f64).powi(2);
    }
    if norm == 0.0 {
        diff.sqrt()
    } else {
        (diff / norm).sqrt()
    }
}

/// Every recorded array of a run, by name, flattened.
fn arrays(data: &SensorData) -> Vec<(String, Vec<f32>)> {
    let mut out = Vec::new();
    let mut add = |name: &str, values: Option<Vec<f32>>| {
        if let Some(v) = values {
            out.push((name.to_string(), v));
        }
    };
    let flat1 = |a: &Option<ndarray::Array1<f32>>| a.as_ref().map(|a| a.to_vec());
    let flat2 = |a: &Option<ndarray::Array2<f32>>| a.as_ref().map(|a| a.iter().copied().collect());
    let flatd = |a: &Option<Field>| a.as_ref().map(|a| a.iter().copied().collect());
    add("p", flat2(&data.p));
    add("p_max", flat1(&data.p_max));
    add("p_min", flat1(&data.p_min));
    add("p_rms", flat1(&data.p_rms));
    add("p_final", flatd(&data.p_final));
    add("p_max_all", flatd(&data.p_max_all));
    add("p_min_all", flatd(&data.p_min_all));
    add("cw_amplitude", flat1(&data.cw_amplitude));
    // The phase is compared through the complex amplitude, where it is well defined.
    if let (Some(a), Some(phi)) = (&data.cw_amplitude, &data.cw_phase) {
        let re = a.iter().zip(phi).map(|(a, f)| a * f.cos()).collect();
        let im = a.iter().zip(phi).map(|(a, f)| a * f.sin()).collect();
        add("cw_re", Some(re));
        add("cw_im", Some(im));
    }
    let per_axis = |name: &str, v: &Option<Vec<ndarray::Array2<f32>>>| {
        v.as_ref().map(|v| {
            (
                name.to_string(),
                v.iter().flat_map(|a| a.iter().copied()).collect::<Vec<_>>(),
            )
        })
    };
    out.extend(per_axis("u", &data.u));
    out.extend(per_axis("u_non_staggered", &data.u_non_staggered));
    let per_axis1 = |name: &str, v: &Option<Vec<ndarray::Array1<f32>>>| {
        v.as_ref().map(|v| {
            (
                name.to_string(),
                v.iter().flat_map(|a| a.iter().copied()).collect::<Vec<_>>(),
            )
        })
    };
    out.extend(per_axis1("u_max", &data.u_max));
    out.extend(per_axis1("u_min", &data.u_min));
    out.extend(per_axis1("u_rms", &data.u_rms));
    let per_axis_field = |name: &str, v: &Option<Vec<Field>>| {
        v.as_ref().map(|v| {
            (
                name.to_string(),
                v.iter().flat_map(|a| a.iter().copied()).collect::<Vec<_>>(),
            )
        })
    };
    out.extend(per_axis_field("u_final", &data.u_final));
    out.extend(per_axis_field("u_max_all", &data.u_max_all));
    out.extend(per_axis_field("u_min_all", &data.u_min_all));
    out
}

/// How a scene went on a device.
enum Outcome {
    /// Both ran and agree.
    Compared,
    /// The backend is not built in, or has no device (printed).
    NoDevice,
}

/// Runs `sim` on the CPU and on `device`, and asserts that they agree; the device run must
/// also stay within the device memory the plan estimated.
fn compare(name: &str, sim: &Simulation, device: DeviceKind) -> Outcome {
    let cpu = Plan::new(sim, 2).unwrap().run(&mut ()).unwrap().0;
    let plan = Plan::new(sim, 2).unwrap();
    let estimate = plan.device_bytes(device);
    let gpu = match plan.run_on(device, &mut ()) {
        Ok((data, stats)) => {
            let estimate = estimate.expect("a device that ran has an estimate");
            assert!(
                stats.bytes_allocated as u64 <= estimate,
                "{name} on {device}: allocated {} bytes of device memory, more than the \
                 {estimate} estimated",
                stats.bytes_allocated
            );
            data
        }
        Err(SolverError::Device(
            e @ (DeviceError::NotBuilt(_) | DeviceError::Unavailable { .. }),
        )) => {
            eprintln!("skipping {name} on {device}: {e}");
            return Outcome::NoDevice;
        }
        Err(e) => panic!("{name} on {device}: {e}"),
    };
    assert_agree(name, device, &cpu, &gpu);
    Outcome::Compared
}

/// Compares every recorded array of the CPU run with the device run: relative L2 per array.
fn assert_agree(
    name: &str,
    device: DeviceKind,
    cpu: &SensorData,
    gpu: &SensorData,
) -> Vec<(String, f64)> {
    let (a, b) = (arrays(cpu), arrays(gpu));
    assert_eq!(
        a.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        b.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "{name}: both backends record the same quantities"
    );
    let errors: Vec<(String, f64)> = a
        .iter()
        .zip(&b)
        .map(|((n, x), (_, y))| (n.clone(), relative_l2(x, y)))
        .collect();
    eprintln!("{name} on {device}: {errors:?}");
    for (quantity, error) in &errors {
        assert!(
            *error <= TOLERANCE,
            "{name} on {device}: {quantity} differs from the CPU by {error:.2e} (relative L2)"
        );
    }
    errors
}

fn ball(grid: &Grid, centre: [f64; 3], radius: f64, value: f32) -> Vec<f32> {
    (0..grid.num_points())
        .map(|i| {
            let c = grid.coords(i);
            let r2: f64 = (0..grid.ndim)
                .map(|a| (c[a] as f64 - centre[a]).powi(2))
                .sum();
            if r2 <= radius * radius {
                value
            } else {
                0.0
            }
        })
        .collect()
}

fn water() -> Medium {
    Medium {
        sound_speed: Property::Uniform(1500.0),
        density: Property::Uniform(1000.0),
        density_staggered: None,
        absorption: None,
        nonlinearity: None,
    }
}

/// The benchmark problem at a small size: homogeneous water, PML 10 inside, smoothed p0 ball,
/// with every whole-grid output and the velocity series.
fn homogeneous_3d() -> Simulation {
    let n = 32;
    let grid = Grid::new(&[n, n, n], &[1e-4; 3]).unwrap();
    let p0 = ball(&grid, [15.0, 16.0, 17.0], 4.0, 1.0);
    let points = vec![
        grid.index(16, 16, 16),
        grid.index(20, 12, 16),
        grid.index(11, 22, 9),
    ];
    Simulation {
        medium: water(),
        pml: Pml::kwave_default(3),
        time: TimeSpec {
            steps: Some(40),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: true,
            ..Default::default()
        },
        sensor: Sensor {
            points,
            record: Record {
                p: true,
                u: true,
                p_final: true,
                u_final: true,
                p_max_all: true,
                p_min_all: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    }
}

/// Heterogeneous, power-law absorbing, nonlinear 2D medium driven by an additive (k-space
/// corrected) pressure tone burst; sizes with factors 3 and 5; CW and statistics recorded.
fn absorbing_nonlinear_2d() -> Simulation {
    let (nx, ny) = (48, 40);
    let grid = Grid::new(&[nx, ny], &[1e-4, 1e-4]).unwrap();
    let inclusion = ball(&grid, [30.0, 22.0, 0.0], 7.0, 1.0);
    let c: Vec<f32> = inclusion.iter().map(|&m| 1500.0 + 300.0 * m).collect();
    let rho: Vec<f32> = inclusion.iter().map(|&m| 1000.0 + 800.0 * m).collect();
    let alpha: Vec<f32> = inclusion.iter().map(|&m| 0.75 + 4.0 * m).collect();
    let source_points: Vec<usize> = (14..26).map(|y| grid.index(8, y, 0)).collect();
    let dt = 2e-8;
    let f0 = 1.5e6;
    let length = 60;
    let signal: Vec<f32> = (0..length)
        .map(|n| {
            let t = n as f64 * dt;
            (2e4 * (2.0 * std::f64::consts::PI * f0 * t).sin()) as f32
        })
        .collect();
    let sensors: Vec<usize> = (0..nx)
        .step_by(5)
        .flat_map(|x| [grid.index(x, 20, 0), grid.index(x, 9, 0)])
        .collect();
    Simulation {
        medium: Medium {
            sound_speed: Property::Map(c),
            density: Property::Map(rho),
            density_staggered: None,
            absorption: Some(Absorption {
                alpha_coeff_db: Property::Map(alpha),
                alpha_power: 1.5,
                stokes: false,
            }),
            nonlinearity: Some(Property::Uniform(5.0)),
        },
        pml: Pml {
            size: [8, 6, 0],
            alpha: [2.0, 1.5, 0.0],
            inside: true,
        },
        time: TimeSpec {
            dt_s: Some(dt),
            steps: Some(90),
            ..Default::default()
        },
        sources: Sources {
            pressure: Some(TimeVaryingSource {
                points: source_points,
                signals: signal,
                per_point: false,
                length,
                mode: SourceMode::Additive,
                units: SignalUnits::Physical,
            }),
            ..Default::default()
        },
        sensor: Sensor {
            points: sensors,
            record: Record {
                p: true,
                p_max: true,
                p_min: true,
                p_rms: true,
                u_max_all: true,
                u_min_all: true,
                cw: Some(ContinuousWave {
                    frequency_hz: f0,
                    periods: 1.0,
                }),
                ..Default::default()
            },
            record_start_step: 10,
        },
        c_ref_m_s: None,
        grid,
    }
}

/// 1D Stokes absorption with a Dirichlet pressure source and an uncorrected additive velocity
/// source, one signal per point, PML outside the grid.
fn stokes_sources_1d() -> Simulation {
    let n = 70;
    let grid = Grid::new(&[n], &[5e-5]).unwrap();
    let dt = 1e-8;
    let length = 50;
    let pulse = |n: usize, shift: f64| {
        let t = n as f64 - 12.0 - shift;
        (1e4 * (-t * t / 20.0).exp()) as f32
    };
    let pressure_signals: Vec<f32> = (0..length).map(|k| pulse(k, 0.0)).collect();
    let velocity_signals: Vec<f32> = (0..length)
        .flat_map(|k| [pulse(k, 0.0) * 1e-6, pulse(k, 3.0) * -2e-6])
        .collect();
    Simulation {
        medium: Medium {
            sound_speed: Property::Uniform(1540.0),
            density: Property::Uniform(1040.0),
            density_staggered: None,
            absorption: Some(Absorption {
                alpha_coeff_db: Property::Uniform(2.0),
                alpha_power: 2.0,
                stokes: true,
            }),
            nonlinearity: None,
        },
        pml: Pml {
            size: [12, 0, 0],
            alpha: [2.0, 0.0, 0.0],
            inside: false,
        },
        time: TimeSpec {
            dt_s: Some(dt),
            steps: Some(120),
            ..Default::default()
        },
        sources: Sources {
            pressure: Some(TimeVaryingSource {
                points: vec![grid.index(20, 0, 0)],
                signals: pressure_signals,
                per_point: false,
                length,
                mode: SourceMode::Dirichlet,
                units: SignalUnits::Physical,
            }),
            velocity: [
                Some(TimeVaryingSource {
                    points: vec![grid.index(40, 0, 0), grid.index(41, 0, 0)],
                    signals: velocity_signals,
                    per_point: true,
                    length,
                    mode: SourceMode::AdditiveNoCorrection,
                    units: SignalUnits::Physical,
                }),
                None,
                None,
            ],
            ..Default::default()
        },
        sensor: Sensor {
            points: (0..n).step_by(3).collect(),
            record: Record {
                p: true,
                u: true,
                u_rms: true,
                p_final: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    }
}

/// 3D heterogeneous density with an additive (corrected) velocity source along z, radix-7
/// and radix-5 axes, and the non-staggered velocity.
fn velocity_source_3d() -> Simulation {
    let (nx, ny, nz) = (24, 20, 28);
    let grid = Grid::new(&[nx, ny, nz], &[1e-4; 3]).unwrap();
    let slab: Vec<f32> = (0..grid.num_points())
        .map(|i| {
            if grid.coords(i)[2] >= 16 {
                1200.0
            } else {
                1000.0
            }
        })
        .collect();
    let points: Vec<usize> = (9..15)
        .flat_map(|x| (8..12).map(move |y| (x, y)))
        .map(|(x, y)| grid.index(x, y, 8))
        .collect();
    let dt = 1.5e-8;
    let length = 40;
    let signal: Vec<f32> = (0..length)
        .map(|n| (1e-3 * (2.0 * std::f64::consts::PI * 1e6 * n as f64 * dt).sin()) as f32)
        .collect();
    Simulation {
        medium: Medium {
            sound_speed: Property::Uniform(1500.0),
            density: Property::Map(slab),
            density_staggered: None,
            absorption: None,
            nonlinearity: None,
        },
        pml: Pml {
            size: [4, 4, 6],
            alpha: [2.0; 3],
            inside: true,
        },
        time: TimeSpec {
            dt_s: Some(dt),
            steps: Some(45),
            ..Default::default()
        },
        sources: Sources {
            velocity: [
                None,
                None,
                Some(TimeVaryingSource {
                    points,
                    signals: signal,
                    per_point: false,
                    length,
                    mode: SourceMode::Additive,
                    units: SignalUnits::Physical,
                }),
            ],
            ..Default::default()
        },
        sensor: Sensor {
            points: vec![
                grid.index(12, 10, 14),
                grid.index(12, 10, 20),
                grid.index(5, 15, 22),
            ],
            record: Record {
                p: true,
                u: true,
                u_non_staggered: true,
                p_max_all: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    }
}

/// A named scene builder.
type Scene = (&'static str, fn() -> Simulation);

fn check_all(device: DeviceKind) {
    let scenes: [Scene; 4] = [
        ("homogeneous 3D p0", homogeneous_3d),
        ("absorbing nonlinear 2D", absorbing_nonlinear_2d),
        ("Stokes 1D with sources", stokes_sources_1d),
        ("velocity source 3D", velocity_source_3d),
    ];
    for (name, scene) in scenes {
        if let Outcome::NoDevice = compare(name, &scene(), device) {
            return;
        }
    }
}

#[test]
fn wgsl_stepper_agrees_with_the_cpu() {
    check_all(DeviceKind::Wgpu);
}

#[test]
fn cuda_stepper_agrees_with_the_cpu() {
    check_all(DeviceKind::Cuda);
}

#[test]
fn a_backend_not_built_in_says_how_to_get_it() {
    for device in [DeviceKind::Cuda, DeviceKind::Wgpu] {
        if device.compiled_in() {
            continue;
        }
        let err = Plan::new(&stokes_sources_1d(), 1)
            .unwrap()
            .run_on(device, &mut ())
            .expect_err("refused");
        let text = err.to_string();
        assert!(text.contains(&format!("--features {device}")), "{text}");
    }
}

/// Runs `sim` on the CPU in the split and in the mixed-domain form and compares every
/// recorded array (same tolerance and reasoning as across backends: the same arithmetic in a
/// different order of transforms and sums).
fn compare_cpu_forms(name: &str, sim: &Simulation) {
    let mixed_plan = Plan::new(sim, 2).unwrap();
    assert!(
        mixed_plan.summary().cpu_step.starts_with("mixed-domain"),
        "{name}: the plan should choose the mixed-domain form, got {}",
        mixed_plan.summary().cpu_step
    );
    let estimate = mixed_plan.summary().memory_bytes;
    let (mixed, stats) = mixed_plan.run(&mut ()).unwrap();
    assert!(
        stats.bytes_allocated as u64 <= estimate,
        "{name}: the mixed-domain stepper allocated {} bytes, more than the {estimate} the plan \
         estimated",
        stats.bytes_allocated
    );
    let mut split_plan = Plan::new(sim, 2).unwrap();
    split_plan.force_split_form();
    let split = split_plan.run(&mut ()).unwrap().0;
    let (a, b) = (arrays(&split), arrays(&mixed));
    assert_eq!(
        a.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        b.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "{name}: both forms record the same quantities"
    );
    for ((quantity, x), (_, y)) in a.iter().zip(&b) {
        let error = relative_l2(x, y);
        eprintln!("{name}: {quantity} mixed vs split {error:.2e}");
        assert!(
            error <= TOLERANCE,
            "{name}: {quantity} of the mixed-domain form differs from the split form by \
             {error:.2e} (relative L2)"
        );
    }
}

/// The benchmark problem on an even x odd mix of sizes (the conjugate-pair bookkeeping of the
/// mixed domains differs for odd and even axes), a few sensors (sampled in the passes), PML of
/// different sizes per axis.
fn homogeneous_mixed_3d(whole_grid: bool) -> Simulation {
    let (nx, ny, nz) = (30, 32, 27);
    let grid = Grid::new(&[nx, ny, nz], &[1e-4; 3]).unwrap();
    let p0 = ball(&grid, [13.0, 17.0, 12.0], 4.0, 1.0);
    Simulation {
        medium: water(),
        pml: Pml {
            size: [6, 5, 7],
            alpha: [2.0, 3.0, 1.5],
            inside: true,
        },
        time: TimeSpec {
            steps: Some(50),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: true,
            ..Default::default()
        },
        sensor: Sensor {
            points: vec![
                grid.index(13, 17, 12),
                grid.index(22, 9, 20),
                grid.index(3, 29, 1),
            ],
            record: Record {
                p: true,
                p_max: true,
                p_min: true,
                p_rms: true,
                p_final: whole_grid,
                p_max_all: whole_grid,
                p_min_all: whole_grid,
                cw: Some(ContinuousWave {
                    frequency_hz: 1e6,
                    periods: 1.0,
                }),
                ..Default::default()
            },
            record_start_step: 5,
        },
        c_ref_m_s: None,
        grid,
    }
}

#[test]
fn mixed_domain_form_agrees_with_split_form_3d_sensors() {
    compare_cpu_forms("3D, sensors", &mixed_3d_sensors());
}

#[test]
fn mixed_domain_form_agrees_with_split_form_3d_whole_grid() {
    compare_cpu_forms("3D, whole grid", &mixed_3d_whole_grid());
}

/// 2D, odd x, PML outside, more sensors than the passes sum (p formed on the grid).
fn mixed_2d_many_sensors() -> Simulation {
    let (nx, ny) = (45, 36);
    let grid = Grid::new(&[nx, ny], &[1e-4, 1e-4]).unwrap();
    let p0 = ball(&grid, [20.0, 14.0, 0.0], 5.0, 2.0);
    Simulation {
        medium: Medium {
            sound_speed: Property::Uniform(1540.0),
            density: Property::Uniform(1050.0),
            ..water()
        },
        pml: Pml {
            size: [8, 12, 0],
            alpha: [2.0, 2.0, 0.0],
            inside: false,
        },
        time: TimeSpec {
            steps: Some(80),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: true,
            ..Default::default()
        },
        sensor: Sensor {
            points: (0..nx).map(|x| grid.index(x, 30, 0)).collect(),
            record: Record {
                p: true,
                p_rms: true,
                p_final: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    }
}

#[test]
fn mixed_domain_form_agrees_with_split_form_2d_many_sensors() {
    compare_cpu_forms("2D, many sensors", &mixed_2d_many_sensors());
}

fn mixed_1d() -> Simulation {
    let n = 64;
    let grid = Grid::new(&[n], &[1e-4]).unwrap();
    let p0 = ball(&grid, [30.0, 0.0, 0.0], 3.0, 1.0);
    Simulation {
        medium: water(),
        pml: Pml::kwave_default(1),
        time: TimeSpec {
            steps: Some(100),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: true,
            ..Default::default()
        },
        sensor: Sensor {
            points: vec![grid.index(30, 0, 0), grid.index(45, 0, 0)],
            record: Record {
                p: true,
                p_max: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    }
}

#[test]
fn mixed_domain_form_agrees_with_split_form_1d() {
    compare_cpu_forms("1D", &mixed_1d());
}

/// Odd sizes on every axis (no Nyquist planes; 35 x 45 x 27 with the PML), PML outside, many
/// sensors and whole-grid extremes: p is formed on the grid.
fn mixed_3d_odd_outside_pml() -> Simulation {
    let (nx, ny, nz) = (21, 25, 15);
    let grid = Grid::new(&[nx, ny, nz], &[1e-4; 3]).unwrap();
    let p0 = ball(&grid, [9.0, 13.0, 7.0], 3.0, 1.0);
    Simulation {
        medium: water(),
        pml: Pml {
            size: [7, 10, 6],
            alpha: [2.0; 3],
            inside: false,
        },
        time: TimeSpec {
            steps: Some(40),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: false,
            ..Default::default()
        },
        sensor: Sensor {
            points: (0..nx).map(|x| grid.index(x, 20, 3)).collect(),
            record: Record {
                p: true,
                p_max_all: true,
                p_min_all: true,
                ..Default::default()
            },
            record_start_step: 3,
        },
        c_ref_m_s: None,
        grid,
    }
}

#[test]
fn mixed_domain_form_agrees_with_split_form_3d_odd_outside_pml() {
    compare_cpu_forms("3D odd, outside PML", &mixed_3d_odd_outside_pml());
}

/// A homogeneous medium driven by an additive pressure source (a tone burst on a disc of
/// points, k-space corrected or not), with CW and statistics.
fn pressure_source_scene(ndim: usize, mode: SourceMode) -> Simulation {
    let shape = if ndim == 3 {
        vec![30, 28, 25]
    } else {
        vec![50, 42]
    };
    let grid = Grid::new(&shape, &vec![1e-4; ndim]).unwrap();
    let points: Vec<usize> = (0..grid.num_points())
        .filter(|&i| {
            let c = grid.coords(i);
            let r2 = (c[1] as f64 - 12.0).powi(2)
                + if ndim == 3 {
                    (c[2] as f64 - 11.0).powi(2)
                } else {
                    0.0
                };
            c[0] == 7 && r2 <= 16.0
        })
        .collect();
    let dt = 2e-8;
    let f0 = 1.5e6;
    let length = 50;
    let signal: Vec<f32> = (0..length)
        .map(|n| (1e3 * (2.0 * std::f64::consts::PI * f0 * n as f64 * dt).sin()) as f32)
        .collect();
    let sensors: Vec<usize> = (0..shape[0])
        .step_by(6)
        .map(|x| {
            if ndim == 3 {
                grid.index(x, 12, 11)
            } else {
                grid.index(x, 12, 0)
            }
        })
        .collect();
    Simulation {
        medium: Medium {
            sound_speed: Property::Uniform(1480.0),
            density: Property::Uniform(998.0),
            ..water()
        },
        pml: Pml {
            size: [6, 5, if ndim == 3 { 4 } else { 0 }],
            alpha: [2.0; 3],
            inside: true,
        },
        time: TimeSpec {
            dt_s: Some(dt),
            steps: Some(70),
            ..Default::default()
        },
        sources: Sources {
            pressure: Some(TimeVaryingSource {
                points,
                signals: signal,
                per_point: false,
                length,
                mode,
                units: SignalUnits::Physical,
            }),
            ..Default::default()
        },
        sensor: Sensor {
            points: sensors,
            record: Record {
                p: true,
                p_max: true,
                p_rms: true,
                cw: Some(ContinuousWave {
                    frequency_hz: f0,
                    periods: 1.0,
                }),
                ..Default::default()
            },
            record_start_step: 10,
        },
        c_ref_m_s: None,
        grid,
    }
}

#[test]
fn mixed_domain_form_agrees_with_split_form_3d_corrected_pressure_source() {
    compare_cpu_forms("3D, additive source", &mixed_3d_corrected_source());
}

#[test]
fn mixed_domain_form_agrees_with_split_form_2d_uncorrected_pressure_source() {
    compare_cpu_forms(
        "2D, additive source without correction",
        &mixed_2d_uncorrected_source(),
    );
}

fn power_law(mut sim: Simulation, y: f64) -> Simulation {
    sim.medium.absorption = Some(Absorption {
        alpha_coeff_db: Property::Uniform(3.0),
        alpha_power: y,
        stokes: false,
    });
    sim
}

fn mixed_3d_power_law() -> Simulation {
    power_law(homogeneous_mixed_3d(false), 1.5)
}

fn mixed_2d_power_law_source() -> Simulation {
    power_law(pressure_source_scene(2, SourceMode::Additive), 1.2)
}

/// Homogeneous power-law absorption (the tau and eta terms in k-Space), 3D p0 and 2D with an
/// additive source.
#[test]
fn mixed_domain_form_agrees_with_split_form_power_law_absorption() {
    compare_cpu_forms("3D, power-law absorption", &mixed_3d_power_law());
    compare_cpu_forms(
        "2D, power-law absorption, additive source",
        &mixed_2d_power_law_source(),
    );
}

/// Homogeneous Stokes absorption (y = 2) in 1D.
fn mixed_1d_stokes() -> Simulation {
    let n = 96;
    let grid = Grid::new(&[n], &[5e-5]).unwrap();
    let p0 = ball(&grid, [40.0, 0.0, 0.0], 4.0, 1.0);
    Simulation {
        medium: Medium {
            absorption: Some(Absorption {
                alpha_coeff_db: Property::Uniform(5.0),
                alpha_power: 2.0,
                stokes: true,
            }),
            ..water()
        },
        pml: Pml::kwave_default(1),
        time: TimeSpec {
            steps: Some(150),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: true,
            ..Default::default()
        },
        sensor: Sensor {
            points: vec![grid.index(40, 0, 0), grid.index(70, 0, 0)],
            record: Record {
                p: true,
                p_final: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    }
}

#[test]
fn mixed_domain_form_agrees_with_split_form_stokes_absorption() {
    compare_cpu_forms("1D, Stokes absorption", &mixed_1d_stokes());
}

fn mixed_3d_sensors() -> Simulation {
    homogeneous_mixed_3d(false)
}

fn mixed_3d_whole_grid() -> Simulation {
    homogeneous_mixed_3d(true)
}

fn mixed_3d_corrected_source() -> Simulation {
    pressure_source_scene(3, SourceMode::Additive)
}

fn mixed_2d_uncorrected_source() -> Simulation {
    pressure_source_scene(2, SourceMode::AdditiveNoCorrection)
}

/// The scenes of the mixed-domain form, for the GPU backends' mixed-domain steppers.
const MIXED_SCENES: [Scene; 10] = [
    ("mixed 3D, sensors", mixed_3d_sensors),
    ("mixed 3D, whole grid", mixed_3d_whole_grid),
    ("mixed 2D, many sensors", mixed_2d_many_sensors),
    ("mixed 1D", mixed_1d),
    ("mixed 3D odd, outside PML", mixed_3d_odd_outside_pml),
    ("mixed 3D, corrected source", mixed_3d_corrected_source),
    ("mixed 2D, uncorrected source", mixed_2d_uncorrected_source),
    ("mixed 3D, power-law absorption", mixed_3d_power_law),
    (
        "mixed 2D, power-law absorption, source",
        mixed_2d_power_law_source,
    ),
    ("mixed 1D, Stokes absorption", mixed_1d_stokes),
];

/// The mixed-domain scenes on `device` against the CPU (which runs them in the mixed-domain
/// form too). The one scene with an axis of a prime length over 7 (61 x 60) runs in the split
/// form on the GPUs, and says so; the nine others must run in the mixed-domain form.
fn check_mixed_on(device: DeviceKind) {
    let mut mixed_runs = 0;
    for (name, scene) in MIXED_SCENES {
        let sim = scene();
        let plan = Plan::new(&sim, 2).unwrap();
        eprintln!("{name} on {device}: {}", plan.step_description(device));
        if let Outcome::NoDevice = compare(name, &sim, device) {
            return;
        }
        if plan.step_form(device) == StepForm::MixedDomain {
            mixed_runs += 1;
        }
    }
    assert!(
        mixed_runs >= 9,
        "{device} ran only {mixed_runs} of the mixed-domain scenes in the mixed-domain form"
    );
}

#[test]
fn wgsl_mixed_domain_stepper_agrees_with_the_cpu() {
    check_mixed_on(DeviceKind::Wgpu);
}

#[test]
fn cuda_mixed_domain_stepper_agrees_with_the_cpu() {
    check_mixed_on(DeviceKind::Cuda);
}
