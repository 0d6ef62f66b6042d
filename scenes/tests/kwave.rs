//! The k-Wave file interface against kspaceFirstOrder-OMP v1.3's own outputs
//! (validation/reference/kwave/): every recorded quantity of every case within 1e-4
//! relative L2, the output's dataset and attribute names, shapes and types, 2-D, `-s`,
//! cuboid-corner sensors, `--copy_sensor_mask`, and the errors for unsupported input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ferrowave_scenes::kwave::{run_file, KwaveError, KwaveInput, KwaveOptions, RecordFlags};
use hdf5::types::FixedAscii;
use ndarray::Array2;

const TOLERANCE: f64 = 1e-4;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../validation/reference/kwave")
}

fn case_file(case: &str, kind: &str) -> PathBuf {
    reference_dir().join(case).join(format!("{case}_{kind}.h5"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kwave-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The recording options of the command line stored in a case's meta.json.
fn case_options(case: &str) -> KwaveOptions {
    let meta =
        std::fs::read_to_string(reference_dir().join(case).join(format!("{case}_meta.json")))
            .unwrap();
    let start = meta.find("\"command\": \"").unwrap() + 12;
    let command = &meta[start..start + meta[start..].find('"').unwrap()];
    let mut options = KwaveOptions::default();
    let mut tokens = command.split_whitespace().skip(1);
    while let Some(t) = tokens.next() {
        let r = &mut options.record;
        match t {
            "-i" | "-o" => {
                tokens.next();
            }
            "-t" => options.threads = tokens.next().unwrap().parse().unwrap(),
            "-s" => options.start_index = tokens.next().unwrap().parse().unwrap(),
            "--p_raw" | "-p" => r.p_raw = true,
            "--p_max" => r.p_max = true,
            "--p_min" => r.p_min = true,
            "--p_rms" => r.p_rms = true,
            "--p_final" => r.p_final = true,
            "--u_raw" | "-u" => r.u_raw = true,
            "--u_max" => r.u_max = true,
            "--u_min" => r.u_min = true,
            "--u_rms" => r.u_rms = true,
            "--u_final" => r.u_final = true,
            other => panic!("{case}: option {other} not handled by this test"),
        }
    }
    options
}

fn run(input: &Path, output: &Path, options: &KwaveOptions) -> Result<(), KwaveError> {
    run_file(input, output, options, &mut |_, _| {}, &mut ()).map(|_| ())
}

fn read_f32(file: &hdf5::File, name: &str) -> Vec<f32> {
    file.dataset(name).unwrap().read_raw::<f32>().unwrap()
}

fn read_u64(file: &hdf5::File, name: &str) -> Vec<u64> {
    file.dataset(name).unwrap().read_raw::<u64>().unwrap()
}

fn text_attr(loc: &hdf5::Location, name: &str) -> String {
    loc.attr(name)
        .unwrap()
        .read_scalar::<FixedAscii<4096>>()
        .unwrap()
        .as_str()
        .trim_end_matches('\0')
        .to_string()
}

fn relative_l2(got: &[f32], reference: &[f32]) -> f64 {
    assert_eq!(got.len(), reference.len());
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (&g, &r) in got.iter().zip(reference) {
        num += (g as f64 - r as f64).powi(2);
        den += (r as f64).powi(2);
    }
    (num / den).sqrt()
}

/// Datasets holding recorded quantities (float32 and more than one value, or a p_max-like
/// statistic).
fn recorded_names(file: &hdf5::File) -> Vec<String> {
    let scalars_f32 = [
        "dt",
        "dx",
        "dy",
        "dz",
        "c_ref",
        "pml_x_alpha",
        "pml_y_alpha",
        "pml_z_alpha",
    ];
    file.member_names()
        .unwrap()
        .into_iter()
        .filter(|n| {
            let ds = file.dataset(n).unwrap();
            ds.dtype().unwrap().is::<f32>() && !scalars_f32.contains(&n.as_str())
        })
        .collect()
}

/// Compares every recorded quantity of `output` with `reference`; returns (name, error).
fn compare_quantities(output: &Path, reference: &Path) -> Vec<(String, f64)> {
    let out = hdf5::File::open(output).unwrap();
    let reference = hdf5::File::open(reference).unwrap();
    let mut errors = Vec::new();
    for name in recorded_names(&reference) {
        let r = reference.dataset(&name).unwrap();
        let o = out
            .dataset(&name)
            .unwrap_or_else(|_| panic!("output lacks {name}"));
        assert_eq!(o.shape(), r.shape(), "{name}: shape");
        let err = relative_l2(&read_f32(&out, &name), &read_f32(&reference, &name));
        errors.push((name, err));
    }
    errors
}

/// Names, dims, types and attributes of every dataset, the root attribute names, and the
/// values of the integer and float scalars, must match.
fn compare_layout(output: &Path, reference: &Path) {
    let out = hdf5::File::open(output).unwrap();
    let reference = hdf5::File::open(reference).unwrap();
    let names =
        |f: &hdf5::File| -> BTreeSet<String> { f.member_names().unwrap().into_iter().collect() };
    assert_eq!(names(&out), names(&reference), "dataset names");
    let attrs =
        |l: &hdf5::Location| -> BTreeSet<String> { l.attr_names().unwrap().into_iter().collect() };
    assert_eq!(attrs(&out), attrs(&reference), "root attribute names");
    for name in names(&reference) {
        let (o, r) = (
            out.dataset(&name).unwrap(),
            reference.dataset(&name).unwrap(),
        );
        assert_eq!(o.shape(), r.shape(), "{name}: dims");
        assert_eq!(
            o.dtype().unwrap().to_descriptor().unwrap(),
            r.dtype().unwrap().to_descriptor().unwrap(),
            "{name}: type"
        );
        assert_eq!(o.chunk(), r.chunk(), "{name}: chunks");
        assert_eq!(o.filters(), r.filters(), "{name}: filters");
        assert_eq!(attrs(&o), attrs(&r), "{name}: attribute names");
        for a in ["data_type", "domain_type"] {
            assert_eq!(text_attr(&o, a), text_attr(&r, a), "{name}: attribute {a}");
        }
        if r.size() == 1 {
            if r.dtype().unwrap().is::<u64>() {
                assert_eq!(read_u64(&out, &name), read_u64(&reference, &name), "{name}");
            } else {
                assert_eq!(read_f32(&out, &name), read_f32(&reference, &name), "{name}");
            }
        }
    }
    for a in [
        "file_type",
        "major_version",
        "minor_version",
        "file_description",
    ] {
        assert_eq!(
            text_attr(&out, a),
            text_attr(&reference, a),
            "root attribute {a}"
        );
    }
    let time = text_attr(&out, "simulation_phase_execution_time");
    assert!(
        time.ends_with('s') && time.len() >= 9,
        "time format {time:?}"
    );
    assert!(text_attr(&out, "total_memory_in_use").ends_with(" MB"));
}

fn check_case(case: &str) {
    let dir = temp_dir(case);
    let output = dir.join(format!("{case}_output.h5"));
    let options = case_options(case);
    run(&case_file(case, "input"), &output, &options).unwrap();
    let reference = case_file(case, "output");
    compare_layout(&output, &reference);
    let errors = compare_quantities(&output, &reference);
    assert!(!errors.is_empty());
    for (name, err) in &errors {
        println!("{case}: {name:8} relative L2 = {err:.2e}");
    }
    for (name, err) in &errors {
        assert!(
            *err <= TOLERANCE,
            "{case}: {name} relative L2 {err:e} > {TOLERANCE:e}"
        );
    }
}

#[test]
fn homogeneous_3d_matches_kwave() {
    check_case("homogeneous_3d");
}

#[test]
fn layered_absorbing_3d_matches_kwave() {
    check_case("layered_absorbing_3d");
}

#[test]
fn tone_burst_source_3d_matches_kwave() {
    check_case("tone_burst_source_3d");
}

#[test]
fn homogeneous_2d_matches_kwave() {
    check_case("homogeneous_2d");
}

// ---------------------------------------------------------------------------------------
// Inputs modified with the hdf5 crate, for what the reference cases do not cover.

/// A writable copy of a case's input in `dir`, edited by `edit`.
fn modified_input(case: &str, dir: &Path, edit: impl FnOnce(&hdf5::File)) -> PathBuf {
    let path = dir.join(format!("{case}_modified_input.h5"));
    std::fs::copy(case_file(case, "input"), &path).unwrap();
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&path, permissions).unwrap();
    let file = hdf5::File::open_rw(&path).unwrap();
    edit(&file);
    file.close().unwrap();
    path
}

fn set_u64s(file: &hdf5::File, name: &str, dims: &[usize], values: &[u64]) {
    if file.link_exists(name) {
        file.unlink(name).unwrap();
    }
    let ds = file
        .new_dataset::<u64>()
        .shape(dims.to_vec())
        .create(name)
        .unwrap();
    ds.write_raw(values).unwrap();
}

fn set_u64(file: &hdf5::File, name: &str, value: u64) {
    set_u64s(file, name, &[1, 1, 1], &[value]);
}

fn set_f32s(file: &hdf5::File, name: &str, dims: &[usize], values: &[f32]) {
    if file.link_exists(name) {
        file.unlink(name).unwrap();
    }
    let ds = file
        .new_dataset::<f32>()
        .shape(dims.to_vec())
        .create(name)
        .unwrap();
    ds.write_raw(values).unwrap();
}

fn unsupported_message(result: Result<(), KwaveError>) -> String {
    match result {
        Err(e @ KwaveError::Unsupported(_)) => {
            assert!(e.is_input_error());
            e.to_string()
        }
        other => panic!("expected an unsupported-feature error, got {other:?}"),
    }
}

fn invalid_message(result: Result<(), KwaveError>) -> String {
    match result {
        Err(e @ KwaveError::Invalid(_)) => {
            assert!(e.is_input_error());
            e.to_string()
        }
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}

/// A (sensors, samples) series from an output's (1, Nt, n) dataset.
fn series(file: &hdf5::File, name: &str) -> Array2<f32> {
    let ds = file.dataset(name).unwrap();
    let shape = ds.shape();
    assert_eq!(shape.len(), 3);
    let (samples, n) = (shape[1], shape[2]);
    let values = read_f32(file, name);
    Array2::from_shape_fn((n, samples), |(j, t)| values[t * n + j])
}

// ---------------------------------------------------------------------------------------

/// `-s 21` stores samples 20.. of p, and p_max / p_min / p_rms over those samples only.
#[test]
fn start_index_stores_and_reduces_the_later_samples_only() {
    let case = "homogeneous_3d";
    let dir = temp_dir("start-index");
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        record: RecordFlags {
            p_raw: true,
            p_max: true,
            p_min: true,
            p_rms: true,
            ..RecordFlags::default()
        },
        start_index: 21,
        ..KwaveOptions::default()
    };
    run(&case_file(case, "input"), &output, &options).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let reference = hdf5::File::open(case_file(case, "output")).unwrap();
    let p = series(&out, "p");
    let full = series(&reference, "p");
    assert_eq!(p.dim(), (6, 60));
    let expected = full.slice(ndarray::s![.., 20..]).to_owned();
    let err = relative_l2(
        p.as_slice().unwrap(),
        expected.as_standard_layout().as_slice().unwrap(),
    );
    println!("-s 21: p relative L2 = {err:.2e}");
    assert!(err <= TOLERANCE);
    let max: Vec<f32> = expected
        .rows()
        .into_iter()
        .map(|r| r.fold(f32::MIN, |a, &b| a.max(b)))
        .collect();
    let min: Vec<f32> = expected
        .rows()
        .into_iter()
        .map(|r| r.fold(f32::MAX, |a, &b| a.min(b)))
        .collect();
    let rms: Vec<f32> = expected
        .rows()
        .into_iter()
        .map(|r| (r.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / 60.0).sqrt() as f32)
        .collect();
    for (name, want) in [("p_max", &max), ("p_min", &min), ("p_rms", &rms)] {
        assert_eq!(out.dataset(name).unwrap().shape(), vec![1, 1, 6]);
        let err = relative_l2(&read_f32(&out, name), want);
        println!("-s 21: {name} relative L2 = {err:.2e}");
        assert!(err <= TOLERANCE, "{name}: {err:e}");
    }
    // The signed minimum over the late samples is negative where the full-run one is p0.
    assert_eq!(read_u64(&out, "t_index"), vec![80]);
    assert_eq!(read_u64(&out, "Nt"), vec![80]);
}

/// u_max, u_min, u_rms and u_final in 2-D agree with the recorded velocity series, which
/// agree with k-Wave's; and -s beyond Nt is refused.
#[test]
fn velocity_statistics_and_final_fields_2d() {
    let case = "homogeneous_2d";
    let dir = temp_dir("velocity-2d");
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        record: RecordFlags {
            u_raw: true,
            u_max: true,
            u_min: true,
            u_rms: true,
            u_final: true,
            p_final: true,
            ..RecordFlags::default()
        },
        ..KwaveOptions::default()
    };
    run(&case_file(case, "input"), &output, &options).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let reference = hdf5::File::open(case_file(case, "output")).unwrap();
    let names: BTreeSet<String> = out.member_names().unwrap().into_iter().collect();
    for name in [
        "ux", "uy", "ux_max", "uy_max", "ux_min", "uy_min", "ux_rms", "uy_rms", "ux_final",
        "uy_final", "p_final",
    ] {
        assert!(names.contains(name), "{name} missing");
    }
    for name in [
        "uz",
        "uz_max",
        "uz_final",
        "p",
        "dz",
        "pml_z_size",
        "pml_z_alpha",
        "uz_source_flag",
    ] {
        assert!(!names.contains(name), "{name} must not be written in 2-D");
    }
    let input = KwaveInput::read(&case_file(case, "input")).unwrap();
    let points = input.sensor_points();
    for axis in ["x", "y"] {
        let u = series(&out, &format!("u{axis}"));
        let err = relative_l2(
            u.as_slice().unwrap(),
            series(&reference, &format!("u{axis}")).as_slice().unwrap(),
        );
        println!("2-D: u{axis} relative L2 = {err:.2e}");
        assert!(err <= TOLERANCE);
        let max: Vec<f32> = u
            .rows()
            .into_iter()
            .map(|r| r.fold(f32::MIN, |a, &b| a.max(b)))
            .collect();
        let min: Vec<f32> = u
            .rows()
            .into_iter()
            .map(|r| r.fold(f32::MAX, |a, &b| a.min(b)))
            .collect();
        let rms: Vec<f32> = u
            .rows()
            .into_iter()
            .map(|r| {
                (r.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / r.len() as f64).sqrt() as f32
            })
            .collect();
        assert_eq!(read_f32(&out, &format!("u{axis}_max")), max);
        assert_eq!(read_f32(&out, &format!("u{axis}_min")), min);
        let err = relative_l2(&read_f32(&out, &format!("u{axis}_rms")), &rms);
        assert!(err < 1e-6, "u{axis}_rms {err:e}");
        // The last velocity sample is the final field at the sensor points.
        let final_field = read_f32(&out, &format!("u{axis}_final"));
        assert_eq!(
            out.dataset(&format!("u{axis}_final")).unwrap().shape(),
            vec![1, 128, 128]
        );
        let last: Vec<f32> = points.iter().map(|&i| final_field[i]).collect();
        assert_eq!(last, u.column(u.ncols() - 1).to_vec());
    }
    let err = relative_l2(&read_f32(&out, "p_final"), &read_f32(&reference, "p_final"));
    assert!(err <= TOLERANCE);

    let late = KwaveOptions {
        start_index: 151,
        ..options
    };
    let message = invalid_message(run(&case_file(case, "input"), &dir.join("late.h5"), &late));
    assert!(message.contains("-s 151"), "{message}");
    assert!(!dir.join("late.h5").exists());
}

/// No flag records p_raw (the binary's default); --copy_sensor_mask adds the mask and its
/// type to the names of the reference output.
#[test]
fn default_flag_and_copy_sensor_mask() {
    let case = "tone_burst_source_3d";
    let dir = temp_dir("copy-mask");
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        copy_sensor_mask: true,
        compression_level: 4,
        benchmark_steps: Some(120),
        ..KwaveOptions::default()
    };
    run(&case_file(case, "input"), &output, &options).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let input = hdf5::File::open(case_file(case, "input")).unwrap();
    let reference = hdf5::File::open(case_file(case, "output")).unwrap();
    let names: BTreeSet<String> = out.member_names().unwrap().into_iter().collect();
    let mut expected: BTreeSet<String> = reference.member_names().unwrap().into_iter().collect();
    for gone in ["ux", "uy", "uz", "p_max"] {
        expected.remove(gone);
    }
    expected.insert("sensor_mask_index".into());
    expected.insert("sensor_mask_type".into());
    assert_eq!(names, expected);
    assert_eq!(
        read_u64(&out, "sensor_mask_index"),
        read_u64(&input, "sensor_mask_index")
    );
    assert_eq!(
        out.dataset("sensor_mask_index").unwrap().shape(),
        vec![1, 1, 196]
    );
    assert_eq!(
        text_attr(&out.dataset("sensor_mask_index").unwrap(), "data_type"),
        "long"
    );
    assert_eq!(read_u64(&out, "sensor_mask_type"), vec![0]);
    // --benchmark 120: 120 steps, the first 120 samples of the full run (the pulse has
    // arrived; before it the samples are 1e-3 of the peak and their relative error larger).
    assert_eq!(read_u64(&out, "Nt"), vec![120]);
    let p = out.dataset("p").unwrap();
    assert_eq!(p.shape(), vec![1, 120, 196]);
    assert_eq!(p.filters(), vec![hdf5::filters::Filter::Deflate(4)]);
    let full = series(&reference, "p");
    let expected = full.slice(ndarray::s![.., ..120]).to_owned();
    let err = relative_l2(
        series(&out, "p").as_slice().unwrap(),
        expected.as_standard_layout().as_slice().unwrap(),
    );
    println!("--benchmark 120: p relative L2 = {err:.2e}");
    assert!(err <= TOLERANCE);
}

