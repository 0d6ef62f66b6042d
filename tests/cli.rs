//! The `ferrowave` binary on tiny scenes: check, run, info, and its errors and exit codes.
//!
//! These tests only start the binary; they never open HDF5 files in this process (HDF5 keeps
//! files open without close-on-exec, and a child started meanwhile would inherit their
//! locks).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TINY: &str = r#"# A tiny 2D scene for the CLI tests.
name = "tiny"

[grid]
shape = [32, 32]
spacing_m = 1e-4

[time]
steps = 30

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
points_m = [[-5e-4, 0.0], [0.0, 0.0], [5e-4, 5e-4]]
record = ["p", "p_max", "p_final"]
"#;

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn scene(dir: &Path, file: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

fn ferrowave(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferrowave"));
    cmd.args(args).env_remove("FERROWAVE_MEMORY_LIMIT_MIB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the ferrowave binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code, stdout, stderr.
fn outcome(o: &Output) -> (Option<i32>, String, String) {
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

fn path_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn no_temporaries(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp-"), "temporary file left: {name}");
    }
}

#[test]
fn check_prints_the_time_axis_and_memory() {
    let dir = temp_dir("check");
    let s = scene(&dir, "tiny.toml", TINY);
    let (code, out, err) = outcome(&ferrowave(&["check", path_arg(&s)], &[]));
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    for phrase in [
        "tiny",
        "valid",
        "32 x 32 points (2D)",
        "spacing 100 µm",
        "size 3.2 mm x 3.2 mm",
        "sound speed 1500 m/s",
        "dt = 20 ns",
        "Nt = 30 steps",
        "end time 580 ns",
        "CFL = 0.3",
        "6 x 6 points each side",
        "initial pressure on",
        "3 points, recording from step 0",
        "p, p_max, p_final",
        "step       mixed-domain (homogeneous, linear)",
        "fits",
        "tiny.h5",
    ] {
        assert!(out.contains(phrase), "missing {phrase:?} in\n{out}");
    }
    assert!(!dir.join("tiny.h5").exists(), "check runs nothing");
}

#[test]
fn run_writes_the_result_and_info_describes_it() {
    let dir = temp_dir("run");
    let s = scene(&dir, "tiny.toml", TINY);
    let (code, out, err) = outcome(&ferrowave(&["run", path_arg(&s), "--threads", "1"], &[]));
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let result = dir.join("tiny.h5");
    assert!(result.is_file(), "no result next to the scene:\n{out}");
    no_temporaries(&dir);
    for phrase in [
        "dt = 20 ns",
        "memory",
        "30 steps in",
        "ms/step",
        "on 1 threads",
        "max p = ",
        "wrote",
        "p (3, 30), p_max (3), p_final (32, 32)",
    ] {
        assert!(out.contains(phrase), "missing {phrase:?} in\n{out}");
    }
    // Not a terminal: progress comes as lines on stderr.
    assert!(err.contains("step 30/30 (100 %)"), "stderr:\n{err}");

    let (code, info, err) = outcome(&ferrowave(&["info", path_arg(&result)], &[]));
    assert_eq!(code, Some(0), "{err}");
    for phrase in [
        "ferrowave ",
        "32 x 32 points (2D)",
        "dt = 2e-8 s, Nt = 30 steps",
        "scene        tiny",
        "p_final",
        "(32, 32)",
        "sensor_indices",
    ] {
        assert!(info.contains(phrase), "missing {phrase:?} in\n{info}");
    }
    let p_max = info
        .lines()
        .find(|l| l.trim_start().starts_with("p_max "))
        .unwrap_or_else(|| panic!("no p_max line in\n{info}"));
    assert!(p_max.contains("(3)") && p_max.contains("Pa"), "{p_max}");
}

#[test]
fn output_option_and_output_table() {
    let dir = temp_dir("output");
    // [output] path is relative to the scene's directory.
    let with_output = format!("{TINY}\n[output]\npath = \"results/from_scene.h5\"\n");
    let s = scene(&dir, "tiny.toml", &with_output);
    let (code, out, err) = outcome(&ferrowave(&["run", "-q", path_arg(&s)], &[]));
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert!(dir.join("results/from_scene.h5").is_file());
    assert!(!err.contains("step "), "-q shows no progress:\n{err}");
    // -o wins over [output].
    let o = dir.join("deeper/dir/explicit.h5");
    let (code, _, err) = outcome(&ferrowave(
        &["run", "-q", path_arg(&s), "-o", path_arg(&o)],
        &[],
    ));
    assert_eq!(code, Some(0), "{err}");
    assert!(o.is_file());
    no_temporaries(&dir.join("deeper/dir"));
    // An existing result is replaced.
    std::fs::write(&o, "old").unwrap();
    let (code, _, err) = outcome(&ferrowave(
        &["run", "-q", path_arg(&s), "-o", path_arg(&o)],
        &[],
    ));
    assert_eq!(code, Some(0), "{err}");
    assert!(std::fs::metadata(&o).unwrap().len() > 1000);
}

#[test]
fn a_typo_in_the_scene_exits_2_with_its_line() {
    let dir = temp_dir("typo");
    let broken = TINY.replace("density_kg_m3", "densty_kg_m3");
    let line = broken
        .lines()
        .position(|l| l.starts_with("densty_kg_m3"))
        .unwrap()
        + 1;
    let s = scene(&dir, "broken.toml", &broken);
    for command in ["check", "run"] {
        let (code, out, err) = outcome(&ferrowave(&[command, path_arg(&s)], &[]));
        assert_eq!(code, Some(2), "{command}: stdout:\n{out}\nstderr:\n{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&format!("line {line}")), "{err}");
        assert!(err.contains("densty_kg_m3"), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
    assert!(!dir.join("broken.h5").exists());
}

#[test]
fn an_invalid_simulation_exits_2() {
    let dir = temp_dir("invalid");
    // A PML of 16 points each side leaves nothing of a 32-point axis.
    let s = scene(&dir, "thick.toml", &TINY.replace("size = 6", "size = 16"));
    let (code, _, err) = outcome(&ferrowave(&["check", path_arg(&s)], &[]));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("error: ") && err.contains("PML"), "{err}");
}

#[test]
fn a_scene_too_big_for_memory_is_refused_before_running() {
    let dir = temp_dir("memory");
    let big = TINY.replace("shape = [32, 32]", "shape = [512, 512]");
    let s = scene(&dir, "big.toml", &big);
    let limit = [("FERROWAVE_MEMORY_LIMIT_MIB", "1")];
    let (code, out, err) = outcome(&ferrowave(&["run", path_arg(&s)], &limit));
    assert!(
        code.is_some() && code != Some(0),
        "stdout:\n{out}\nstderr:\n{err}"
    );
    assert_eq!(code, Some(1));
    assert!(err.starts_with("error: ") && err.contains("MiB"), "{err}");
    assert!(!err.contains("step "), "it started running:\n{err}");
    assert!(!dir.join("big.h5").exists());
    no_temporaries(&dir);
    // check says so, and still exits 0: the scene is valid.
    let (code, out, err) = outcome(&ferrowave(&["check", path_arg(&s)], &limit));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("does NOT fit"), "{out}");
}

#[test]
fn missing_files_exit_2() {
    let dir = temp_dir("missing");
    let (code, _, err) = outcome(&ferrowave(&["run", path_arg(&dir.join("none.toml"))], &[]));
    assert_eq!(code, Some(2));
    assert!(err.contains("none.toml"), "{err}");
    assert_eq!(
        err.matches("os error").count(),
        1,
        "cause shown once: {err}"
    );
    let (code, _, err) = outcome(&ferrowave(&["info", path_arg(&dir.join("none.h5"))], &[]));
    assert_eq!(code, Some(2));
    assert!(err.contains("none.h5"), "{err}");
    let s = scene(&dir, "tiny.toml", TINY);
    let (code, _, err) = outcome(&ferrowave(&["info", path_arg(&s)], &[]));
    assert_eq!(code, Some(2));
    assert!(err.contains("not an HDF5 file"), "{err}");
}

#[test]
fn help_is_helpful() {
    let (code, out, _) = outcome(&ferrowave(&["--help"], &[]));
    assert_eq!(code, Some(0));
    for phrase in ["run", "check", "info", "Examples:", "Exit codes"] {
        assert!(out.contains(phrase), "missing {phrase:?} in\n{out}");
    }
    let (code, out, _) = outcome(&ferrowave(&["run", "--help"], &[]));
    assert_eq!(code, Some(0));
    for phrase in [
        "--threads",
        "0 uses all cores",
        "[output]",
        "--output",
        "FERROWAVE_MEMORY_LIMIT_MIB",
        "temporary name",
    ] {
        assert!(out.contains(phrase), "missing {phrase:?} in\n{out}");
    }
    let (code, _, err) = outcome(&ferrowave(&["run"], &[]));
    assert_eq!(code, Some(2), "usage errors exit 2: {err}");
}

#[test]
fn devices_lists_every_backend_and_why_one_is_not_usable() {
    let (code, out, err) = outcome(&ferrowave(&["devices"], &[]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("cpu") && out.contains("usable"), "{out}");
    for gpu in ["cuda", "wgpu"] {
        assert!(out.contains(gpu), "{gpu} is listed: {out}");
    }
    if !cfg!(feature = "cuda") {
        assert!(out.contains("--features cuda"), "{out}");
    }
}

#[test]
fn a_gpu_run_that_cannot_happen_says_why_and_writes_nothing() {
    let dir = temp_dir("device");
    let path = scene(&dir, "tiny.toml", TINY);
    for device in ["cuda", "wgpu"] {
        let out = dir.join(format!("{device}.h5"));
        let o = ferrowave(
            &[
                "run",
                path_arg(&path),
                "-q",
                "--device",
                device,
                "-o",
                path_arg(&out),
            ],
            &[],
        );
        let (code, stdout, err) = outcome(&o);
        if code == Some(0) {
            // A usable device (a build with the feature on a machine with the device, or
            // wgpu on lavapipe): the run must have written its result.
            assert!(out.is_file(), "{stdout}");
            continue;
        }
        assert_eq!(code, Some(1), "{stdout}{err}");
        assert!(
            err.contains(device) && (err.contains("--features") || err.contains("no usable")),
            "{err}"
        );
        assert!(!out.exists());
        no_temporaries(&dir);
    }
    let o = ferrowave(&["run", path_arg(&path), "--device", "tpu"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("cpu"), "{}", text(&o.stderr));
}
