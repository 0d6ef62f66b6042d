//! Scene files: the examples build as described, broken scenes name their line and field,
//! signals match k-Wave, and array files round-trip.

use std::path::{Path, PathBuf};

use ferrowave_scenes::arrays::read_grid_array;
use ferrowave_scenes::shapes::coordinate;
use ferrowave_scenes::signals::{tone_burst, Envelope};
use ferrowave_scenes::{load_scene, parse_scene, SceneError};
use ferrowave_solvers::acoustic::{Grid, Property, SourceMode};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scenes-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn map_values(p: &Property) -> &[f32] {
    match p {
        Property::Map(m) => m,
        Property::Uniform(v) => panic!("expected a map, got uniform {v}"),
    }
}

/// Grid points within `r` grid steps of the origin (brute force).
fn lattice_points_in_circle(r: i64) -> usize {
    let mut n = 0;
    for i in -r..=r {
        for j in -r..=r {
            if i * i + j * j <= r * r {
                n += 1;
            }
        }
    }
    n
}

// ------------------------------------------------------------------------------------------
// Examples

#[test]
fn every_example_loads() {
    let mut n = 0;
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let scene = load_scene(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!scene.simulation.sensor.points.is_empty());
            assert!(scene.text.contains("[grid]"));
            n += 1;
        }
    }
    assert!(n >= 3, "found {n} example scenes");
}

#[test]
fn homogeneous_2d_p0_example() {
    let scene = load_scene(&examples().join("homogeneous_2d_p0.toml")).unwrap();
    let sim = &scene.simulation;
    assert_eq!(scene.name, "homogeneous_2d_p0");
    assert_eq!(
        scene.output.as_deref(),
        Some(examples().join("homogeneous_2d_p0.h5").as_path())
    );
    assert_eq!(sim.grid.shape, [128, 128, 1]);
    assert_eq!(sim.grid.ndim, 2);
    assert_eq!(sim.grid.spacing_m[..2], [1e-4, 1e-4]);
    assert_eq!(sim.medium.sound_speed, Property::Uniform(1500.0));
    assert_eq!(sim.medium.density, Property::Uniform(1000.0));
    assert!(sim.medium.absorption.is_none() && sim.medium.nonlinearity.is_none());

    // dt = cfl dx / c, steps = floor(t_end / dt) + 1 (k-Wave's makeTime).
    let dt = 0.3 * 1e-4 / 1500.0;
    assert!((sim.time.dt_s.unwrap() - dt).abs() < 1e-20);
    assert_eq!(sim.time.steps, Some((8e-6 / dt).floor() as usize + 1));

    // Two discs: radius 5 points around (54, 54) at 5 Pa, radius 3 points around (79, 84)
    // at 3 Pa (position / dx + N/2).
    let p0 = sim.sources.initial_pressure.as_ref().unwrap();
    assert!(sim.sources.smooth_initial_pressure);
    let g = &sim.grid;
    assert_eq!(p0[g.index(54, 54, 0)], 5.0);
    assert_eq!(p0[g.index(59, 54, 0)], 5.0);
    assert_eq!(p0[g.index(60, 54, 0)], 0.0);
    assert_eq!(p0[g.index(79, 84, 0)], 3.0);
    assert_eq!(
        p0.iter().filter(|&&v| v == 5.0).count(),
        lattice_points_in_circle(5)
    );
    assert_eq!(
        p0.iter().filter(|&&v| v == 3.0).count(),
        lattice_points_in_circle(3)
    );
    assert_eq!(p0.iter().filter(|&&v| v != 0.0).count(), 81 + 29);

    // Sensor points in the user's order.
    let expected: Vec<usize> = [(34, 64), (64, 64), (94, 64), (64, 94)]
        .iter()
        .map(|&(x, y)| g.index(x, y, 0))
        .collect();
    assert_eq!(sim.sensor.points, expected);
    let r = &sim.sensor.record;
    assert!(r.p && r.p_max && r.p_final && !r.p_rms && r.cw.is_none() && !r.any_velocity());
    // k-Wave's default PML in 2D.
    assert_eq!(sim.pml.size, [20, 20, 0]);
    assert!(sim.pml.inside);
}

#[test]
fn layered_absorbing_3d_example() {
    let scene = load_scene(&examples().join("layered_absorbing_3d_tone_burst.toml")).unwrap();
    let sim = &scene.simulation;
    let g = &sim.grid;
    assert_eq!(g.shape, [64, 48, 48]);
    assert_eq!(sim.pml.size, [10, 10, 10]);

    // The layer covers x from 0 to 3 mm: indices 32 to 44 (coordinate (i - 32) 0.25 mm).
    let c = map_values(&sim.medium.sound_speed);
    let rho = map_values(&sim.medium.density);
    let absorption = sim.medium.absorption.as_ref().unwrap();
    assert_eq!(absorption.alpha_power, 1.5);
    let alpha = map_values(&absorption.alpha_coeff_db);
    for i in 0..g.num_points() {
        let [x, _, _] = g.coords(i);
        let inside = (32..=44).contains(&x);
        assert_eq!(c[i], if inside { 2800.0 } else { 1500.0 }, "x = {x}");
        assert_eq!(rho[i], if inside { 1850.0 } else { 1000.0 });
        assert_eq!(alpha[i], if inside { 4.0 } else { 0.75 });
    }

    // dt from the fastest medium.
    let dt = 0.3 * 2.5e-4 / 2800.0;
    assert!((sim.time.dt_s.unwrap() - dt).abs() < 1e-20);
    let steps = (1.2e-5 / dt).floor() as usize + 1;
    assert_eq!(sim.time.steps, Some(steps));

    // The piston: a disc of radius 12 points in the plane x = 12.
    let source = sim.sources.pressure.as_ref().unwrap();
    assert_eq!(source.mode, SourceMode::Additive);
    assert!(!source.per_point);
    assert_eq!(source.points.len(), lattice_points_in_circle(12));
    assert!(source.points.iter().all(|&p| g.coords(p)[0] == 12));
    assert!(source.points.contains(&g.index(12, 24, 24)));
    assert!(source.points.windows(2).all(|w| w[0] < w[1]));
    // A 3-cycle tone burst at 1 MHz lasts 3 us: floor(3e-6 / dt) + 1 samples.
    assert_eq!(source.length, (3e-6 / dt).floor() as usize + 1);
    assert_eq!(source.signals.len(), source.length);
    let peak = source.signals.iter().fold(0.0f32, |a, &b| a.max(b.abs()));
    assert!(peak > 0.8e5 && peak <= 1.0e5, "peak {peak}");

    // Sensors: the beam axis from x = -4 mm to 5 mm, i.e. indices 16 to 52, y = z = 24.
    let expected: Vec<usize> = (16..=52).map(|x| g.index(x, 24, 24)).collect();
    assert_eq!(sim.sensor.points, expected);
    let r = &sim.sensor.record;
    assert!(r.p && r.p_max && r.p_rms && !r.p_final);
}