/// A sensor of cuboid corners: one group per quantity with a dataset per cuboid, (Nt, nz,
/// ny, nx) for time series and (nz, ny, nx) for statistics; the traces at points shared
/// with the index sensor match k-Wave's.
#[test]
fn cuboid_corners_sensor_3d() {
    let case = "homogeneous_3d";
    let dir = temp_dir("corners-3d");
    // 1-based (x1, y1, z1, x2, y2, z2) per cuboid. Cuboid 1 holds reference sensor 2,
    // (22, 24, 24) 0-based, at its offset 2; cuboid 2 holds sensor 5, (14, 16, 33), at
    // offset 0 + 1 * (1 + 3 * 1) = 4.
    let corners: [u64; 12] = [21, 25, 25, 23, 25, 25, 15, 16, 33, 15, 18, 34];
    let input = modified_input(case, &dir, |f| {
        f.unlink("sensor_mask_index").unwrap();
        set_u64(f, "sensor_mask_type", 1);
        set_u64s(f, "sensor_mask_corners", &[1, 2, 6], &corners);
    });
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        record: RecordFlags {
            p_raw: true,
            p_max: true,
            p_final: true,
            ..RecordFlags::default()
        },
        copy_sensor_mask: true,
        ..KwaveOptions::default()
    };
    run(&input, &output, &options).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let reference = hdf5::File::open(case_file(case, "output")).unwrap();
    let reference_p = series(&reference, "p");
    let p_final = read_f32(&out, "p_final");
    let group = out.group("p").unwrap();
    assert_eq!(group.member_names().unwrap(), vec!["1", "2"]);
    let maxima = out.group("p_max").unwrap();
    for (c, (dims, offset, sensor, corner)) in [
        (vec![80, 1, 1, 3], 2, 2, [20, 24, 24]),
        (vec![80, 2, 3, 1], 4, 5, [14, 15, 32]),
    ]
    .into_iter()
    .enumerate()
    {
        let ds = group.dataset(&(c + 1).to_string()).unwrap();
        assert_eq!(ds.shape(), dims);
        assert_eq!(
            ds.chunk(),
            Some([1].into_iter().chain(dims[1..].iter().copied()).collect())
        );
        assert_eq!(text_attr(&ds, "data_type"), "float");
        let values = ds.read_raw::<f32>().unwrap();
        let m: usize = dims[1..].iter().product();
        let trace: Vec<f32> = (0..80).map(|t| values[t * m + offset]).collect();
        let err = relative_l2(&trace, &reference_p.row(sensor).to_vec());
        println!("corners: cuboid {} trace relative L2 = {err:.2e}", c + 1);
        assert!(err <= TOLERANCE);
        // The last sample of every cuboid point is p_final there.
        let [nx, ny] = [dims[3], dims[2]];
        for k in 0..m {
            let (x, y, z) = (
                corner[0] + k % nx,
                corner[1] + (k / nx) % ny,
                corner[2] + k / (nx * ny),
            );
            assert_eq!(values[79 * m + k], p_final[x + 48 * (y + 48 * z)]);
        }
        let max = maxima.dataset(&(c + 1).to_string()).unwrap();
        assert_eq!(max.shape(), dims[1..].to_vec());
        let want: Vec<f32> = (0..m)
            .map(|k| (0..80).map(|t| values[t * m + k]).fold(f32::MIN, f32::max))
            .collect();
        assert_eq!(max.read_raw::<f32>().unwrap(), want);
    }
    assert_eq!(read_u64(&out, "sensor_mask_type"), vec![1]);
    assert_eq!(read_u64(&out, "sensor_mask_corners"), corners.to_vec());
    assert_eq!(
        out.dataset("sensor_mask_corners").unwrap().shape(),
        vec![1, 2, 6]
    );
}

