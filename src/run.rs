//! `ferrowave run SCENE.toml`: run a scene and write its result file.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use ferrowave_kernels::DeviceKind;
use ferrowave_scenes::results::temporary_path;
use ferrowave_scenes::{load_scene, write_result, Scene};
use ferrowave_solvers::acoustic::Plan;

use crate::failure::Failure;
use crate::format::{bytes, duration, num};
use crate::progress::StepProgress;
use crate::report::{self, line};

/// Where the result goes: `-o`, else the scene's `[output] path`, else the scene file with
/// the extension `.h5`.
pub fn output_path(scene_path: &Path, scene: &Scene, output: Option<&Path>) -> PathBuf {
    match (output, &scene.output) {
        (Some(o), _) => o.to_path_buf(),
        (None, Some(o)) => o.clone(),
        (None, None) => scene_path.with_extension("h5"),
    }
}

/// Fails early, before a long run, if the result cannot be written where it should go.
fn check_writable(out: &Path, scene_path: &Path) -> Result<(), Failure> {
    if out == scene_path
        || (out.exists() && out.canonicalize().ok() == scene_path.canonicalize().ok())
    {
        return Err(Failure::input(anyhow!(
            "the result file {} would overwrite the scene file; choose another with -o",
            out.display()
        )));
    }
    if out.is_dir() {
        return Err(Failure::input(anyhow!(
            "the result path {} is a directory; give a file name such as {}",
            out.display(),
            out.join("result.h5").display()
        )));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the output directory {}", parent.display()))
            .map_err(Failure::runtime)?;
    }
    let probe = temporary_path(out);
    std::fs::File::create(&probe)
        .with_context(|| format!("cannot write the result file {}", out.display()))
        .map_err(Failure::runtime)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

pub fn run(
    scene_path: &Path,
    output: Option<&Path>,
    threads: usize,
    quiet: bool,
    device: DeviceKind,
) -> Result<(), Failure> {
    let scene = load_scene(scene_path)?;
    let out = output_path(scene_path, &scene, output);
    let plan = Plan::new(&scene.simulation, threads)?;
    let summary = plan.summary().clone();

    println!(
        "{}",
        line(
            "scene",
            format!("{} ({})", scene.name, scene_path.display())
        )
    );
    println!("{}", line("grid", report::grid(&summary)));
    println!("{}", line("time", report::time(&summary)));
    println!(
        "{}",
        line("records", report::recorded(&scene.simulation.sensor.record))
    );
    for (label, text) in report::device_memory(&plan, device) {
        println!("{}", line(label, text));
    }
    println!("{}", line("output", out.display().to_string()));

    plan.check_memory_on(device).map_err(|e| {
        let limit = match std::env::var("FERROWAVE_MEMORY_LIMIT_MIB") {
            Ok(v) => format!(" (the limit FERROWAVE_MEMORY_LIMIT_MIB={v} is set)"),
            Err(_) => String::new(),
        };
        Failure::runtime(anyhow!("{e}{limit}"))
            .context(format!("refusing to run {}", scene_path.display()))
    })?;
    check_writable(&out, scene_path)?;

    let grid = scene.simulation.grid.clone();
    let points: Vec<[usize; 3]> = scene
        .simulation
        .sensor
        .points
        .iter()
        .map(|&i| grid.coords(i))
        .collect();

    let mut progress = StepProgress::new(summary.steps, quiet);
    let outcome = plan.run_on(device, &mut progress);
    progress.finish();
    drop(progress);
    let (data, stats) = outcome.map_err(|e| {
        Failure::from(e).context(format!("the run of {} failed", scene_path.display()))
    })?;

    println!(
        "{}",
        line(
            "done",
            format!(
                "{} steps in {} ({} ms/step, {} steps/s) on {}",
                stats.steps,
                duration(stats.wall_seconds),
                num(stats.wall_seconds * 1e3 / stats.steps.max(1) as f64),
                num(stats.steps as f64 / stats.wall_seconds.max(1e-9)),
                match device {
                    DeviceKind::Cpu => format!("{} threads", stats.threads),
                    gpu => format!("the {gpu} device"),
                }
            )
        )
    );
    for (i, peak) in report::peaks(&data, &grid, &points).iter().enumerate() {
        println!("{}", line(if i == 0 { "peak" } else { "" }, peak));
    }

    write_result(
        &out,
        &scene.name,
        &scene.text,
        &summary,
        &stats,
        &data,
        &points,
    )
    .map_err(Failure::runtime)?;
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}",
        line(
            "wrote",
            format!(
                "{} ({}): {}",
                out.display(),
                bytes(size),
                report::written(
                    &data,
                    report::covers_grid(&scene).then_some(summary.shape.as_slice())
                )
            )
        )
    );
    Ok(())
}
