//! `ferrowave generate` through the binary: files, reproducibility, info, and input errors.
//!
//! Like tests/cli.rs, these only start the binary and compare file bytes; they never open
//! HDF5 files in this process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-generate-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ferrowave(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferrowave"))
        .args(args)
        .env_remove("FERROWAVE_MEMORY_LIMIT_MIB")
        .output()
        .expect("the ferrowave binary starts")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn generate(problem: &str, options: &[&str], out: &Path, threads: &str) -> Output {
    let mut args = vec!["generate", problem];
    args.extend_from_slice(options);
    args.extend_from_slice(&["--threads", threads, "--quiet", "-o"]);
    args.push(out.to_str().unwrap());
    ferrowave(&args)
}

/// Small but real settings of every problem: (name, options).
const PROBLEMS: &[(&str, &[&str])] = &[
    (
        "darcy",
        &[
            "--samples",
            "3",
            "--seed",
            "4",
            "--resolution",
            "17",
            "--solve-resolution",
            "33",
        ],
    ),
    (
        "navier-stokes",
        &[
            "--samples",
            "2",
            "--seed",
            "4",
            "--resolution",
            "16",
            "--solve-resolution",
            "32",
            "--final-time",
            "1",
            "--dt",
            "1e-3",
        ],
    ),
    (
        "burgers",
        &[
            "--samples",
            "3",
            "--seed",
            "4",
            "--resolution",
            "64",
            "--solve-resolution",
            "256",
            "--dt",
            "1e-3",
        ],
    ),
    (
        "helmholtz",
        &[
            "--samples",
            "2",
            "--seed",
            "4",
            "--resolution",
            "51",
            "--angular-frequency",
            "300",
        ],
    ),
];

#[test]
fn every_problem_writes_a_file_info_describes_and_the_same_seed_repeats_it() {
    let dir = temp_dir("all");
    for (problem, options) in PROBLEMS {
        let one = dir.join(format!("{problem}-1.h5"));
        let two = dir.join(format!("{problem}-2.h5"));
        let first = generate(problem, options, &one, "1");
        assert!(first.status.success(), "{problem}: {}", stderr(&first));
        assert!(stdout(&first).contains("done:"), "{}", stdout(&first));
        let second = generate(problem, options, &two, "2");
        assert!(second.status.success(), "{problem}: {}", stderr(&second));
        assert_eq!(
            std::fs::read(&one).unwrap(),
            std::fs::read(&two).unwrap(),
            "{problem}: one and two threads wrote different files"
        );
        let info = ferrowave(&["info", one.to_str().unwrap()]);
        assert!(info.status.success(), "{}", stderr(&info));
        let text = stdout(&info);
        assert!(text.contains(&format!("problem      {problem}")), "{text}");
        assert!(text.contains("seed         4"), "{text}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn another_seed_gives_other_samples() {
    let dir = temp_dir("seeds");
    let (a, b) = (dir.join("a.h5"), dir.join("b.h5"));
    let base = [
        "--samples",
        "2",
        "--resolution",
        "17",
        "--solve-resolution",
        "17",
    ];
    let mut with_seed = base.to_vec();
    with_seed.extend_from_slice(&["--seed", "1"]);
    assert!(generate("darcy", &with_seed, &a, "1").status.success());
    let last = with_seed.len() - 1;
    with_seed[last] = "2";
    assert!(generate("darcy", &with_seed, &b, "1").status.success());
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn bad_parameters_exit_2_naming_the_option_and_write_nothing() {
    let dir = temp_dir("bad");
    let out = dir.join("bad.h5");
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "darcy",
            &[
                "--samples",
                "1",
                "--seed",
                "1",
                "--resolution",
                "20",
                "--solve-resolution",
                "33",
            ],
            "--resolution",
        ),
        (
            "navier-stokes",
            &["--samples", "1", "--seed", "1", "--viscosity=-1"],
            "--viscosity",
        ),
        (
            "darcy",
            &[
                "--samples",
                "0",
                "--seed",
                "1",
                "--resolution",
                "17",
                "--solve-resolution",
                "17",
            ],
            "--samples",
        ),
    ];
    for (problem, options, named) in cases {
        let o = generate(problem, options, &out, "1");
        assert_eq!(
            o.status.code(),
            Some(2),
            "{problem} {options:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(named),
            "{named} not named in: {}",
            stderr(&o)
        );
        assert!(!out.exists());
    }
}

#[test]
fn generate_help_lists_the_problems_and_their_defaults() {
    let o = ferrowave(&["generate", "--help"]);
    let text = stdout(&o);
    for problem in [
        "darcy",
        "navier-stokes",
        "burgers",
        "helmholtz",
        "cavity",
        "cylinder",
    ] {
        assert!(text.contains(problem), "{problem} missing from:\n{text}");
    }
    let o = ferrowave(&["generate", "darcy", "--help"]);
    let text = stdout(&o);
    assert!(text.contains("[default: 85]"), "{text}");
    assert!(text.contains("--solve-resolution"), "{text}");
}