/// Cuboid corners on a 2-D grid (z corners 1, 1): datasets (Nt, 1, ny, nx).
#[test]
fn cuboid_corners_sensor_2d() {
    let case = "homogeneous_2d";
    let dir = temp_dir("corners-2d");
    // Reference sensor 1 is (59, 69) 0-based: inside x 58..=60, y 68..=70 at offset 4.
    let input = modified_input(case, &dir, |f| {
        f.unlink("sensor_mask_index").unwrap();
        set_u64(f, "sensor_mask_type", 1);
        set_u64s(
            f,
            "sensor_mask_corners",
            &[1, 1, 6],
            &[59, 69, 1, 61, 71, 1],
        );
    });
    let output = dir.join("out.h5");
    run(&input, &output, &KwaveOptions::default()).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let ds = out.dataset("p/1").unwrap();
    assert_eq!(ds.shape(), vec![150, 1, 3, 3]);
    let values = ds.read_raw::<f32>().unwrap();
    let trace: Vec<f32> = (0..150).map(|t| values[t * 9 + 4]).collect();
    let reference = hdf5::File::open(case_file(case, "output")).unwrap();
    let err = relative_l2(&trace, &series(&reference, "p").row(1).to_vec());
    println!("corners 2-D: trace relative L2 = {err:.2e}");
    assert!(err <= TOLERANCE);
}

