//! The GPU steppers on the issues' problem: agreement with the CPU stepper, then ms/step and
//! device memory at 128³, 256³, 384³ (homogeneous, lossless, PML inside: in the mixed-domain
//! form, and in the split form for comparison) and a heterogeneous absorbing 256³ case (split).
//!
//! Usage: acoustic_gpu [--device cuda|wgpu] [--steps S] [--timings-only] [--pass TILExVALUES
//! ...] [SIZE ...] (default: every GPU backend built in, sizes 128 256 384, the heterogeneous
//! case at 256³ or below at the largest size given; `--timings-only` skips the agreement runs and the heterogeneous case, e.g. under a profiler; each `--pass`
//! adds a shape of the mixed-domain passes to a sweep, e.g. `--pass 16x4`, which then times
//! only the mixed-domain form with each shape). Build with `--features cuda,wgpu`;
//! benches/gpu/check.sh runs it as the device check.

use ferrowave_benches::{heterogeneous_absorbing, problem, Timer};
use ferrowave_kernels::device::list_gpus;
use ferrowave_kernels::{DeviceKind, PassTuning, StepForm};
use ferrowave_solvers::acoustic::*;

const WARMUP: usize = 10;

/// The H100's device copy bandwidth as the issue measured it, GB/s.
const COPY_BANDWIDTH_GB_S: f64 = 2950.0;

/// Bytes moved per grid point by one step of the lossless benchmark problem (two sensors), as
/// counted in benches/README.md and the steppers' module docs: the split form's cuFFT share
/// is an estimate (cuFFT's passes are not known), the others are counts.
fn model_bytes_per_point(device: DeviceKind, form: StepForm) -> f64 {
    match (device, form) {
        (DeviceKind::Cuda, StepForm::MixedDomain) => 84.0,
        (DeviceKind::Wgpu, StepForm::MixedDomain) => 88.0,
        (DeviceKind::Cuda, StepForm::Split) => 410.0,
        _ => 450.0,
    }
}

fn relative_l2(a: &[f32], b: &[f32]) -> f64 {
    let (mut d, mut n) = (0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        d += (x as f64 - y as f64).powi(2);
        n += (x as f64).powi(2);
    }
    (d / n.max(f64::MIN_POSITIVE)).sqrt()
}

/// The plan of `sim`, in the split form when `split`.
fn plan(sim: &Simulation, threads: usize, split: bool) -> Result<Plan, SolverError> {
    let mut plan = Plan::new(sim, threads)?;
    if split {
        plan.force_split_form();
    }
    Ok(plan)
}

/// Relative L2 of the sensor pressure of `sim` on `device` against the CPU.
fn agreement(sim: &Simulation, device: DeviceKind, split: bool) -> Result<f64, SolverError> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let cpu = Plan::new(sim, threads)?.run(&mut ())?.0;
    let gpu = plan(sim, threads, split)?.run_on(device, &mut ())?.0;
    let series = |d: &SensorData| d.p.as_ref().expect("p recorded").iter().copied().collect();
    let (a, b): (Vec<f32>, Vec<f32>) = (series(&cpu), series(&gpu));
    Ok(relative_l2(&a, &b))
}

/// (form of the step, ms/step, device MiB allocated, device MiB estimated).
fn time(
    sim: Simulation,
    device: DeviceKind,
    steps: usize,
    split: bool,
    tuning: PassTuning,
) -> Result<(StepForm, f64, f64, f64), SolverError> {
    let mut plan = plan(&sim, 1, split)?;
    plan.set_pass_tuning(tuning);
    let form = plan.step_form(device);
    let estimate = plan.device_bytes(device)? as f64 / (1024.0 * 1024.0);
    let mut timer = Timer {
        start: None,
        warmup: WARMUP,
    };
    let (_, stats) = plan.run_on(device, &mut timer)?;
    let elapsed = timer.start.expect("timer started").elapsed().as_secs_f64();
    Ok((
        form,
        1e3 * elapsed / (steps - WARMUP) as f64,
        stats.bytes_allocated as f64 / (1024.0 * 1024.0),
        estimate,
    ))
}

/// A timed case.
struct Case {
    label: String,
    /// The lossless benchmark problem (else the heterogeneous absorbing one).
    lossless: bool,
    size: usize,
    steps: usize,
    /// Run the split form even where the mixed-domain form applies.
    split: bool,
}