#[test]
fn cw_focus_2d_example() {
    let scene = load_scene(&examples().join("cw_focus_2d.toml")).unwrap();
    let sim = &scene.simulation;
    let g = &sim.grid;
    assert_eq!(sim.sensor.points, (0..g.num_points()).collect::<Vec<_>>());
    let cw = sim.sensor.record.cw.as_ref().unwrap();
    assert_eq!((cw.frequency_hz, cw.periods), (1e6, 3.0));
    assert!(sim.sensor.record.p_max);

    // The arc: every point within a cell of the 10 mm circle around the focus (4 mm, 0),
    // within the aperture, and the midpoint (-6 mm, 0) = index (24, 64) is on it.
    let source = sim.sources.pressure.as_ref().unwrap();
    assert!(source.points.contains(&g.index(24, 64, 0)));
    for &p in &source.points {
        let [x, y, _] = g.coords(p);
        let (px, py) = (coordinate(g, 0, x), coordinate(g, 1, y));
        let r = ((px - 4e-3).powi(2) + py.powi(2)).sqrt();
        assert!((r - 1e-2).abs() < 1.5e-4, "({x}, {y}) at {r} m");
        assert!(py.abs() <= 6e-3 + 1e-4 && px < 0.0);
    }
    assert!(source.points.len() > 80, "{} points", source.points.len());

    // The sine runs for the whole simulation, ramped up from zero over 2 periods.
    let steps = sim.time.steps.unwrap();
    let dt = sim.time.dt_s.unwrap();
    assert_eq!(source.length, steps);
    assert_eq!(source.signals[0], 0.0);
    let n = steps - 7;
    let expected = 1e4 * (2.0 * std::f64::consts::PI * 1e6 * n as f64 * dt).sin();
    assert!((source.signals[n] as f64 - expected).abs() < 1e-2);
    // Enough steps for the last 3 periods.
    assert!(steps as f64 * dt >= 3e-6);
}

#[test]
fn skull_ring_nifti_example() {
    let scene = load_scene(&examples().join("skull_ring_2d_nifti.toml")).unwrap();
    let sim = &scene.simulation;
    let g = &sim.grid;
    let c = map_values(&sim.medium.sound_speed);
    let rho = map_values(&sim.medium.density);
    // The ring as the file's comment describes it, in k-Wave's coordinates.
    let mut ring = 0;
    for i in 0..g.num_points() {
        let [x, y, _] = g.coords(i);
        let r = coordinate(g, 0, x).hypot(coordinate(g, 1, y));
        let inside = (6.0e-3..=7.2e-3).contains(&r);
        assert_eq!(c[i], if inside { 2800.0 } else { 1500.0 }, "({x}, {y})");
        assert_eq!(rho[i], if inside { 1850.0 } else { 1000.0 });
        ring += inside as usize;
    }
    assert!(ring > 200);
    let dt = 0.3 * 2e-4 / 2800.0;
    assert!((sim.time.dt_s.unwrap() - dt).abs() < 1e-20);
}

// ------------------------------------------------------------------------------------------
// Errors name the line and the field

const BASE: &str = "\
[grid]
shape = [32, 32]
spacing_m = 1e-4

[medium]
sound_speed_m_s = 1500.0
density_kg_m3 = 1000.0

[pml]
size = 4

[sensor]
points = [[16, 16]]
";

fn error_of(text: &str) -> SceneError {
    match parse_scene(text, Path::new(".")) {
        Ok(_) => panic!("scene was accepted:\n{text}"),
        Err(e) => e,
    }
}

/// The error points at `line` and `field`, and its text holds every phrase of `says`.
#[track_caller]
fn assert_error(text: &str, line: usize, field: &str, says: &[&str]) {
    let e = error_of(text);
    let shown = e.to_string();
    assert_eq!(e.line(), Some(line), "wrong line in: {shown}");
    assert_eq!(e.field(), Some(field), "wrong field in: {shown}");
    assert!(
        shown.starts_with(&format!("scene line {line}, field {field}: ")),
        "{shown}"
    );
    for phrase in says {
        assert!(shown.contains(phrase), "{shown:?} should say {phrase:?}");
    }
    assert!(!shown.contains('\n'), "one paragraph: {shown:?}");
}

#[test]
fn base_scene_is_valid() {
    let scene = parse_scene(BASE, Path::new("/data")).unwrap();
    assert_eq!(scene.name, "scene");
    assert_eq!(scene.output, None);
    assert_eq!(scene.simulation.sensor.points, vec![16 + 32 * 16]);
    assert!(scene.simulation.sensor.record.p);
}