/// One signal per source point (p_source_many = 1) with the same values as the single
/// signal gives k-Wave's result; the output repeats p_source_many / p_source_mode.
#[test]
fn per_point_pressure_source_matches_the_shared_signal() {
    let case = "tone_burst_source_3d";
    let dir = temp_dir("source-many");
    let input = modified_input(case, &dir, |f| {
        let signal = read_f32(f, "p_source_input");
        let n = read_u64(f, "p_source_index").len();
        let many: Vec<f32> = signal
            .iter()
            .flat_map(|&v| std::iter::repeat_n(v, n))
            .collect();
        set_f32s(f, "p_source_input", &[1, signal.len(), n], &many);
        set_u64(f, "p_source_many", 1);
    });
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        record: RecordFlags {
            p_raw: true,
            ..RecordFlags::default()
        },
        ..KwaveOptions::default()
    };
    run(&input, &output, &options).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let reference = hdf5::File::open(case_file(case, "output")).unwrap();
    let err = relative_l2(&read_f32(&out, "p"), &read_f32(&reference, "p"));
    println!("p_source_many = 1: p relative L2 = {err:.2e}");
    assert!(err <= TOLERANCE);
    assert_eq!(read_u64(&out, "p_source_many"), vec![1]);
    assert_eq!(read_u64(&out, "p_source_mode"), vec![2]);
}

