//! HDF5 result files: round trips, the temporary-name-and-rename rule, `describe_result`,
//! and (when python3 with h5py is present) reading a file the way users do.

use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

use ferrowave_scenes::results::{read_datasets, temporary_path};
use ferrowave_scenes::{describe_result, parse_scene, write_result, ResultError};
use ferrowave_solvers::acoustic::{ContinuousWave, Plan, PlanSummary, RunStats, SensorData};
use hdf5::types::VarLenUnicode;
use ndarray::{Array1, Array2, ArrayD, Dimension, IxDyn};

/// HDF5 opens files without close-on-exec and locks them (flock), so a child process forked
/// while another test holds a file open inherits the lock until it exits. Tests that open
/// HDF5 files hold this for reading; the test that starts python3 holds it for writing.
static FORK_GUARD: RwLock<()> = RwLock::new(());

fn hdf5_guard() -> RwLockReadGuard<'static, ()> {
    FORK_GUARD.read().unwrap_or_else(|e| e.into_inner())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("results-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn summary(shape: &[usize], spacing: &[f64], sensors: usize) -> PlanSummary {
    let ndim = shape.len();
    PlanSummary {
        ndim,
        shape: shape.to_vec(),
        simulation_shape: shape.to_vec(),
        spacing_m: spacing.to_vec(),
        dt_s: 2e-8,
        steps: 10,
        c_ref_m_s: 1500.0,
        c_min_m_s: 1480.0,
        c_max_m_s: 1500.0,
        cfl: 0.3,
        pml_size: vec![2; ndim],
        pml_alpha: vec![2.0; ndim],
        pml_inside: true,
        absorbing: false,
        nonlinear: false,
        sensors,
        record_start_step: 0,
        cw: Some(ContinuousWave {
            frequency_hz: 1e6,
            periods: 2.0,
        }),
        threads: 1,
        cpu_step: "split (the medium is heterogeneous)".into(),
        memory_bytes: 1 << 20,
    }
}

fn stats() -> RunStats {
    RunStats {
        steps: 10,
        dt_s: 2e-8,
        wall_seconds: 0.25,
        bytes_allocated: 1 << 20,
        threads: 3,
        device: ferrowave_kernels::DeviceKind::Cpu,
    }
}

/// Linear x-fastest coordinates of index i on `shape` (padded to 3 axes).
fn coords(i: usize, shape: &[usize]) -> [usize; 3] {
    let mut s = [1; 3];
    s[..shape.len()].copy_from_slice(shape);
    [i % s[0], (i / s[0]) % s[1], i / (s[0] * s[1])]
}

/// A field of `shape` whose value at [x, y, z] is `f(x, y, z)`.
fn field(shape: &[usize], f: impl Fn(usize, usize, usize) -> f32) -> ArrayD<f32> {
    ArrayD::from_shape_fn(IxDyn(shape), |ix| {
        let at = |a: usize| if a < ix.ndim() { ix[a] } else { 0 };
        f(at(0), at(1), at(2))
    })
}

fn read_f32(file: &hdf5::File, name: &str) -> (Vec<usize>, Vec<f32>) {
    let ds = file
        .dataset(name)
        .unwrap_or_else(|e| panic!("dataset {name}: {e}"));
    (ds.shape(), ds.read_raw::<f32>().unwrap())
}

fn attr_str(loc: &hdf5::Location, name: &str) -> String {
    loc.attr(name)
        .unwrap_or_else(|e| panic!("attribute {name}: {e}"))
        .read_scalar::<VarLenUnicode>()
        .unwrap()
        .as_str()
        .to_string()
}

fn attr_f64(loc: &hdf5::Location, name: &str) -> f64 {
    loc.attr(name).unwrap().read_scalar::<f64>().unwrap()
}

fn attr_u64(loc: &hdf5::Location, name: &str) -> u64 {
    loc.attr(name).unwrap().read_scalar::<u64>().unwrap()
}

