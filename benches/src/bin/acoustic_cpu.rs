//! ms/step of the CPU stepper on the problem: 3D homogeneous water, dx 0.1 mm,
//! lossless, PML 10 inside, CFL 0.3, a smoothed p0 ball and two point sensors.
//!
//! Usage: acoustic_cpu [--threads N] [--steps S] [--split] [--absorbing] [--passes] [SIZE ...]
//! (default sizes 64 128 256; the CPU picks the mixed-domain form for this problem, `--split`
//! forces the split form; `--absorbing` runs the problem in absorbing water (0.5 dB/(MHz^1.5
//! cm)); `--passes` times each pass of a step instead)

use ferrowave_benches::{homogeneous_absorbing, problem, Timer};
use ferrowave_solvers::acoustic::*;
use std::time::Instant;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut threads = 2;
    let mut steps = None;
    let mut sizes = Vec::new();
    let mut passes = false;
    let mut split = false;
    let mut absorbing = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--threads N")
            }
            "--steps" => steps = args.next().and_then(|v| v.parse().ok()),
            "--passes" => passes = true,
            "--split" => split = true,
            "--absorbing" => absorbing = true,
            s => sizes.push(s.parse::<usize>().expect("grid size")),
        }
    }
    if sizes.is_empty() {
        sizes = vec![64, 128, 256];
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!("ferrowave CPU stepper, {threads} threads, {cpu}");
    if passes {
        for n in sizes {
            println!("{n}³, {threads} threads, time per operation:");
            if split {
                time_passes(n, threads, steps.unwrap_or(10));
            } else {
                time_axis_passes(n, threads, steps.unwrap_or(10));
            }
        }
        return;
    }
    println!(
        "{:>6} {:>7} {:>11} {:>14} {:>14}",
        "grid", "steps", "ms/step", "est. MiB", "peak RSS MiB"
    );
    for &n in &sizes {
        let steps = steps.unwrap_or(if n >= 256 {
            20
        } else if n >= 128 {
            40
        } else {
            100
        });
        let warmup = 3;
        let sim = if absorbing {
            homogeneous_absorbing(n, steps + warmup)
        } else {
            problem(n, steps + warmup)
        };
        let mut plan = Plan::new(&sim, threads).expect("plan");
        if split {
            plan.force_split_form();
        }
        if n == sizes[0] {
            let medium = if absorbing {
                "absorbing water (0.5 dB/(MHz^1.5 cm))"
            } else {
                "lossless water"
            };
            println!("{medium}, step form: {}", plan.summary().cpu_step);
        }
        let estimate = plan.summary().memory_bytes as f64 / (1024.0 * 1024.0);
        let mut timer = Timer {
            start: None,
            warmup,
        };
        plan.run(&mut timer).expect("run");
        let elapsed = timer.start.expect("timer started").elapsed().as_secs_f64();
        println!(
            "{:>5}³ {:>7} {:>11.2} {:>14.0} {:>14.0}",
            n,
            steps,
            1e3 * elapsed / steps as f64,
            estimate,
            peak_rss_mib()
        );
    }
}

/// Time of each catalogue operation of one lossless step, averaged over `reps` steps.
fn time_passes(n: usize, threads: usize, reps: usize) {
    use ferrowave_kernels::cpu::CpuAcoustic;
    use ferrowave_kernels::{AcousticBackend, SpectralOp, Update};
    let plan = Plan::new(&problem(n, reps + 1), threads).expect("plan");
    let pool = stepper_pool(threads);
    pool.install(|| {
        let mut b = CpuAcoustic::new(plan.setup().clone());
        let axes = [0, 1, 2];
        b.fused(
            Update::InitialPressure {
                whole: Default::default(),
            },
            &[],
            &[0],
        );
        let mut times = [0.0f64; 4];
        for step in 1..=reps {
            let mut clock = Instant::now();
            let mut lap = |slot: usize, clock: &mut Instant| {
                times[slot] += clock.elapsed().as_secs_f64();
                *clock = Instant::now();
            };
            b.spectral(SpectralOp::GradientStaggeredForward, &[0], &axes);
            lap(0, &mut clock);
            b.fused(
                Update::Velocity {
                    step,
                    whole: Default::default(),
                },
                &axes,
                &axes,
            );
            lap(1, &mut clock);
            b.spectral(SpectralOp::DivergenceStaggeredBackward, &axes, &axes);
            lap(2, &mut clock);
            b.fused(
                Update::Density {
                    step,
                    whole: Default::default(),
                },
                &axes,
                &[0],
            );
            lap(3, &mut clock);
        }
        let names = [
            "A line: gradient",
            "B plane: velocity",
            "C line: divergence",
            "D plane: density",
        ];
        for (name, t) in names.iter().zip(times) {
            println!("{name:>20} {:>9.2} ms", 1e3 * t / reps as f64);
        }
    });
}

/// Time of each axis pass of a mixed-domain step, averaged over `reps` steps.
fn time_axis_passes(n: usize, threads: usize, reps: usize) {
    use ferrowave_kernels::cpu::mixed::MixedDomainCpu;
    use ferrowave_kernels::{AxisPass, MixedDomainBackend};
    let plan = Plan::new(&problem(n, reps + 1), threads).expect("plan");
    let pool = stepper_pool(threads);
    pool.install(|| {
        let mut b = MixedDomainCpu::new(plan.setup().clone()).expect("a mixed-domain setup");
        b.transform_initial_pressure();
        for axis in 0..3 {
            b.axis_pass(axis, AxisPass::Initial);
        }
        b.form_pressure(Default::default());
        let mut times = [0.0f64; 4];
        for _ in 0..reps {
            for (axis, time) in times.iter_mut().enumerate() {
                let clock = Instant::now();
                if axis < 3 {
                    b.axis_pass(axis, AxisPass::Step);
                } else {
                    b.form_pressure(Default::default());
                }
                *time += clock.elapsed().as_secs_f64();
            }
        }
        let names = ["x pass", "y pass", "z pass", "sensors"];
        for (name, t) in names.iter().zip(times) {
            println!("{name:>20} {:>9.2} ms", 1e3 * t / reps as f64);
        }
    });
}

/// A pool of `threads` workers set up as the solver sets up its own.
fn stepper_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .start_handler(|_| ferrowave_kernels::cpu::flush_subnormals_to_zero())
        .build()
        .expect("pool")
}