/// A velocity source (ux, additive) runs, and the output repeats the u source scalars.
#[test]
fn velocity_source_runs_and_is_repeated_in_the_output() {
    let case = "homogeneous_3d";
    let dir = temp_dir("velocity-source");
    let input = modified_input(case, &dir, |f| {
        set_u64(f, "p0_source_flag", 0);
        f.unlink("p0_source_input").unwrap();
        let signal: Vec<f32> = (0..20).map(|n| (n as f32 * 0.6).sin() * 1e-3).collect();
        set_u64(f, "ux_source_flag", signal.len() as u64);
        set_f32s(f, "ux_source_input", &[1, signal.len(), 1], &signal);
        set_u64s(
            f,
            "u_source_index",
            &[1, 1, 2],
            &[1 + 24 + 48 * (24 + 48 * 24), 2 + 24 + 48 * (24 + 48 * 24)],
        );
        set_u64(f, "u_source_many", 0);
        set_u64(f, "u_source_mode", 2);
    });
    let output = dir.join("out.h5");
    run(&input, &output, &KwaveOptions::default()).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    assert_eq!(read_u64(&out, "ux_source_flag"), vec![20]);
    assert_eq!(read_u64(&out, "u_source_many"), vec![0]);
    assert_eq!(read_u64(&out, "u_source_mode"), vec![2]);
    let p = read_f32(&out, "p");
    assert!(p.iter().all(|v| v.is_finite()) && p.iter().any(|&v| v != 0.0));
}