fn no_temporaries(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

const SCENE_TEXT: &str = "name = \"round_trip\"\n[sensor]\nrecord_start_step = 0\n\
                          cw = { frequency_hz = 1.0e6, periods = 2 }\n";

/// Sensor data for 3 sensors on a 2D 8 x 6 grid with every quantity recorded.
fn data_2d() -> (PlanSummary, SensorData, Vec<[usize; 3]>) {
    let shape = [8, 6];
    let points = vec![[1, 2, 0], [7, 0, 0], [3, 5, 0]];
    let n = points.len();
    let samples = 10;
    let series =
        |scale: f32| Array2::from_shape_fn((n, samples), |(s, k)| scale * (s * 100 + k) as f32);
    let stat = |offset: f32| Array1::from_shape_fn(n, |s| offset + s as f32);
    let data = SensorData {
        p: Some(series(1.0)),
        p_max: Some(stat(10.0)),
        p_min: Some(stat(-10.0)),
        p_rms: Some(stat(5.0)),
        u: Some(vec![series(1e-3), series(-1e-3)]),
        u_max: Some(vec![stat(0.5), stat(0.25)]),
        u_min: Some(vec![stat(-0.5), stat(-0.25)]),
        u_rms: Some(vec![stat(0.1), stat(0.2)]),
        cw_amplitude: Some(stat(100.0)),
        cw_phase: Some(stat(-1.0)),
        u_non_staggered: Some(vec![series(2e-3), series(-2e-3)]),
        p_max_all: Some(field(&shape, |x, y, _| (x * 10 + y) as f32 + 0.5)),
        p_min_all: Some(field(&shape, |x, y, _| -((x * 10 + y) as f32))),
        u_max_all: Some(vec![
            field(&shape, |x, _, _| x as f32),
            field(&shape, |_, y, _| y as f32),
        ]),
        u_min_all: Some(vec![
            field(&shape, |x, _, _| -(x as f32)),
            field(&shape, |_, y, _| -(y as f32)),
        ]),
        p_final: Some(field(&shape, |x, y, _| (x * 10 + y) as f32)),
        u_final: Some(vec![
            field(&shape, |x, y, _| (x + 100 * y) as f32),
            field(&shape, |x, y, _| -((x + 100 * y) as f32)),
        ]),
    };
    (summary(&shape, &[1e-4, 2e-4], n), data, points)
}

#[test]
fn round_trip_2d_every_quantity() {
    let _guard = hdf5_guard();
    let dir = temp_dir("round-trip-2d");
    let path = dir.join("out.h5");
    let (summary, data, points) = data_2d();
    write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    no_temporaries(&dir);

    let file = hdf5::File::open(&path).unwrap();
    // Per-sensor series and statistics at their natural shapes.
    let (shape, p) = read_f32(&file, "p");
    assert_eq!(shape, vec![3, 10]);
    assert_eq!(
        p,
        data.p.as_ref().unwrap().iter().cloned().collect::<Vec<_>>()
    );
    for (name, expected) in [
        ("p_max", &data.p_max),
        ("p_min", &data.p_min),
        ("p_rms", &data.p_rms),
        ("cw_amplitude", &data.cw_amplitude),
        ("cw_phase", &data.cw_phase),
    ] {
        let (shape, values) = read_f32(&file, name);
        assert_eq!(shape, vec![3], "{name}");
        assert_eq!(values, expected.as_ref().unwrap().to_vec(), "{name}");
    }
    for (axis, a) in ["x", "y"].iter().enumerate() {
        let (shape, u) = read_f32(&file, &format!("u{a}"));
        assert_eq!(shape, vec![3, 10]);
        assert_eq!(
            u,
            data.u.as_ref().unwrap()[axis]
                .iter()
                .cloned()
                .collect::<Vec<_>>()
        );
        for (stat, expected) in [
            ("max", &data.u_max),
            ("min", &data.u_min),
            ("rms", &data.u_rms),
        ] {
            let (shape, values) = read_f32(&file, &format!("u{a}_{stat}"));
            assert_eq!(shape, vec![3]);
            assert_eq!(values, expected.as_ref().unwrap()[axis].to_vec());
        }
        let (shape, shifted) = read_f32(&file, &format!("u{a}_non_staggered"));
        assert_eq!(shape, vec![3, 10]);
        assert_eq!(
            shifted,
            data.u_non_staggered.as_ref().unwrap()[axis]
                .iter()
                .cloned()
                .collect::<Vec<_>>()
        );
        for (stat, sign) in [("max", 1.0), ("min", -1.0)] {
            let (shape, values) = read_f32(&file, &format!("u{a}_{stat}_all"));
            assert_eq!(shape, vec![8, 6]);
            for x in 0..8 {
                for y in 0..6 {
                    let along = if axis == 0 { x } else { y };
                    assert_eq!(values[x * 6 + y], sign * along as f32);
                }
            }
        }
        let (shape, uf) = read_f32(&file, &format!("u{a}_final"));
        assert_eq!(shape, vec![8, 6]);
        let sign = if axis == 0 { 1.0 } else { -1.0 };
        for x in 0..8 {
            for y in 0..6 {
                assert_eq!(uf[x * 6 + y], sign * (x + 100 * y) as f32);
            }
        }
    }
    assert!(file.dataset("uz").is_err(), "a 2D result has no uz");
    // Whole-grid fields: [x, y] in C order.
    let (shape, pf) = read_f32(&file, "p_final");
    assert_eq!(shape, vec![8, 6]);
    for x in 0..8 {
        for y in 0..6 {
            assert_eq!(pf[x * 6 + y], (x * 10 + y) as f32);
        }
    }
    let (_, max_all) = read_f32(&file, "p_max_all");
    let (_, min_all) = read_f32(&file, "p_min_all");
    for x in 0..8 {
        for y in 0..6 {
            assert_eq!(max_all[x * 6 + y], (x * 10 + y) as f32 + 0.5);
            assert_eq!(min_all[x * 6 + y], -((x * 10 + y) as f32));
        }
    }
    // Sensors do not cover the grid: no maps.
    assert!(file.dataset("p_max_field").is_err());
    assert_eq!(attr_u64(&file, "sensor_covers_grid"), 0);

    let ds = file.dataset("sensor_indices").unwrap();
    assert_eq!(ds.shape(), vec![3, 2]);
    assert_eq!(ds.read_raw::<u64>().unwrap(), vec![1, 2, 7, 0, 3, 5]);
    let ds = file.dataset("sensor_positions_m").unwrap();
    assert_eq!(ds.shape(), vec![3, 2]);
    let pos = ds.read_raw::<f64>().unwrap();
    let expected = [-3e-4, -2e-4, 3e-4, -6e-4, -1e-4, 4e-4];
    for (a, b) in pos.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{pos:?}");
    }

    // Units and descriptions on every dataset.
    for (name, units) in [
        ("p", "Pa"),
        ("p_max", "Pa"),
        ("p_final", "Pa"),
        ("ux", "m/s"),
        ("uy_rms", "m/s"),
        ("ux_final", "m/s"),
        ("cw_amplitude", "Pa"),
        ("cw_phase", "rad"),
        ("sensor_positions_m", "m"),
    ] {
        let ds = file.dataset(name).unwrap();
        assert_eq!(attr_str(&ds, "units"), units, "{name}");
        assert!(attr_str(&ds, "description").len() > 10, "{name}");
    }
    let cw = file.dataset("cw_phase").unwrap();
    assert_eq!(attr_f64(&cw, "frequency_hz"), 1e6);
    assert_eq!(attr_f64(&cw, "periods"), 2.0);

    // Root attributes.
    assert_eq!(attr_f64(&file, "dx"), 1e-4);
    assert_eq!(attr_f64(&file, "dy"), 2e-4);
    assert!(file.attr("dz").is_err(), "2D: no dz");
    let spacing = file.attr("spacing_m").unwrap().read_raw::<f64>().unwrap();
    assert_eq!(spacing, vec![1e-4, 2e-4]);
    let shape = file.attr("shape").unwrap().read_raw::<u64>().unwrap();
    assert_eq!(shape, vec![8, 6]);
    assert_eq!(attr_f64(&file, "dt"), 2e-8);
    assert_eq!(attr_u64(&file, "Nt"), 10);
    assert_eq!(attr_f64(&file, "c_ref"), 1500.0);
    assert_eq!(attr_f64(&file, "cfl"), 0.3);
    assert_eq!(
        file.attr("pml_size").unwrap().read_raw::<u64>().unwrap(),
        vec![2, 2]
    );
    assert_eq!(
        file.attr("pml_alpha").unwrap().read_raw::<f64>().unwrap(),
        vec![2.0, 2.0]
    );
    assert_eq!(attr_u64(&file, "pml_inside"), 1);
    assert_eq!(attr_u64(&file, "record_start_step"), 0);
    assert_eq!(attr_f64(&file, "wall_seconds"), 0.25);
    assert_eq!(attr_u64(&file, "threads"), 3);
    assert_eq!(
        attr_str(&file, "software"),
        format!("ferrowave {}", env!("CARGO_PKG_VERSION"))
    );
    let created = attr_str(&file, "created");
    assert_eq!(created.len(), 20, "{created}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    assert!(created.as_str() > "2024", "{created}");
    assert_eq!(attr_str(&file, "scene"), SCENE_TEXT);
    assert_eq!(attr_str(&file, "name"), "round_trip");
    assert_eq!(attr_str(&file, "axis_order"), "x,y,z");
    assert!(attr_str(&file, "units").contains("Pa"));
}

#[test]
fn whole_grid_sensor_gets_maps_3d() {
    let _guard = hdf5_guard();
    let dir = temp_dir("whole-grid-3d");
    let path = dir.join("maps.h5");
    let shape = [4, 3, 2];
    let n: usize = shape.iter().product();
    let points: Vec<[usize; 3]> = (0..n).map(|i| coords(i, &shape)).collect();
    let linear = Array1::from_shape_fn(n, |i| i as f32);
    let data = SensorData {
        p_max: Some(linear.clone()),
        cw_amplitude: Some(linear.mapv(|v| 2.0 * v)),
        cw_phase: Some(linear.mapv(|v| -v)),
        u_max: Some(vec![
            linear.clone(),
            linear.clone(),
            linear.mapv(|v| v + 0.5),
        ]),
        p_final: Some(field(&shape, |x, y, z| (x + 4 * (y + 3 * z)) as f32)),
        ..Default::default()
    };
    let mut summary = summary(&shape, &[1e-4; 3], n);
    summary.cw = None;
    write_result(&path, "", "", &summary, &stats(), &data, &points).unwrap();

    let file = hdf5::File::open(&path).unwrap();
    assert_eq!(attr_u64(&file, "sensor_covers_grid"), 1);
    assert_eq!(attr_f64(&file, "dz"), 1e-4);
    for (name, scale, offset) in [
        ("p_max_field", 1.0, 0.0),
        ("cw_amplitude_field", 2.0, 0.0),
        ("cw_phase_field", -1.0, 0.0),
        ("uz_max_field", 1.0, 0.5),
    ] {
        let (s, values) = read_f32(&file, name);
        assert_eq!(s, vec![4, 3, 2], "{name}");
        for x in 0..4 {
            for y in 0..3 {
                for z in 0..2 {
                    let expected = scale * (x + 4 * (y + 3 * z)) as f32 + offset;
                    assert_eq!(
                        values[(x * 3 + y) * 2 + z],
                        expected,
                        "{name} at {x},{y},{z}"
                    );
                }
            }
        }
        let ds = file.dataset(name).unwrap();
        assert!(attr_str(&ds, "description").contains("reshaped to the grid"));
    }
    // The per-sensor vector is still there, and p_final equals the map of the same values.
    assert_eq!(read_f32(&file, "p_max").0, vec![24]);
    assert_eq!(
        read_f32(&file, "p_final").1,
        read_f32(&file, "p_max_field").1
    );
    // No CW settings in the summary: no attribute, but no failure either.
    assert!(file
        .dataset("cw_phase")
        .unwrap()
        .attr("frequency_hz")
        .is_err());
}

#[test]
fn whole_grid_in_another_order_gets_no_maps() {
    let _guard = hdf5_guard();
    let dir = temp_dir("permuted");
    let path = dir.join("permuted.h5");
    let shape = [3, 2];
    let mut points: Vec<[usize; 3]> = (0..6).map(|i| coords(i, &shape)).collect();
    points.swap(0, 5);
    let data = SensorData {
        p_max: Some(Array1::zeros(6)),
        ..Default::default()
    };
    write_result(
        &path,
        "",
        "",
        &summary(&shape, &[1e-4; 2], 6),
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    let file = hdf5::File::open(&path).unwrap();
    assert!(file.dataset("p_max_field").is_err());
}

#[test]
fn one_dimensional_final_field() {
    let _guard = hdf5_guard();
    let dir = temp_dir("one-d");
    let path = dir.join("line.h5");
    let data = SensorData {
        p: Some(Array2::zeros((1, 4))),
        p_final: Some(field(&[16], |x, _, _| x as f32)),
        ..Default::default()
    };
    let mut summary = summary(&[16], &[1e-4], 1);
    summary.steps = 7;
    summary.record_start_step = 3; // 4 samples of 7 steps
    write_result(&path, "", "", &summary, &stats(), &data, &[[5, 0, 0]]).unwrap();
    let file = hdf5::File::open(&path).unwrap();
    assert_eq!(
        read_f32(&file, "p_final"),
        (vec![16], (0..16).map(|x| x as f32).collect())
    );
    assert_eq!(file.dataset("sensor_indices").unwrap().shape(), vec![1, 1]);
    assert_eq!(attr_u64(&file, "record_start_step"), 3);
    assert!(file.attr("dy").is_err());
}

#[test]
fn failed_write_leaves_the_final_path_alone() {
    let _guard = hdf5_guard();
    let dir = temp_dir("failed-write");
    let path = dir.join("keep.h5");
    std::fs::write(&path, b"an earlier result").unwrap();
    let (summary, mut data, points) = data_2d();
    // p_min has the wrong length: found after the file was created and partly written.
    data.p_min = Some(Array1::zeros(2));
    let err = write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap_err();
    assert!(matches!(err, ResultError::Data { .. }), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("keep.h5") && shown.contains("p_min"),
        "{shown}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"an earlier result");
    no_temporaries(&dir);

    // A successful write replaces the earlier file.
    let (summary, data, points) = data_2d();
    write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    hdf5::File::open(&path).unwrap();
    no_temporaries(&dir);
}

#[test]
fn failed_rename_removes_the_temporary_file() {
    let _guard = hdf5_guard();
    let dir = temp_dir("failed-rename");
    // The final path is a non-empty directory: the rename fails.
    let path = dir.join("taken.h5");
    std::fs::create_dir_all(path.join("inside")).unwrap();
    let (summary, data, points) = data_2d();
    let err = write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap_err();
    assert!(matches!(err, ResultError::Write { .. }), "{err}");
    assert!(path.join("inside").is_dir());
    no_temporaries(&dir);
}

#[test]
fn temporary_name_is_beside_the_result() {
    let t = temporary_path(Path::new("/data/run/out.h5"));
    assert_eq!(t.parent(), Some(Path::new("/data/run")));
    assert_eq!(
        t.file_name().unwrap().to_string_lossy(),
        format!("out.h5.tmp-{}", std::process::id())
    );
}

#[test]
fn missing_directories_are_created() {
    let _guard = hdf5_guard();
    let dir = temp_dir("nested");
    let path = dir.join("a/b/out.h5");
    let (summary, data, points) = data_2d();
    write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    assert!(path.is_file());
}

#[test]
fn describe_lists_grid_time_and_datasets() {
    let _guard = hdf5_guard();
    let dir = temp_dir("describe");
    let path = dir.join("described.h5");
    let (summary, data, points) = data_2d();
    write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    let text = describe_result(&path).unwrap();
    println!("{text}");
    for phrase in [
        "described.h5",
        "scene        round_trip",
        &format!("ferrowave {}", env!("CARGO_PKG_VERSION")),
        "8 x 6 points (2D), spacing 1e-4 x 2e-4 m, size 8e-4 x 0.0012 m",
        "dt = 2e-8 s, Nt = 10 steps",
        "c_ref = 1500 m/s",
        "pml          2 x 2 points",
        "sensors      3",
    ] {
        assert!(text.contains(phrase), "missing {phrase:?} in\n{text}");
    }
    let line = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    // name, shape, units, min, max
    assert_eq!(line("p"), ["p", "(3,", "10)", "Pa", "0", "209"]);
    assert_eq!(line("p_max"), ["p_max", "(3)", "Pa", "10", "12"]);
    assert_eq!(line("cw_phase"), ["cw_phase", "(3)", "rad", "-1", "1"]);
    assert_eq!(line("p_final"), ["p_final", "(8,", "6)", "Pa", "0", "75"]);
    assert_eq!(line("uy_max"), ["uy_max", "(3)", "m/s", "0.25", "2.25"]);

    let infos = read_datasets(&path).unwrap();
    let p = infos.iter().find(|d| d.name == "p").unwrap();
    assert_eq!(p.shape, vec![3, 10]);
    assert_eq!(p.min_max, Some((0.0, 209.0)));
    assert_eq!(p.non_finite, 0);
}

#[test]
fn describe_counts_non_finite_values() {
    let _guard = hdf5_guard();
    let dir = temp_dir("describe-nan");
    let path = dir.join("nan.h5");
    let data = SensorData {
        p_max: Some(Array1::from(vec![1.0, f32::NAN, -3.0])),
        ..Default::default()
    };
    let points = [[0, 0, 0], [1, 0, 0], [2, 0, 0]];
    write_result(
        &path,
        "",
        "",
        &summary(&[8, 6], &[1e-4; 2], 3),
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    let infos = read_datasets(&path).unwrap();
    let p = infos.iter().find(|d| d.name == "p_max").unwrap();
    assert_eq!((p.min_max, p.non_finite), (Some((-3.0, 1.0)), 1));
    assert!(describe_result(&path).unwrap().contains("(1 NaN/inf)"));
}

#[test]
fn describe_refuses_what_is_not_hdf5() {
    let _guard = hdf5_guard();
    let dir = temp_dir("not-hdf5");
    let path = dir.join("text.h5");
    std::fs::write(&path, "hello").unwrap();
    let err = describe_result(&path).unwrap_err();
    assert!(matches!(err, ResultError::Read { .. }));
    assert!(err.to_string().contains("text.h5"), "{err}");
    assert!(describe_result(&dir.join("missing.h5")).is_err());
}

/// A small scene run through the solver and written: the file holds what the run returned.
#[test]
fn solver_run_round_trip() {
    let _guard = hdf5_guard();
    let text = r#"
name = "tiny"
[grid]
shape = [32, 24]
spacing_m = 1e-4
[time]
steps = 40
[medium]
sound_speed_m_s = 1500.0
density_kg_m3 = 1000.0
[pml]
size = 6
[[source.initial_pressure]]
shape = "disc"
centre_m = [0.0, 0.0]
radius_m = 3e-4
amplitude_pa = 2.0
[sensor]
mask = "all"
record = ["p", "p_max", "p_final"]
record_start_step = 10
"#;
    let scene = parse_scene(text, Path::new(".")).unwrap();
    let sim = &scene.simulation;
    let plan = Plan::new(sim, 1).unwrap();
    let summary = plan.summary().clone();
    let points: Vec<[usize; 3]> = sim
        .sensor
        .points
        .iter()
        .map(|&i| sim.grid.coords(i))
        .collect();
    let (data, stats) = plan.run(&mut ()).unwrap();
    let dir = temp_dir("solver");
    let path = dir.join("tiny.h5");
    write_result(
        &path,
        &scene.name,
        &scene.text,
        &summary,
        &stats,
        &data,
        &points,
    )
    .unwrap();

    let file = hdf5::File::open(&path).unwrap();
    let (shape, p) = read_f32(&file, "p");
    assert_eq!(shape, vec![32 * 24, 30]);
    assert_eq!(
        p,
        data.p.as_ref().unwrap().iter().cloned().collect::<Vec<_>>()
    );
    assert_eq!(attr_u64(&file, "record_start_step"), 10);
    assert_eq!(attr_u64(&file, "Nt"), 40);
    // The p_max map at [x, y] is the p_max of grid point (x, y).
    let (shape, map) = read_f32(&file, "p_max_field");
    assert_eq!(shape, vec![32, 24]);
    let p_max = data.p_max.as_ref().unwrap();
    for (k, &i) in sim.sensor.points.iter().enumerate() {
        let [x, y, _] = sim.grid.coords(i);
        assert_eq!(map[x * 24 + y], p_max[k]);
    }
    let (shape, pf) = read_f32(&file, "p_final");
    assert_eq!(shape, vec![32, 24]);
    assert_eq!(
        pf,
        data.p_final
            .as_ref()
            .unwrap()
            .iter()
            .cloned()
            .collect::<Vec<_>>()
    );
    assert!(p_max.iter().cloned().fold(0.0f32, f32::max) > 0.5);
}

/// Reads a result with h5py as docs/results.md shows; skipped (with a printed reason) when
/// python3 or h5py is missing.
#[test]
fn h5py_reads_a_result() {
    let _exclusive = FORK_GUARD.write().unwrap_or_else(|e| e.into_inner());
    let probe = std::process::Command::new("python3")
        .args(["-c", "import h5py, numpy"])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        println!("SKIPPED h5py_reads_a_result: python3 with h5py and numpy is not available");
        return;
    }
    let dir = temp_dir("h5py");
    let path = dir.join("py.h5");
    let (summary, data, points) = data_2d();
    write_result(
        &path,
        "round_trip",
        SCENE_TEXT,
        &summary,
        &stats(),
        &data,
        &points,
    )
    .unwrap();
    let script = r#"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    p = f["p"][:]
    assert p.shape == (3, 10) and p.dtype == np.float32, (p.shape, p.dtype)
    assert p[2, 4] == 204.0
    assert f["p"].attrs["units"] == "Pa"
    t = (f.attrs["record_start_step"] + np.arange(p.shape[1])) * f.attrs["dt"]
    assert abs(t[-1] - 9 * 2e-8) < 1e-20
    assert tuple(f.attrs["shape"]) == (8, 6)
    assert f["p_final"][7, 5] == 75.0
    ix, iy = f["sensor_indices"][1]
    assert (ix, iy) == (7, 0)
    assert f.attrs["software"].startswith("ferrowave ")
    assert "round_trip" in f.attrs["scene"]
    assert f.attrs["dx"] == 1e-4 and f.attrs["Nt"] == 10
print("ok")
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "h5py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
