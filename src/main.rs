//! The `ferrowave` command line: check and run scene files, describe result files.
//!
//! Exit codes: 0 success, 2 input to fix (scene or arguments), 1 a run that could not be
//! done or failed (memory, instability, output). docs/cli.md describes the commands.

mod check;
mod devices;
mod failure;
mod format;
mod generate;
mod kwave_cmd;
mod progress;
mod report;
mod run;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use failure::Failure;

const EXAMPLES: &str = "\
Examples:
  ferrowave check examples/homogeneous_2d_p0.toml
  ferrowave run examples/homogeneous_2d_p0.toml
  ferrowave run scene.toml -o results/scene.h5 --threads 8
  ferrowave info examples/homogeneous_2d_p0.h5

Exit codes: 0 success; 2 the scene or the arguments need fixing; 1 the run could not be done
or failed (not enough memory, unstable, output not writable).
Scene files are described in docs/scenes.md, result files in docs/results.md.";

/// Acoustic k-space simulations (k-Wave's scheme) from scene files, with HDF5 results.
#[derive(Parser)]
#[command(name = "ferrowave", version, after_help = EXAMPLES, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scene and write its result file (HDF5)
    #[command(
        long_about = "Runs a scene on the CPU (or a GPU with --device) and writes one HDF5 \
                      result file.\n\n\
                      Prints the grid, time step and memory estimate first, refuses a run that \
                      would not fit in the available memory (before allocating anything), \
                      shows progress (steps, steps/s, ETA) on stderr, and ends with the wall \
                      time, the peak values and the file written. The file is written under a \
                      temporary name and renamed when complete, so an existing result is only \
                      replaced by a complete one.",
        after_help = "Examples:\n  ferrowave run examples/cw_focus_2d.toml\n  \
                      ferrowave run scene.toml -o /scratch/run1.h5 --threads 16\n\n\
                      The memory limit can be lowered with FERROWAVE_MEMORY_LIMIT_MIB=<MiB> \
                      (e.g. on a shared node)."
    )]
    Run(RunArgs),
    /// Run a k-Wave input file like kspaceFirstOrder-OMP v1.3 and write its output file
    Kwave(kwave_cmd::KwaveArgs),
    /// Check a scene without running it: grid, medium, time axis, sources, sensors, memory
    #[command(
        long_about = "Loads a scene and builds the solver's plan without running anything. \
                      Prints the grid (points, spacing, physical size), the sound speed range, \
                      the time step, number of steps and end time, the CFL number, the PML, \
                      the sources, the sensors and what they record, and the estimated memory \
                      and whether it fits on this machine.\n\n\
                      Exits with 0 when the scene is valid (even if it would not fit in \
                      memory here: it may on another machine), 2 with the line and field of \
                      the first error otherwise.",
        after_help = "Example:\n  ferrowave check examples/homogeneous_2d_p0.toml"
    )]
    Check(CheckArgs),
    /// List the devices the acoustic solver can run on (cpu, cuda, wgpu) and why any cannot
    #[command(
        after_help = "Example:\n  ferrowave devices\n\nGPU backends are built with \
                      `cargo build --release --features cuda,wgpu`; see docs/gpu.md."
    )]
    Devices,
    /// Describe a result or dataset file: grid or parameters, and each array's shape and range
    #[command(after_help = "Example:\n  ferrowave info examples/homogeneous_2d_p0.h5")]
    Info(InfoArgs),
    /// Generate a PDE dataset for operator learning (Darcy, Navier–Stokes, Burgers, ...)
    #[command(
        long_about = "Generates a PDE benchmark dataset for neural operators: random inputs \
                      drawn from Gaussian random fields, solved with the papers' \
                      discretisations, samples in parallel (one per thread), written to one \
                      HDF5 file with samples on the first axis and every parameter as an \
                      attribute. The same seed gives a bit-identical file.",
        after_help = "Examples:\n  ferrowave generate darcy --samples 1000 --resolution 85 \
                      --seed 1 -o darcy.h5\n  ferrowave generate navier-stokes --help\n\n\
                      Layouts and definitions: docs/datasets.md."
    )]
    Generate {
        #[command(subcommand)]
        problem: generate::Problem,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Scene file (TOML), see docs/scenes.md
    #[arg(value_name = "SCENE.toml")]
    scene: PathBuf,
    /// Result file to write (HDF5) [default: the scene's [output] path, else the scene's
    /// file name with .h5, next to it]. Missing directories are created; an existing file is
    /// replaced once the new one is complete.
    #[arg(short, long, value_name = "OUT.h5")]
    output: Option<PathBuf>,
    /// Worker threads; 0 uses all cores (or RAYON_NUM_THREADS when set)
    #[arg(short = 't', long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// No progress display (the header and summary are still printed)
    #[arg(short, long)]
    quiet: bool,
    /// Backend that runs the simulation (`ferrowave devices` lists what is usable here)
    #[arg(short, long, value_enum, default_value_t)]
    device: devices::DeviceArg,
}

#[derive(Args)]
struct CheckArgs {
    /// Scene file (TOML), see docs/scenes.md
    #[arg(value_name = "SCENE.toml")]
    scene: PathBuf,
    /// Threads the memory estimate assumes; 0 means all cores
    #[arg(short = 't', long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Backend whose memory is estimated (host and device)
    #[arg(short, long, value_enum, default_value_t)]
    device: devices::DeviceArg,
}

#[derive(Args)]
struct InfoArgs {
    /// Result file (HDF5) written by `ferrowave run`, or a dataset file by `ferrowave generate`
    #[arg(value_name = "RESULT.h5")]
    result: PathBuf,
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "error: internal error (a bug in ferrowave; please report it with the scene): {info}"
        );
    }));
    // Installed under k-Wave's binary name, ferrowave behaves as that binary.
    if kwave_cmd::invoked_as_alias() {
        std::process::exit(kwave_cmd::alias_main());
    }
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(a) => run::run(
            &a.scene,
            a.output.as_deref(),
            a.threads,
            a.quiet,
            a.device.into(),
        ),
        Command::Check(a) => check::check(&a.scene, a.threads, a.device.into()),
        Command::Devices => devices::list(),
        Command::Info(a) => info(&a.result),
        Command::Generate { problem } => generate::generate(problem),
        Command::Kwave(a) => kwave_cmd::run(a).map_err(|error| Failure {
            code: kwave_cmd::exit_code(&error),
            error,
        }),
    };
    if let Err(Failure { code, error }) = outcome {
        eprintln!("error: {}", message(&error));
        std::process::exit(code);
    }
}

/// The error and its causes on one line, leaving out a cause whose text the message before
/// it already shows (some errors print their source themselves).
fn message(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

fn info(path: &std::path::Path) -> Result<(), Failure> {
    if !path.is_file() {
        return Err(Failure::input(anyhow::anyhow!(
            "no result file at {}",
            path.display()
        )));
    }
    let text = if ferrowave_scenes::datasets::is_dataset(path) {
        ferrowave_scenes::datasets::describe_dataset(path)
    } else {
        ferrowave_scenes::describe_result(path)
    }
    .map_err(Failure::input)?;
    print!("{text}");
    Ok(())
}