/// The whole-grid running extremes, read at the sensor points, are the extremes of the
/// recorded series there (the same float values, so exactly), and cover the whole grid.
#[test]
fn whole_grid_extremes_match_the_sensor_series() {
    let dir = temp_dir("whole-grid-extremes");
    let input = case_file("tone_burst_source_3d", "input");
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        record: RecordFlags {
            p_raw: true,
            u_raw: true,
            p_max_all: true,
            p_min_all: true,
            u_max_all: true,
            u_min_all: true,
            ..RecordFlags::default()
        },
        start_index: 40,
        ..KwaveOptions::default()
    };
    run(&input, &output, &options).unwrap();
    let inp = hdf5::File::open(&input).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let sensors: Vec<usize> = inp
        .dataset("sensor_mask_index")
        .unwrap()
        .read_raw::<u64>()
        .unwrap()
        .iter()
        .map(|&i| i as usize - 1)
        .collect();
    let n = sensors.len();
    for (series, max_name, min_name) in [
        ("p", "p_max_all", "p_min_all"),
        ("ux", "ux_max_all", "ux_min_all"),
        ("uy", "uy_max_all", "uy_min_all"),
        ("uz", "uz_max_all", "uz_min_all"),
    ] {
        let trace = read_f32(&out, series);
        assert_eq!(out.dataset(max_name).unwrap().shape(), vec![48, 48, 48]);
        let (max, min) = (read_f32(&out, max_name), read_f32(&out, min_name));
        for (j, &point) in sensors.iter().enumerate() {
            let values = trace.iter().skip(j).step_by(n);
            let hi = values.clone().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            let lo = values.fold(f32::INFINITY, |a, &b| a.min(b));
            assert_eq!(max[point], hi, "{max_name} at sensor {j}");
            assert_eq!(min[point], lo, "{min_name} at sensor {j}");
        }
        assert!(max.iter().zip(&min).all(|(a, b)| a >= b));
        assert!(
            max.iter().filter(|&&v| v > 0.0).count() > 10 * n,
            "{max_name} covers the grid"
        );
    }
}

/// The last non-staggered sample equals the spectral half-cell shift of u_final along the
/// component's axis, evaluated here by a direct DFT (k-Wave's shift, Nyquist at -pi/d).
#[test]
fn non_staggered_velocity_is_the_spectral_shift_of_the_field() {
    let dir = temp_dir("non-staggered");
    let input = case_file("homogeneous_3d", "input");
    let output = dir.join("out.h5");
    let options = KwaveOptions {
        record: RecordFlags {
            u_non_staggered_raw: true,
            u_final: true,
            ..RecordFlags::default()
        },
        ..KwaveOptions::default()
    };
    run(&input, &output, &options).unwrap();
    let inp = hdf5::File::open(&input).unwrap();
    let out = hdf5::File::open(&output).unwrap();
    let sensors: Vec<usize> = inp
        .dataset("sensor_mask_index")
        .unwrap()
        .read_raw::<u64>()
        .unwrap()
        .iter()
        .map(|&i| i as usize - 1)
        .collect();
    let (n, ns) = (48usize, sensors.len());
    let strides = [1, n, n * n];
    for (axis, name) in ["x", "y", "z"].iter().enumerate() {
        let series = read_f32(&out, &format!("u{name}_non_staggered"));
        assert_eq!(series.len(), 80 * ns);
        let field = read_f32(&out, &format!("u{name}_final"));
        let scale = field.iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64;
        for (j, &point) in sensors.iter().enumerate() {
            let position = (point / strides[axis]) % n;
            let start = point - position * strides[axis];
            let line: Vec<f64> = (0..n)
                .map(|i| field[start + i * strides[axis]] as f64)
                .collect();
            let mut expected = 0.0;
            for m in 0..n {
                let signed = if m < n / 2 {
                    m as f64
                } else {
                    m as f64 - n as f64
                };
                let k = 2.0 * std::f64::consts::PI * signed / n as f64; // per grid step
                let (mut re, mut im) = (0.0, 0.0);
                for (x, v) in line.iter().enumerate() {
                    re += v * (k * x as f64).cos();
                    im -= v * (k * x as f64).sin();
                }
                let phase = k * (position as f64 - 0.5);
                expected += (re * phase.cos() - im * phase.sin()) / n as f64;
            }
            let got = series[79 * ns + j] as f64;
            assert!(
                (got - expected).abs() <= 2e-5 * scale,
                "u{name} sensor {j}: {got} vs {expected}"
            );
        }
    }
}