/// Times the mixed-domain form of the lossless problem with each pass shape of `sweep`
/// (`-x-` is the built-in one); false if a run failed.
fn sweep_pass_shapes(
    device: DeviceKind,
    sizes: &[usize],
    steps: Option<usize>,
    sweep: &[PassTuning],
) -> bool {
    println!(
        "{:>6} {:>12} {:>6} {:>9} {:>7} {:>9}",
        "size", "tile x vals", "steps", "ms/step", "GB/s", "× copy"
    );
    let mut all_ran = true;
    for &n in sizes {
        let s = steps.unwrap_or(if n >= 384 { 60 } else { 200 });
        for &tuning in sweep {
            match time(problem(n, s), device, s, false, tuning) {
                Ok((StepForm::MixedDomain, ms, _, _)) => {
                    let gb = model_bytes_per_point(device, StepForm::MixedDomain)
                        * (n * n * n) as f64
                        / 1e9;
                    let rate = gb / (ms / 1e3);
                    println!(
                        "{:>6} {tuning:>12} {:>6} {ms:>9.3} {rate:>7.0} {:>9.2}",
                        format!("{n}³"),
                        s - WARMUP,
                        rate / COPY_BANDWIDTH_GB_S
                    );
                }
                Ok((StepForm::Split, ..)) => {
                    println!("{n}³ {tuning}: ran in the split form; nothing to tune");
                }
                Err(e) => {
                    all_ran = false;
                    println!("{n}³ {tuning}: error: {e}");
                }
            }
        }
    }
    all_ran
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut devices = Vec::new();
    let mut steps = None;
    let mut timings_only = false;
    let mut sizes = Vec::new();
    let mut sweep = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--device" => devices.push(
                args.next()
                    .and_then(|v| v.parse::<DeviceKind>().ok())
                    .expect("--device cuda|wgpu"),
            ),
            "--steps" => steps = args.next().and_then(|v| v.parse::<usize>().ok()),
            "--timings-only" => timings_only = true,
            "--pass" => sweep.push(
                args.next()
                    .expect("--pass TILExVALUES")
                    .parse::<PassTuning>()
                    .unwrap_or_else(|e| panic!("{e}")),
            ),
            s => sizes.push(s.parse::<usize>().expect("grid size")),
        }
    }
    if devices.is_empty() {
        devices = [DeviceKind::Cuda, DeviceKind::Wgpu]
            .into_iter()
            .filter(|d| d.compiled_in())
            .collect();
    }
    if sizes.is_empty() {
        sizes = vec![128, 256, 384];
    }
    let mut failed = false;
    for device in devices {
        let name = match list_gpus(device) {
            Ok(list) if !list.is_empty() => list[0].name.clone(),
            Ok(_) => "no device".to_string(),
            Err(e) => {
                println!("{device}: skipped: {e}");
                continue;
            }
        };
        println!("== {device} on {name}");
        if !sweep.is_empty() {
            failed |= !sweep_pass_shapes(device, &sizes, steps, &sweep);
            continue;
        }
        if !timings_only {
            for (label, sim, split) in [
                ("homogeneous 64³, 120 steps", problem(64, 120), false),
                ("homogeneous 64³, 120 steps, split", problem(64, 120), true),
                (
                    "heterogeneous absorbing 64³, 120 steps",
                    heterogeneous_absorbing(64, 120),
                    true,
                ),
            ] {
                match agreement(&sim, device, split) {
                    Ok(e) => {
                        let verdict = if e <= 1e-5 { "ok" } else { "FAILED" };
                        failed |= e > 1e-5;
                        println!("agreement with the CPU, {label}: relative L2 {e:.2e} ({verdict}, bound 1e-5)");
                    }
                    Err(e) => {
                        failed = true;
                        println!("agreement, {label}: error: {e}");
                    }
                }
            }
        }
        println!(
            "{:>28} {:>12} {:>6} {:>9} {:>12} {:>12} {:>7} {:>9}",
            "case", "form", "steps", "ms/step", "device MiB", "estimate MiB", "GB/s", "× copy"
        );
        let mut cases: Vec<Case> = Vec::new();
        for &n in &sizes {
            let s = steps.unwrap_or(if n >= 384 { 60 } else { 200 });
            for split in [false, true] {
                cases.push(Case {
                    label: format!("homogeneous lossless {n}³"),
                    lossless: true,
                    size: n,
                    steps: s,
                    split,
                });
            }
        }
        let s = steps.unwrap_or(100);
        // 256³, or the largest size asked for when all are smaller (a dry run of the check).
        let size = sizes.iter().copied().max().unwrap_or(256).min(256);
        let heterogeneous = (!timings_only).then_some(Case {
            label: format!("heterogeneous absorbing {size}³"),
            lossless: false,
            size,
            steps: s,
            split: true,
        });
        for case in cases.into_iter().chain(heterogeneous) {
            let Case {
                label,
                lossless,
                size: n,
                steps: s,
                split,
            } = case;
            let sim = if lossless {
                problem(n, s)
            } else {
                heterogeneous_absorbing(n, s)
            };
            match time(sim, device, s, split, PassTuning::default()) {
                Ok((form, ms, mib, estimate)) => {
                    // Achieved bandwidth from the counted bytes (lossless problem only).
                    let (rate, fraction) = if lossless {
                        let gb = model_bytes_per_point(device, form) * (n * n * n) as f64 / 1e9;
                        let rate = gb / (ms / 1e3);
                        (
                            format!("{rate:.0}"),
                            format!("{:.2}", rate / COPY_BANDWIDTH_GB_S),
                        )
                    } else {
                        ("–".into(), "–".into())
                    };
                    println!(
                        "{label:>28} {:>12} {:>6} {ms:>9.3} {mib:>12.0} {estimate:>12.0} \
                         {rate:>7} {fraction:>9}",
                        match form {
                            StepForm::MixedDomain => "mixed-domain",
                            StepForm::Split => "split",
                        },
                        s - WARMUP
                    )
                }
                Err(e) => {
                    failed = true;
                    println!("{label:>28}: error: {e}");
                }
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