#[test]
fn unknown_field_is_a_typo() {
    let text = BASE.replace("density_kg_m3", "density_kgm3");
    assert_error(
        &text,
        7,
        "medium.density_kgm3",
        &["unknown field", "`density_kg_m3`"],
    );
    // Inside an inline table.
    let text = format!(
        "{BASE}[source.pressure]\nmask = {{ shape = \"disc\", centre_m = [0, 0], radius = 1e-4 }}\n\
         signal = {{ kind = \"sine\", frequency_hz = 1e5, amplitude_pa = 1 }}\n"
    );
    assert_error(
        &text,
        15,
        "source.pressure.mask.radius",
        &["unknown field", "radius_m"],
    );
}

#[test]
fn wrong_type() {
    let text = BASE.replace("sound_speed_m_s = 1500.0", "sound_speed_m_s = \"fast\"");
    assert_error(
        &text,
        6,
        "medium.sound_speed_m_s",
        &["invalid type", "expected a number"],
    );
    let text = BASE.replace("size = 4", "size = \"big\"");
    assert_error(&text, 10, "pml.size", &["invalid type"]);
    let text = BASE.replace("shape = [32, 32]", "shape = [32, -32]");
    assert_error(&text, 2, "grid.shape[1]", &["-32"]);
}

#[test]
fn negative_sound_speed() {
    let text = BASE.replace("1500.0", "-1500");
    let e = error_of(&text);
    assert_eq!(
        e.to_string(),
        "scene line 6, field medium.sound_speed_m_s: must be positive (got -1500)"
    );
    // From a file, the message names the file.
    let dir = temp_dir("negative");
    let path = dir.join("scene.toml");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(
        load_scene(&path).unwrap_err().to_string(),
        "scene.toml line 6, field medium.sound_speed_m_s: must be positive (got -1500)"
    );
    // A file that is not there.
    let e = load_scene(&dir.join("missing.toml")).unwrap_err();
    assert!(matches!(e, SceneError::Read { .. }), "{e}");
    assert!(
        e.to_string().starts_with("could not read scene file"),
        "{e}"
    );
    // In a region.
    let text = format!(
        "{BASE}[[medium.region]]\nshape = \"box\"\nmin_m = [0, 0]\nmax_m = [1e-3, 1e-3]\n\
         density_kg_m3 = -3\n"
    );
    assert_error(
        &text,
        18,
        "medium.region[0].density_kg_m3",
        &["must be positive"],
    );
}

#[test]
fn alpha_power_one_is_refused() {
    let text = BASE.replace(
        "density_kg_m3 = 1000.0",
        "density_kg_m3 = 1000.0\nalpha_coeff_db_mhz_y_cm = 0.75\nalpha_power = 1",
    );
    assert_error(
        &text,
        9,
        "medium.alpha_power",
        &["tan(pi y / 2)", "infinite", "dispersion"],
    );
    let text = BASE.replace(
        "density_kg_m3 = 1000.0",
        "density_kg_m3 = 1000.0\nalpha_coeff_db_mhz_y_cm = 0.75\nalpha_power = 3.2",
    );
    assert_error(&text, 9, "medium.alpha_power", &["between 0 and 3"]);
    // A coefficient without an exponent.
    let text = BASE.replace(
        "density_kg_m3 = 1000.0",
        "density_kg_m3 = 1000.0\nalpha_coeff_db_mhz_y_cm = 0.75",
    );
    assert_error(&text, 8, "medium.alpha_power", &["required"]);
}

#[test]
fn position_outside_the_grid() {
    // The grid spans -1.6 mm to 1.5 mm.
    let text = BASE.replace("points = [[16, 16]]", "points_m = [[0, 0], [0, 2e-3]]");
    assert_error(
        &text,
        13,
        "sensor.points_m[1]",
        &["outside the grid", "1.5e-3"],
    );
    let text = BASE.replace("points = [[16, 16]]", "points = [[16, 32]]");
    assert_error(
        &text,
        13,
        "sensor.points[0]",
        &["outside the grid", "0-based"],
    );
    let text = BASE.replace("points = [[16, 16]]", "points_m = [[0, 0, 0]]");
    assert_error(&text, 13, "sensor.points_m[0]", &["needs 2 values"]);
    // A mask shape that misses the grid.
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = { shape = \"disc\", centre_m = [5e-3, 0], radius_m = 1e-3 }",
    );
    assert_error(&text, 13, "sensor.mask.shape", &["covers no grid point"]);
}

#[test]
fn cw_needs_its_block() {
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = \"all\"\nrecord = [\"p_max\", \"cw\"]",
    );
    assert_error(
        &text,
        14,
        "sensor.cw",
        &["required when \"cw\" is recorded"],
    );
    // And a block without "cw" recorded.
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = \"all\"\nrecord = [\"p_max\"]\ncw = { frequency_hz = 1e6, periods = 2 }",
    );
    assert_error(&text, 15, "sensor.cw", &["not in sensor.record"]);
    // A run too short for the periods asked.
    let text = format!(
        "{}\n[time]\nsteps = 10\n",
        BASE.replace(
            "points = [[16, 16]]",
            "mask = \"all\"\nrecord = [\"cw\"]\ncw = { frequency_hz = 1e6, periods = 2 }",
        )
    );
    assert_error(&text, 15, "sensor.cw.periods", &["lengthen"]);
}

#[test]
fn map_file_with_wrong_shape() {
    let dir = temp_dir("wrong-shape");
    let file = hdf5::File::create(dir.join("c0.h5")).unwrap();
    let ds = file
        .new_dataset::<f32>()
        .shape([16, 32])
        .create("c0")
        .unwrap();
    ds.write_raw(&vec![1500.0f32; 16 * 32]).unwrap();
    drop(ds);
    drop(file);
    let text = format!(
        "{BASE}\n[[medium.map]]\nproperty = \"sound_speed_m_s\"\npath = \"c0.h5\"\ndataset = \"c0\"\n"
    );
    let e = parse_scene(&text, &dir).unwrap_err();
    let shown = e.to_string();
    assert_eq!(e.line(), Some(17), "{shown}");
    assert_eq!(e.field(), Some("medium.map[0].path"), "{shown}");
    assert!(
        shown.contains("has shape (16, 32) but the grid is (32, 32)"),
        "{shown}"
    );
    // A dataset that is not there lists the ones that are.
    let text = text.replace("dataset = \"c0\"", "dataset = \"sound_speed\"");
    let shown = parse_scene(&text, &dir).unwrap_err().to_string();
    assert!(
        shown.contains("no dataset \"sound_speed\"") && shown.contains("c0"),
        "{shown}"
    );
}