#[test]
fn invalid_options_are_refused_by_name() {
    let dir = temp_dir("invalid-options");
    let input = case_file("homogeneous_3d", "input");
    let bad = KwaveOptions {
        compression_level: 10,
        ..KwaveOptions::default()
    };
    assert!(invalid_message(run(&input, &dir.join("out.h5"), &bad)).contains("-c"));
}

/// Stokes absorption (absorbing_flag 2) in a homogeneous medium is power-law absorption with
/// y = 2: eta vanishes (tan pi = 0) and |k|^0 only drops the k = 0 term of rho0 div u, which
/// a spectral divergence does not have. The two runs agree to float32 rounding.
#[test]
fn stokes_absorption_equals_power_law_with_y_2_in_a_homogeneous_medium() {
    let dir = temp_dir("stokes");
    let mut traces = Vec::new();
    for flag in [1u64, 2] {
        let sub = dir.join(flag.to_string());
        std::fs::create_dir_all(&sub).unwrap();
        let input = modified_input("homogeneous_3d", &sub, move |f| {
            set_u64(f, "absorbing_flag", flag);
            set_f32s(f, "alpha_power", &[1, 1, 1], &[2.0]);
            set_f32s(f, "alpha_coeff", &[1, 1, 1], &[2.0]);
        });
        let output = sub.join("out.h5");
        run(&input, &output, &KwaveOptions::default()).unwrap();
        traces.push(read_f32(&hdf5::File::open(&output).unwrap(), "p"));
    }
    let lossless = read_f32(
        &hdf5::File::open(case_file("homogeneous_3d", "output")).unwrap(),
        "p",
    );
    let l2 = |a: &[f32], b: &[f32]| {
        let num: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
        let den: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
        (num / den).sqrt()
    };
    let stokes_vs_power = l2(&traces[1], &traces[0]);
    let absorbed_vs_lossless = l2(&traces[1], &lossless);
    println!("stokes vs power law y=2: {stokes_vs_power:e}; vs lossless: {absorbed_vs_lossless:e}");
    assert!(stokes_vs_power < 1e-5);
    assert!(absorbed_vs_lossless > 1e-3, "the absorption must act");
}

/// Edits a copy of an input file.
type Edit = Box<dyn Fn(&hdf5::File)>;

#[test]
fn unsupported_input_features_are_refused_by_name() {
    let dir = temp_dir("unsupported-input");
    let cases: [(&str, &str, Edit); 5] = [
        (
            "homogeneous_3d",
            "transducer_source_flag",
            Box::new(|f| set_u64(f, "transducer_source_flag", 10)),
        ),
        (
            "homogeneous_3d",
            "nonuniform_grid_flag",
            Box::new(|f| set_u64(f, "nonuniform_grid_flag", 1)),
        ),
        (
            "homogeneous_3d",
            "elastic_flag",
            Box::new(|f| set_u64(f, "elastic_flag", 1)),
        ),
        (
            "homogeneous_3d",
            "sxx_source_flag",
            Box::new(|f| set_u64(f, "sxx_source_flag", 5)),
        ),
        (
            "homogeneous_2d",
            "axisymmetric_flag",
            Box::new(|f| set_u64(f, "axisymmetric_flag", 1)),
        ),
    ];
    for (i, (case, needle, edit)) in cases.iter().enumerate() {
        let sub = dir.join(i.to_string());
        std::fs::create_dir_all(&sub).unwrap();
        let input = modified_input(case, &sub, edit);
        let output = sub.join("out.h5");
        let message = unsupported_message(run(&input, &output, &KwaveOptions::default()));
        println!("{message}");
        assert!(message.contains(needle), "{message}");
        assert!(!output.exists());
    }
    // An axisymmetric flag on a 3-D file is ignored, as by the binary.
    let sub = dir.join("axisymmetric-3d");
    std::fs::create_dir_all(&sub).unwrap();
    let input = modified_input("homogeneous_3d", &sub, |f| {
        set_u64(f, "axisymmetric_flag", 1)
    });
    let parsed = KwaveInput::read(&input).unwrap();
    assert_eq!(parsed.axisymmetric_flag, 0);
    // Scalar power-law absorption (absorbing_flag = 1) and nonlinearity with B/A = 0 (still
    // nonlinear in k-Wave) are read into the solver's medium.
    let sub = dir.join("power-law");
    std::fs::create_dir_all(&sub).unwrap();
    let input = modified_input("homogeneous_3d", &sub, |f| {
        set_u64(f, "absorbing_flag", 1);
        set_f32s(f, "alpha_power", &[1, 1, 1], &[1.5]);
        set_f32s(f, "alpha_coeff", &[1, 1, 1], &[0.5]);
        set_u64(f, "nonlinear_flag", 1);
        set_f32s(f, "BonA", &[1, 1, 1], &[0.0]);
    });
    let sim = KwaveInput::read(&input)
        .unwrap()
        .to_simulation(&KwaveOptions::default())
        .unwrap();
    let absorption = sim.medium.absorption.expect("absorbing");
    assert_eq!(absorption.alpha_power, 1.5);
    assert_eq!(
        sim.medium.nonlinearity,
        Some(ferrowave_solvers::acoustic::Property::Uniform(0.0))
    );
    run(&input, &sub.join("out.h5"), &KwaveOptions::default()).unwrap();
}

#[test]
fn invalid_inputs_name_the_problem() {
    let dir = temp_dir("invalid-input");
    let cases: [(&str, Edit); 5] = [
        (
            "dataset c_ref is missing",
            Box::new(|f| f.unlink("c_ref").unwrap()),
        ),
        (
            "sensor_mask_index[0] = 0",
            Box::new(|f| set_u64s(f, "sensor_mask_index", &[1, 1, 2], &[0, 5])),
        ),
        (
            "file_type",
            Box::new(|f| {
                f.delete_attr("file_type").unwrap();
            }),
        ),
        (
            "alpha_power = 1",
            Box::new(|f| {
                set_u64(f, "absorbing_flag", 1);
                set_f32s(f, "alpha_power", &[1, 1, 1], &[1.0]);
                set_f32s(f, "alpha_coeff", &[1, 1, 1], &[0.5]);
            }),
        ),
        (
            "dataset c0 has dims [2, 2, 2]",
            Box::new(|f| set_f32s(f, "c0", &[2, 2, 2], &[1500.0; 8])),
        ),
    ];
    for (i, (needle, edit)) in cases.iter().enumerate() {
        let sub = dir.join(i.to_string());
        std::fs::create_dir_all(&sub).unwrap();
        let input = modified_input("homogeneous_3d", &sub, edit);
        let message = invalid_message(run(&input, &sub.join("out.h5"), &KwaveOptions::default()));
        println!("{message}");
        assert!(message.contains(needle), "{message}");
    }
    // A missing input file.
    let err = run(
        &dir.join("nope.h5"),
        &dir.join("out.h5"),
        &KwaveOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.is_input_error() && err.to_string().contains("nope.h5"),
        "{err}"
    );
}

/// A failed run leaves an existing output untouched; a finished one replaces it.
#[test]
fn output_is_replaced_only_by_a_complete_file() {
    let dir = temp_dir("replace");
    let output = dir.join("nested").join("out.h5");
    std::fs::create_dir_all(output.parent().unwrap()).unwrap();
    std::fs::write(&output, b"old").unwrap();
    let bad = KwaveOptions {
        start_index: 1000,
        ..KwaveOptions::default()
    };
    assert!(run(&case_file("homogeneous_3d", "input"), &output, &bad).is_err());
    assert_eq!(std::fs::read(&output).unwrap(), b"old");
    let fresh = dir.join("new").join("deeper").join("out.h5");
    run(
        &case_file("homogeneous_3d", "input"),
        &fresh,
        &KwaveOptions {
            benchmark_steps: Some(3),
            ..KwaveOptions::default()
        },
    )
    .unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(fresh.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("out.h5")]);
}

/// Moving the arrays into the simulation gives the same simulation as copying them.
#[test]
fn into_simulation_equals_to_simulation() {
    let dir = temp_dir("into-simulation");
    let velocity = modified_input("homogeneous_2d", &dir, |f| {
        let signal: Vec<f32> = (0..30).map(|n| n as f32 * 1e-6).collect();
        set_u64(f, "uy_source_flag", 30);
        set_f32s(f, "uy_source_input", &[1, 30, 1], &signal);
        set_u64s(f, "u_source_index", &[1, 1, 1], &[4000]);
        set_u64(f, "u_source_many", 0);
        set_u64(f, "u_source_mode", 1);
    });
    let inputs = [
        case_file("layered_absorbing_3d", "input"),
        case_file("tone_burst_source_3d", "input"),
        velocity,
    ];
    for path in inputs {
        let input = KwaveInput::read(&path).unwrap();
        let options = KwaveOptions::default();
        let copied = input.to_simulation(&options).unwrap();
        let (moved, light) = input.clone().into_simulation(&options).unwrap();
        assert!(copied == moved, "{}", path.display());
        assert_eq!(light.sensor, input.sensor);
        assert_eq!(light.p0_source_flag, input.p0_source_flag);
    }
}