#[test]
fn more_errors_point_at_their_line() {
    // TOML syntax.
    let text = BASE.replace("[pml]", "[pml");
    let e = error_of(&text);
    assert!(matches!(e, SceneError::Syntax { line: 9, .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("scene line 9, column 5: invalid TOML"),
        "{e}"
    );
    // A missing table and a missing key.
    let text = BASE.replace("density_kg_m3 = 1000.0\n", "");
    assert_error(&text, 5, "medium.density_kg_m3", &["required but missing"]);
    // Unknown shape and record names list the valid ones.
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = { shape = \"circle\", centre_m = [0, 0], radius_m = 1e-4 }",
    );
    assert_error(
        &text,
        13,
        "sensor.mask.shape",
        &["unknown variant", "`disc`"],
    );
    let text = BASE.replace(
        "points = [[16, 16]]",
        "points = [[16, 16]]\nrecord = [\"p_mean\"]",
    );
    assert_error(
        &text,
        14,
        "sensor.record[0]",
        &["unknown variant", "`p_rms`"],
    );
    // Keys that do not belong to the shape, and keys a shape lacks.
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = { shape = \"disc\", centre_m = [0, 0], radius_m = 1e-4, axis = \"x\" }",
    );
    assert_error(
        &text,
        13,
        "sensor.mask.axis",
        &["not used by shape \"disc\""],
    );
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = { shape = \"disc\", centre_m = [0, 0] }",
    );
    assert_error(
        &text,
        13,
        "sensor.mask.radius_m",
        &["required by shape \"disc\""],
    );
    let text = BASE.replace(
        "points = [[16, 16]]",
        "mask = { shape = \"sphere\", centre_m = [0, 0], radius_m = 1e-4 }",
    );
    assert_error(&text, 13, "sensor.mask.shape", &["use \"disc\" in 2D"]);
    // Time: both cfl and dt_s.
    let text = format!("{BASE}[time]\ncfl = 0.3\ndt_s = 1e-8\n");
    assert_error(&text, 15, "time.cfl", &["not both"]);
    // PML too thick for the grid.
    let text = BASE.replace("size = 4", "size = 16");
    assert_error(&text, 10, "pml.size", &["does not fit"]);
    let text = BASE.replace("[pml]\nsize = 4\n", "");
    assert_error(&text, 2, "pml.size", &["default PML"]);
    // A pressure source with a velocity amplitude.
    let text = format!(
        "{BASE}[source.pressure]\npoints = [[4, 16]]\n\
         signal = {{ kind = \"tone_burst\", frequency_hz = 1e6, cycles = 3, amplitude_m_s = 1 }}\n"
    );
    assert_error(
        &text,
        16,
        "source.pressure.signal.amplitude_m_s",
        &["takes amplitude_pa"],
    );
    // A tone burst without cycles.
    let text = format!(
        "{BASE}[source.pressure]\npoints = [[4, 16]]\n\
         signal = {{ kind = \"tone_burst\", frequency_hz = 1e6, amplitude_pa = 1 }}\n"
    );
    assert_error(
        &text,
        16,
        "source.pressure.signal.cycles",
        &["required by a tone_burst signal"],
    );
    // Samples for another time step.
    let text = format!(
        "{BASE}[time]\ndt_s = 2e-8\n[source.pressure]\npoints = [[4, 16]]\n\
         signal = {{ kind = \"samples\", samples_pa = [0, 1, 0], dt_s = 1e-8 }}\n"
    );
    assert_error(
        &text,
        18,
        "source.pressure.signal.dt_s",
        &["simulation's is 2e-8 s"],
    );
    // The same velocity component twice, in a [[source.velocity]] list.
    let text = format!(
        "{BASE}[[source.velocity]]\ncomponent = \"x\"\npoints = [[4, 16]]\n\
         signal = {{ kind = \"samples\", samples_m_s = [1] }}\n\
         [[source.velocity]]\ncomponent = \"x\"\npoints = [[5, 16]]\n\
         signal = {{ kind = \"samples\", samples_m_s = [1] }}\n"
    );
    assert_error(&text, 19, "source.velocity[1].component", &["already has"]);
    // A source point listed twice.
    let text = format!(
        "{BASE}[source.pressure]\npoints_m = [[0, 0], [2e-5, 0]]\n\
         signal = {{ kind = \"samples\", samples_pa = [1] }}\n"
    );
    assert_error(
        &text,
        15,
        "source.pressure.points_m[1]",
        &["already in the list"],
    );
}

// ------------------------------------------------------------------------------------------
// Signals

/// k-wave-python's tone_burst(1/dt, f, cycles) (Gaussian envelope), a few samples of it, as
/// computed by k-wave-python 0.4 (kwave/utils/signals.py) with numpy.
#[test]
fn tone_burst_matches_k_wave() {
    struct Case {
        dt: f64,
        f: f64,
        cycles: f64,
        len: usize,
        argmax: usize,
        max: f64,
        samples: &'static [(usize, f64)],
    }
    let cases = [
        Case {
            dt: 2.5e-8,
            f: 1e6,
            cycles: 3.0,
            len: 121,
            argmax: 51,
            max: 0.8925809441286542,
            samples: &[
                (0, 0.0),
                (1, 0.0004965989365439333),
                (5, 0.016117919874395016),
                (17, 0.045007370810159514),
                (119, -0.0004965989365439586),
                (120, 0.0),
            ],
        },
        Case {
            dt: 2e-8,
            f: 1e6,
            cycles: 5.0,
            len: 251,
            argmax: 113,
            max: 0.9574830877218136,
            samples: &[
                (1, 9.179246870728066e-05),
                (5, 0.008377226617579841),
                (17, 0.029350481642894412),
                (249, -9.179246870728214e-05),
            ],
        },
        Case {
            dt: 1e-8,
            f: 2.5e5,
            cycles: 2.5,
            len: 1001,
            argmax: 500,
            max: 1.0,
            samples: &[
                (1, 6.99048763014577e-07),
                (5, 9.085200075972059e-05),
                (17, 0.0030374339350281573),
                (999, 6.990487630150153e-07),
            ],
        },
    ];
    for c in cases {
        let s = tone_burst(c.dt, c.f, c.cycles, Envelope::Gaussian);
        // k-Wave's length: the samples of 0:dt:cycles/f.
        assert_eq!(s.len(), c.len);
        assert_eq!(s.len(), (c.cycles / c.f / c.dt).round() as usize + 1);
        let (argmax, max) =
            s.iter()
                .enumerate()
                .fold((0, f64::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        assert_eq!(argmax, c.argmax);
        assert!((max - c.max).abs() < 1e-12, "{max} vs {}", c.max);
        for &(i, v) in c.samples {
            assert!((s[i] - v).abs() < 1e-12, "sample {i}: {} vs {v}", s[i]);
        }
        assert_eq!(s[0], 0.0);
        assert!(s[s.len() - 1].abs() < 1e-12);
    }
}

#[test]
fn tone_burst_envelope_is_symmetric() {
    let dt = 1e-8;
    let gaussian = tone_burst(dt, 1e6, 4.0, Envelope::Gaussian);
    let rectangular = tone_burst(dt, 1e6, 4.0, Envelope::Rectangular);
    assert_eq!(gaussian.len(), 401);
    assert_eq!(rectangular.len(), 401);
    // The envelope is the ratio of the two; it peaks at 1 in the middle (x = 0).
    let envelope: Vec<Option<f64>> = gaussian
        .iter()
        .zip(&rectangular)
        .map(|(g, r)| (r.abs() > 1e-3).then(|| g / r))
        .collect();
    let n = envelope.len();
    let mut compared = 0;
    for i in 0..n {
        if let (Some(a), Some(b)) = (envelope[i], envelope[n - 1 - i]) {
            assert!((a - b).abs() < 1e-9, "{i}: {a} vs {b}");
            compared += 1;
        }
    }
    assert!(compared > 300);
    // exp(-x^2 / 2) at x = 3 (i - 200) / 200: at i = 112, x = -1.32.
    assert!((envelope[112].unwrap() - (-0.5 * 1.32f64 * 1.32).exp()).abs() < 1e-9);
    assert!(rectangular.iter().all(|v| v.abs() <= 1.0));
}

#[test]
fn signals_in_a_scene() {
    // A tone burst delayed by 10 steps, amplitude 2 Pa, for an explicit dt.
    let text = format!(
        "{BASE}[time]\ndt_s = 2.5e-8\nsteps = 300\n[source.pressure]\n\
         points_m = [[0, 0], [-1e-3, 0]]\nmode = \"dirichlet\"\n\
         signal = {{ kind = \"tone_burst\", frequency_hz = 1e6, cycles = 3, amplitude_pa = 2, delay_s = 2.5e-7 }}\n"
    );
    let sim = parse_scene(&text, Path::new(".")).unwrap().simulation;
    let s = sim.sources.pressure.unwrap();
    assert_eq!(s.mode, SourceMode::Dirichlet);
    // Points keep the user's order: (16, 16) then (6, 16).
    assert_eq!(s.points, vec![16 + 32 * 16, 6 + 32 * 16]);
    let burst = tone_burst(2.5e-8, 1e6, 3.0, Envelope::Gaussian);
    assert_eq!(s.length, 10 + burst.len());
    assert!(s.signals[..10].iter().all(|&v| v == 0.0));
    for (i, b) in burst.iter().enumerate() {
        assert!((s.signals[10 + i] as f64 - 2.0 * b).abs() < 1e-6);
    }
    // A burst longer than the run is cut at the run's end.
    let text = text.replace("steps = 300", "steps = 50");
    let s = parse_scene(&text, Path::new("."))
        .unwrap()
        .simulation
        .sources
        .pressure
        .unwrap();
    assert_eq!(s.length, 50);
}

#[test]
fn per_point_signals_from_hdf5() {
    let dir = temp_dir("per-point");
    let file = hdf5::File::create(dir.join("drive.h5")).unwrap();
    // 3 points x 4 samples: point k, sample n = 10 k + n.
    let values: Vec<f32> = (0..3)
        .flat_map(|k| (0..4).map(move |n| (10 * k + n) as f32))
        .collect();
    let ds = file
        .new_dataset::<f32>()
        .shape([3, 4])
        .create("ux")
        .unwrap();
    ds.write_raw(&values).unwrap();
    drop(ds);
    drop(file);
    let text = format!(
        "{BASE}[source.velocity]\ncomponent = \"y\"\npoints = [[4, 16], [5, 16], [6, 16]]\n\
         signal = {{ kind = \"file\", path = \"drive.h5\", dataset = \"ux\" }}\n"
    );
    let sim = parse_scene(&text, &dir).unwrap().simulation;
    assert!(sim.sources.velocity[0].is_none() && sim.sources.velocity[2].is_none());
    let s = sim.sources.velocity[1].as_ref().unwrap();
    assert!(s.per_point);
    assert_eq!(s.length, 4);
    // Sample-major: sample n of point k at n * 3 + k.
    for n in 0..4 {
        for k in 0..3 {
            assert_eq!(s.signals[n * 3 + k], (10 * k + n) as f32);
        }
    }
    // A file with a row count that does not match the points.
    let text = text.replace(", [6, 16]]", "]");
    let e = parse_scene(&text, &dir).unwrap_err();
    assert_eq!(e.field(), Some("source.velocity.signal.dataset"), "{e}");
    assert!(e.to_string().contains("(3, 4)"), "{e}");
}

// ------------------------------------------------------------------------------------------
// Array files

/// A test volume over (nx, ny, nz): value 1000 + x + 10 y + 100 z, distinct per point.
fn test_volume(x: usize, y: usize, z: usize) -> f32 {
    1000.0 + x as f32 + 10.0 * y as f32 + 100.0 * z as f32
}

const MAP_SCENE: &str = "\
[grid]
shape = [6, 5, 4]
spacing_m = [1e-4, 1e-4, 2e-4]

[medium]
sound_speed_m_s = 1500.0
density_kg_m3 = 1000.0

[[medium.map]]
property = \"sound_speed_m_s\"
PATH

[pml]
size = 1

[sensor]
points = [[0, 0, 0]]
";

fn check_volume(sim_c: &Property, grid: &Grid, scale: f32, offset: f32) {
    let c = map_values(sim_c);
    for z in 0..4 {
        for y in 0..5 {
            for x in 0..6 {
                let expected = test_volume(x, y, z) * scale + offset;
                assert_eq!(c[grid.index(x, y, z)], expected, "({x}, {y}, {z})");
            }
        }
    }
}

#[test]
fn hdf5_map_round_trip() {
    let dir = temp_dir("hdf5-map");
    // Natural order: an array of shape (Nx, Ny, Nz) in C order (z fastest), as h5py writes.
    let mut values = Vec::new();
    for x in 0..6 {
        for y in 0..5 {
            for z in 0..4 {
                values.push(test_volume(x, y, z) as f64);
            }
        }
    }
    let file = hdf5::File::create(dir.join("maps.h5")).unwrap();
    let ds = file
        .new_dataset::<f64>()
        .shape([6, 5, 4])
        .create("c0")
        .unwrap();
    ds.write_raw(&values).unwrap();
    drop(ds);
    drop(file);
    let text = MAP_SCENE.replace("PATH", "path = \"maps.h5\"\ndataset = \"c0\"");
    let sim = parse_scene(&text, &dir).unwrap().simulation;
    check_volume(&sim.medium.sound_speed, &sim.grid, 1.0, 0.0);
    // dt follows the map's maximum sound speed.
    let c_max = test_volume(5, 4, 3) as f64;
    assert!((sim.time.dt_s.unwrap() - 0.3 * 1e-4 / c_max).abs() < 1e-15);
    // Without a dataset name.
    let text = MAP_SCENE.replace("PATH", "path = \"maps.h5\"");
    let e = parse_scene(&text, &dir).unwrap_err();
    assert_eq!(e.field(), Some("medium.map[0].path"), "{e}");
    assert!(e.to_string().contains("needs `dataset`"), "{e}");
}

#[test]
fn nifti_map_round_trip() {
    use nifti::writer::WriterOptions;
    let dir = temp_dir("nifti-map");
    let volume = ndarray::Array3::from_shape_fn((6, 5, 4), |(x, y, z)| test_volume(x, y, z));

    // .nii.gz, as written by the nifti crate (voxel order x, y, z).
    WriterOptions::new(dir.join("c0.nii.gz"))
        .write_nifti(&volume)
        .unwrap();
    let text = MAP_SCENE.replace("PATH", "path = \"c0.nii.gz\"");
    let sim = parse_scene(&text, &dir).unwrap().simulation;
    check_volume(&sim.medium.sound_speed, &sim.grid, 1.0, 0.0);

    // .nii with scl_slope = 2 and scl_inter = 100 patched into the header (bytes 112..120
    // of a NIfTI-1 header, little endian): values are value * 2 + 100.
    let path = dir.join("c0.nii");
    WriterOptions::new(&path).write_nifti(&volume).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(i32::from_le_bytes(bytes[0..4].try_into().unwrap()), 348);
    bytes[112..116].copy_from_slice(&2.0f32.to_le_bytes());
    bytes[116..120].copy_from_slice(&100.0f32.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    let text = MAP_SCENE.replace("PATH", "path = \"c0.nii\"");
    let sim = parse_scene(&text, &dir).unwrap().simulation;
    check_volume(&sim.medium.sound_speed, &sim.grid, 2.0, 100.0);

    // A volume of the wrong shape.
    let small = ndarray::Array3::<f32>::from_elem((6, 5, 3), 1500.0);
    WriterOptions::new(dir.join("small.nii"))
        .write_nifti(&small)
        .unwrap();
    let text = MAP_SCENE.replace("PATH", "path = \"small.nii\"");
    let e = parse_scene(&text, &dir).unwrap_err();
    assert_eq!(e.line(), Some(11));
    assert!(
        e.to_string()
            .contains("(6, 5, 3) but the grid is (6, 5, 4)"),
        "{e}"
    );
    // A 2D grid takes a (Nx, Ny, 1) volume.
    let flat = ndarray::Array3::from_shape_fn((6, 5, 1), |(x, y, _)| test_volume(x, y, 0));
    WriterOptions::new(dir.join("flat.nii"))
        .write_nifti(&flat)
        .unwrap();
    let values = read_grid_array(&dir.join("flat.nii"), None, &[6, 5]).unwrap();
    assert_eq!(values[3 + 6 * 2], test_volume(3, 2, 0));
    // Invalid values in a map are refused with their grid point.
    let bad = ndarray::Array3::from_shape_fn((6, 5, 4), |(x, y, z)| {
        if (x, y, z) == (1, 2, 3) {
            -1.0f32
        } else {
            1500.0
        }
    });
    WriterOptions::new(dir.join("bad.nii"))
        .write_nifti(&bad)
        .unwrap();
    let text = MAP_SCENE.replace("PATH", "path = \"bad.nii\"");
    let e = parse_scene(&text, &dir).unwrap_err();
    assert!(
        e.to_string()
            .contains("must be positive: the value at grid point (1, 2, 3) is -1"),
        "{e}"
    );
}

#[test]
fn shapes_in_3d() {
    let base = "[grid]\nshape = [40, 40, 40]\nspacing_m = 1e-3\n[medium]\n\
                sound_speed_m_s = 1500\ndensity_kg_m3 = 1000\n[sensor]\nMASK\n";
    let points = |mask: &str| {
        let text = base.replace("MASK", &format!("mask = {mask}"));
        let sim = parse_scene(&text, Path::new(".")).unwrap().simulation;
        (sim.grid.clone(), sim.sensor.points)
    };
    let pos = |g: &Grid, p: usize| {
        let [x, y, z] = g.coords(p);
        [
            coordinate(g, 0, x),
            coordinate(g, 1, y),
            coordinate(g, 2, z),
        ]
    };
    // A sphere of radius 4 spacings: the lattice points within 4 of its centre.
    let (g, pts) = points("{ shape = \"sphere\", centre_m = [1e-3, 0, -2e-3], radius_m = 4e-3 }");
    let mut expected = 0;
    for i in -4i64..=4 {
        for j in -4i64..=4 {
            for k in -4i64..=4 {
                expected += (i * i + j * j + k * k <= 16) as usize;
            }
        }
    }
    assert_eq!(pts.len(), expected);
    assert!(pts.contains(&g.index(21, 20, 18)));
    // Sensor masks are ordered by linear index, x fastest.
    assert!(pts.windows(2).all(|w| w[0] < w[1]));

    // A cylinder along y: radius 2, length 6 (y from -3 to 3 around 0).
    let (g, pts) =
        points("{ shape = \"cylinder\", centre_m = [0, 0, 0], radius_m = 2e-3, axis = \"y\", length_m = 6e-3 }");
    assert_eq!(pts.len(), lattice_points_in_circle(2) * 7);
    assert!(pts.iter().all(|&p| pos(&g, p)[1].abs() <= 3e-3 + 1e-9));

    // A bowl of radius of curvature 10, aperture 12, apex at x = -10 facing +x: every point
    // within about half a diagonal of the sphere around the focus (0, 0, 0).
    let (g, pts) = points(
        "{ shape = \"bowl\", position_m = [-10e-3, 0, 0], radius_m = 10e-3, diameter_m = 12e-3, \
         focus_m = [0, 0, 0] }",
    );
    assert!(pts.contains(&g.index(10, 20, 20)));
    for &p in &pts {
        let [x, y, z] = pos(&g, p);
        let r = (x * x + y * y + z * z).sqrt();
        assert!((r - 10e-3).abs() <= 0.9e-3, "{x} {y} {z}: {r}");
        assert!((y * y + z * z).sqrt() <= 6e-3 + 0.9e-3 && x < -7e-3);
    }
    assert!(pts.len() > 100, "{}", pts.len());

    // A half space with an oblique normal.
    let (g, pts) = points("{ shape = \"half_space\", point_m = [0, 0, 0], normal = [1, 1, 0] }");
    for p in 0..g.num_points() {
        let [x, y, _] = pos(&g, p);
        assert_eq!(pts.binary_search(&p).is_ok(), x + y >= -1e-12, "{x} {y}");
    }
}

#[test]
fn initial_pressure_from_a_file_adds_to_shapes() {
    let dir = temp_dir("p0-file");
    let file = hdf5::File::create(dir.join("p0.h5")).unwrap();
    let ds = file
        .new_dataset::<f32>()
        .shape([32, 32])
        .create("p0")
        .unwrap();
    // (x, y) natural order: value x + 100 y.
    let values: Vec<f32> = (0..32)
        .flat_map(|x| (0..32).map(move |y| (x + 100 * y) as f32))
        .collect();
    ds.write_raw(&values).unwrap();
    drop(ds);
    drop(file);
    let text = format!(
        "{BASE}[[source.initial_pressure]]\npath = \"p0.h5\"\ndataset = \"p0\"\nsmooth = false\n\
         [[source.initial_pressure]]\nshape = \"box\"\nmin_m = [0, 0]\nmax_m = [0, 0]\namplitude_pa = 0.5\n"
    );
    let sim = parse_scene(&text, &dir).unwrap().simulation;
    assert!(!sim.sources.smooth_initial_pressure);
    let p0 = sim.sources.initial_pressure.unwrap();
    assert_eq!(p0[3 + 32 * 5], 503.0);
    assert_eq!(p0[16 + 32 * 16], 1616.5);
    // A shape key beside path is refused.
    let text = text.replace("smooth = false", "smooth = false\nradius_m = 1e-4");
    let e = parse_scene(&text, &dir).unwrap_err();
    assert_eq!(
        e.field(),
        Some("source.initial_pressure[0].radius_m"),
        "{e}"
    );
}

#[test]
fn regions_paint_in_order() {
    let text = format!(
        "{BASE}[[medium.region]]\nshape = \"half_space\"\npoint_m = [0, 0]\nnormal = [1, 0]\n\
         sound_speed_m_s = 2000\n\
         [[medium.region]]\nshape = \"box\"\nmin_m = [-2e-4, -2e-4]\nmax_m = [2e-4, 2e-4]\n\
         sound_speed_m_s = 3000\nb_over_a = 6\n"
    );
    let sim = parse_scene(&text, Path::new(".")).unwrap().simulation;
    let g = &sim.grid;
    let c = map_values(&sim.medium.sound_speed);
    let b = map_values(sim.medium.nonlinearity.as_ref().unwrap());
    for i in 0..g.num_points() {
        let [x, y, _] = g.coords(i);
        let in_box = (14..=18).contains(&x) && (14..=18).contains(&y);
        let expected = if in_box {
            3000.0
        } else if x >= 16 {
            2000.0
        } else {
            1500.0
        };
        assert_eq!(c[i], expected, "({x}, {y})");
        assert_eq!(b[i], if in_box { 6.0 } else { 0.0 });
    }
    // Density was never painted: it stays uniform.
    assert_eq!(sim.medium.density, Property::Uniform(1000.0));
}

#[test]
fn error_messages_are_one_paragraph() {
    for t in [
        BASE.replace("density_kg_m3", "density_kgm3"),
        BASE.replace("sound_speed_m_s = 1500.0", "sound_speed_m_s = \"fast\""),
        BASE.replace("shape = [32, 32]", "shape = [32, -32]"),
        BASE.replace("[pml]\nsize = 4\n", ""),
        BASE.replace("points = [[16, 16]]", "points_m = [[0, 0], [0, 2e-3]]"),
        BASE.replace("points = [[16, 16]]", "mask = { shape = \"circle\", centre_m = [0, 0], radius_m = 1e-4 }"),
        BASE.replace("points = [[16, 16]]", "mask = \"some\""),
        BASE.replace("[sensor]\npoints = [[16, 16]]\n", ""),
        BASE.replace("points = [[16, 16]]", ""),
        format!("{BASE}[source.pressure]\nsignal = {{ kind = \"samples\", samples_pa = [1] }}\n"),
        format!("{BASE}[[source.velocity]]\ncomponent = \"y\"\nsignal = {{ kind = \"samples\", samples_m_s = [1] }}\n"),
        format!("{BASE}[source.pressure]\npoints = [[4, 16]]\nsignal = {{ kind = \"sine\", frequency_hz = 1e9, amplitude_pa = 1 }}\n"),
        format!("{BASE}[source.pressure]\npoints = [[4, 16]]\nsignal = {{ kind = \"samples\", samples_pa = [1], frequency_hz = 1e3 }}\n"),
        format!("{BASE}[[medium.region]]\nshape = \"layer\"\naxis = \"z\"\nfrom_m = 0\nto_m = 1\ndensity_kg_m3 = 3\n"),
        format!("{BASE}[output]\npath = \"\"\n"),
        format!("{BASE}[time]\nsteps = 0\n"),
        format!("name = 3\n{BASE}"),
        BASE.replace("size = 4", "size = -3"),
        BASE.replace("spacing_m = 1e-4", "spacing_m = [1e-4, \"a\"]"),
        BASE.replace("size = 4", "size = 4\ninside = \"yes\""),
        BASE.replace("[pml]", "[pml"),
        BASE.replace("density_kg_m3 = 1000.0\n", ""),
        BASE.replace("size = 4", "size = [4, 4, 4]"),
        format!("{BASE}[source.pressure]\npoints = [[4, 16]]\nsignal = {{ kind = \"tone_burst\", frequency_hz = 1e6, amplitude_pa = 1 }}\n"),
        format!("{BASE}[[source.initial_pressure]]\nradius_m = 1e-4\n"),
        format!("{BASE}[source.initial_pressure]\nshape = \"disc\"\ncentre_m = [0, 0]\nradius_m = 1e-4\n"),
        format!("{BASE}[[medium.region]]\nshape = \"disc\"\ncentre_m = [0, 0]\nradius_m = 1e-4\n"),
    ] {
        let e = error_of(&t);
        let shown = e.to_string();
        assert!(shown.starts_with("scene"), "{shown}");
        assert!(!shown.contains('\n') && shown.len() < 400, "{shown}");
        if !matches!(e, SceneError::Scene { .. }) {
            assert!(e.line().is_some(), "{shown}");
        }
    }
}

// ------------------------------------------------------------------------------------------
// The examples on the CPU solver (about 10 s with the workspace's optimised test profile)

fn run_example(
    name: &str,
) -> (
    ferrowave_scenes::Scene,
    ferrowave_solvers::acoustic::SensorData,
) {
    use ferrowave_solvers::acoustic::Plan;
    let scene = load_scene(&examples().join(name)).unwrap();
    let started = std::time::Instant::now();
    let plan = Plan::new(&scene.simulation, 2).unwrap();
    let (data, stats) = plan.run(&mut ()).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{name}: {} steps of {:e} s in {seconds:.1} s",
        stats.steps, stats.dt_s
    );
    assert!(seconds < 60.0, "{name} took {seconds:.1} s on 2 threads");
    (scene, data)
}

#[test]
fn examples_run_on_the_solver() {
    let (_, data) = run_example("homogeneous_2d_p0.toml");
    let p_max = data.p_max.unwrap();
    assert!(p_max.iter().all(|v| v.is_finite() && *v > 0.0), "{p_max}");
    assert_eq!(data.p.unwrap().shape()[0], 4);

    let (_, data) = run_example("layered_absorbing_3d_tone_burst.toml");
    let p_max = data.p_max.unwrap();
    assert!(p_max.iter().all(|v| v.is_finite()));
    // In front of the layer the burst passes at about its amplitude.
    assert!(p_max[4] > 1e4, "{p_max}");
    assert!(data
        .p_rms
        .unwrap()
        .iter()
        .all(|v| v.is_finite() && *v >= 0.0));

    let (scene, data) = run_example("cw_focus_2d.toml");
    let g = &scene.simulation.grid;
    let amplitude = data.cw_amplitude.unwrap();
    // Near the geometric focus (4 mm, 0) the field is much stronger than 3 mm off axis.
    let at = |x_m: f64, y_m: f64| {
        let x = (x_m / 1.5e-4).round() as usize + 64;
        let y = (y_m / 1.5e-4).round() as usize + 64;
        amplitude[g.index(x, y, 0)]
    };
    println!(
        "cw amplitude: focus {} Pa, off axis {} Pa, source side {} Pa",
        at(4e-3, 0.0),
        at(4e-3, 3e-3),
        at(-4e-3, 0.0)
    );
    assert!(at(4e-3, 0.0) > 2.0 * at(4e-3, 3e-3));
    assert!(data.cw_phase.unwrap().iter().all(|v| v.is_finite()));

    let (_, data) = run_example("skull_ring_2d_nifti.toml");
    let p_max = data.p_max.unwrap();
    // Inside the ring (4 mm) more than behind it (8 mm).
    assert!(p_max[3] > p_max[0], "{p_max}");
}
