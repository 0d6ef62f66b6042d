//! `ferrowave kwave`: kspaceFirstOrder-OMP v1.3's command line on ferrowave's solver.
//!
//! `ferrowave kwave -i INPUT.h5 -o OUTPUT.h5 [options]` reads a k-Wave input file (as k-Wave
//! MATLAB's 'SaveToDisk' or k-wave-python's save_to_disk write it), runs it on the CPU (or
//! a GPU with `--device`) and writes the output file the binary would write. The same program answers to the name
//! `kspaceFirstOrder-OMP` (see [`invoked_as_alias`]), so k-Wave and k-wave-python can call
//! it in place of the binary. docs/kwave.md lists the options and what is supported.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser as _;
use ferrowave_kernels::DeviceKind;
use ferrowave_scenes::kwave::{
    run_file, KwaveError, KwaveInput, KwaveOptions, RecordFlags, KWAVE_BINARY,
};
use ferrowave_solvers::acoustic::{PlanSummary, Progress};

/// The executable name k-Wave and k-wave-python call.
pub const ALIAS: &str = "kspaceFirstOrder-OMP";

const AFTER_HELP: &str = "\
Examples:
  ferrowave kwave -i input.h5 -o output.h5
  ferrowave kwave -i input.h5 -o output.h5 -t 8 --p_raw --p_max --u_final -s 100
  kspaceFirstOrder-OMP -i input.h5 -o output.h5 --p_rms   (the same, through the alias)

With no recording flag, --p_raw is recorded (as kspaceFirstOrder-OMP does).
Not supported yet: checkpointing; inputs with a transducer source,
an axisymmetric or non-uniform grid. These are refused with an error naming them.
Exit codes: 0 success; 2 the input or the options need fixing; 1 the run failed.
See docs/kwave.md.";

/// Run a k-Wave input file (kspaceFirstOrder-OMP v1.3 compatible) and write its output file
#[derive(clap::Args, Debug, Clone)]
#[command(after_help = AFTER_HELP)]
pub struct KwaveArgs {
    /// Input file (HDF5, k-Wave input format 1.0 .. 1.2)
    #[arg(short = 'i', value_name = "INPUT.h5")]
    pub input: PathBuf,
    /// Output file (HDF5); written under a temporary name and renamed when complete
    #[arg(short = 'o', value_name = "OUTPUT.h5")]
    pub output: PathBuf,
    /// Number of threads [default: OMP_NUM_THREADS when set, else all cores]
    #[arg(short = 't', value_name = "THREADS", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Progress print interval in percent of the simulation
    #[arg(short = 'r', value_name = "PERCENT", default_value_t = 5,
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub progress_interval: u8,
    /// Deflate compression level of the recorded datasets
    #[arg(short = 'c', value_name = "LEVEL", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=9))]
    pub compression_level: u8,
    /// Run only this many time steps (the file's Nt otherwise)
    #[arg(long = "benchmark", value_name = "STEPS", value_parser = clap::value_parser!(u64).range(1..))]
    pub benchmark: Option<u64>,
    /// Output detail: 0 basic, 1 advanced (medium, sources, sensor), 2 full
    #[arg(long = "verbose", value_name = "LEVEL", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub verbose: u8,
    /// Backend that runs the simulation (`ferrowave devices` lists what is usable here)
    #[arg(long = "device", value_enum, default_value_t)]
    pub device: crate::devices::DeviceArg,
    /// Copy the sensor mask (and its type) into the output file
    #[arg(long = "copy_sensor_mask")]
    pub copy_sensor_mask: bool,
    /// First time step recorded, 1-based (earlier steps are neither stored nor reduced)
    #[arg(short = 's', value_name = "INDEX", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub start_index: u64,

    /// Record the pressure time series at the sensor (the default)
    #[arg(short = 'p', long = "p_raw", help_heading = "Recorded quantities")]
    pub p_raw: bool,
    /// Record the RMS pressure at the sensor
    #[arg(long = "p_rms", help_heading = "Recorded quantities")]
    pub p_rms: bool,
    /// Record the maximum pressure at the sensor
    #[arg(long = "p_max", help_heading = "Recorded quantities")]
    pub p_max: bool,
    /// Record the minimum pressure at the sensor
    #[arg(long = "p_min", help_heading = "Recorded quantities")]
    pub p_min: bool,
    /// Record the maximum pressure over the whole grid
    #[arg(long = "p_max_all", help_heading = "Recorded quantities")]
    pub p_max_all: bool,
    /// Record the minimum pressure over the whole grid
    #[arg(long = "p_min_all", help_heading = "Recorded quantities")]
    pub p_min_all: bool,
    /// Record the pressure over the whole grid after the last step
    #[arg(long = "p_final", help_heading = "Recorded quantities")]
    pub p_final: bool,
    /// Record the velocity time series at the sensor (staggered grids)
    #[arg(short = 'u', long = "u_raw", help_heading = "Recorded quantities")]
    pub u_raw: bool,
    /// Record the velocity moved to the non-staggered grid (ux_non_staggered, ...)
    #[arg(long = "u_non_staggered_raw", help_heading = "Recorded quantities")]
    pub u_non_staggered_raw: bool,
    /// Record the RMS velocity at the sensor
    #[arg(long = "u_rms", help_heading = "Recorded quantities")]
    pub u_rms: bool,
    /// Record the maximum velocity at the sensor
    #[arg(long = "u_max", help_heading = "Recorded quantities")]
    pub u_max: bool,
    /// Record the minimum velocity at the sensor
    #[arg(long = "u_min", help_heading = "Recorded quantities")]
    pub u_min: bool,
    /// Record the maximum velocity over the whole grid
    #[arg(long = "u_max_all", help_heading = "Recorded quantities")]
    pub u_max_all: bool,
    /// Record the minimum velocity over the whole grid
    #[arg(long = "u_min_all", help_heading = "Recorded quantities")]
    pub u_min_all: bool,
    /// Record the velocity over the whole grid after the last step
    #[arg(long = "u_final", help_heading = "Recorded quantities")]
    pub u_final: bool,

    /// Checkpoint file (checkpoint-restart is not supported)
    #[arg(long = "checkpoint_file", value_name = "FILE", hide = true)]
    pub checkpoint_file: Option<String>,
    /// Checkpoint interval in seconds (not supported)
    #[arg(long = "checkpoint_interval", value_name = "SECONDS", hide = true)]
    pub checkpoint_interval: Option<String>,
    /// Checkpoint after this many time steps (not supported)
    #[arg(long = "checkpoint_timesteps", value_name = "STEPS", hide = true)]
    pub checkpoint_timesteps: Option<String>,
    /// GPU index (kspaceFirstOrder-CUDA's option): 0 with --device cuda, the GPU used
    #[arg(short = 'g', value_name = "DEVICE", hide = true)]
    pub gpu: Option<String>,
}

/// The command line when the program runs as `kspaceFirstOrder-OMP`.
#[derive(clap::Parser, Debug)]
#[command(name = ALIAS, version, about = "k-Wave's kspaceFirstOrder-OMP command line, run by ferrowave")]
pub struct AliasCli {
    #[command(flatten)]
    pub args: KwaveArgs,
}

/// True when the program was started under the name `kspaceFirstOrder-OMP` (argv[0]'s file
/// name, with or without `.exe`), e.g. through the symlink that
/// scripts/install-kwave-alias.sh creates.
pub fn invoked_as_alias() -> bool {
    std::env::args_os()
        .next()
        .as_deref()
        .map(Path::new)
        .and_then(|p| p.file_stem())
        .is_some_and(|stem| stem == ALIAS)
}

/// The whole program when started as `kspaceFirstOrder-OMP`; returns the exit code.
pub fn alias_main() -> i32 {
    let cli = AliasCli::parse();
    match run(cli.args) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("error: {error:#}");
            exit_code(&error)
        }
    }
}

/// 2 for input or options to fix, 1 for a run or a file system that failed.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    match error.downcast_ref::<KwaveError>() {
        Some(e) if !e.is_input_error() => 1,
        Some(_) => 2,
        None => 1,
    }
}

impl KwaveArgs {
    fn record(&self) -> RecordFlags {
        RecordFlags {
            p_raw: self.p_raw,
            p_rms: self.p_rms,
            p_max: self.p_max,
            p_min: self.p_min,
            p_max_all: self.p_max_all,
            p_min_all: self.p_min_all,
            p_final: self.p_final,
            u_raw: self.u_raw,
            u_non_staggered_raw: self.u_non_staggered_raw,
            u_rms: self.u_rms,
            u_max: self.u_max,
            u_min: self.u_min,
            u_max_all: self.u_max_all,
            u_min_all: self.u_min_all,
            u_final: self.u_final,
        }
        .or_default()
    }

    /// The library's options, refusing what cannot be honoured.
    pub fn options(&self) -> Result<KwaveOptions, KwaveError> {
        let device = DeviceKind::from(self.device);
        if let Some(g) = &self.gpu {
            if device != DeviceKind::Cuda || g.trim() != "0" {
                return Err(KwaveError::Unsupported(format!(
                    "-g {g} (kspaceFirstOrder-CUDA's GPU index): ferrowave runs on GPU 0 with \
                     --device cuda (or wgpu); drop -g or use -g 0 with --device cuda"
                )));
            }
        }
        let checkpoint = [
            ("--checkpoint_file", &self.checkpoint_file),
            ("--checkpoint_interval", &self.checkpoint_interval),
            ("--checkpoint_timesteps", &self.checkpoint_timesteps),
        ];
        if let Some((name, _)) = checkpoint.iter().find(|(_, v)| v.is_some()) {
            return Err(KwaveError::Unsupported(format!(
                "{name}: checkpoint-restart is not supported by `ferrowave kwave`; run the \
                 simulation in one go"
            )));
        }
        let threads = match self.threads {
            Some(t) => t as usize,
            None => std::env::var("OMP_NUM_THREADS")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|&t| t > 0)
                .unwrap_or(0),
        };
        let options = KwaveOptions {
            record: self.record(),
            start_index: self.start_index as usize,
            copy_sensor_mask: self.copy_sensor_mask,
            compression_level: self.compression_level,
            threads,
            benchmark_steps: self.benchmark.map(|b| b as usize),
            device,
        };
        options.validate()?;
        Ok(options)
    }
}

/// Runs `ferrowave kwave` with parsed arguments.
pub fn run(args: KwaveArgs) -> anyhow::Result<()> {
    let options = args.options()?;
    let verbose = args.verbose;
    println!(
        "ferrowave {} kwave ({KWAVE_BINARY} compatible)",
        env!("CARGO_PKG_VERSION")
    );
    println!("Input file:   {}", args.input.display());
    println!("Output file:  {}", args.output.display());
    let mut progress = StepProgress::new(args.progress_interval);
    let report = run_file(
        &args.input,
        &args.output,
        &options,
        &mut |input, summary| print_setup(input, summary, &options, verbose),
        &mut progress,
    )
    .map_err(anyhow::Error::from)
    .with_context(|| format!("ferrowave kwave -i {}", args.input.display()))?;
    let t = report.timings;
    println!(
        "Elapsed time: simulation {:.2} s, total {:.2} s",
        t.simulation_s, t.total_s
    );
    if verbose >= 1 {
        println!(
            "  data loading {:.2} s, pre-processing {:.2} s, post-processing {:.2} s",
            t.data_loading_s, t.pre_processing_s, t.post_processing_s
        );
        println!("Peak memory:  {} MB", report.memory_mib);
    }
    println!("Output written: {}", report.output.display());
    Ok(())
}

fn print_setup(input: &KwaveInput, summary: &PlanSummary, options: &KwaveOptions, verbose: u8) {
    let [nx, ny, nz] = input.shape;
    let domain = if input.ndim == 3 {
        format!("{nx} x {ny} x {nz}")
    } else {
        format!("{nx} x {ny}")
    };
    match options.device {
        DeviceKind::Cpu => println!("Threads:      {}", summary.threads),
        gpu => println!("Device:       {gpu}"),
    }
    println!("Domain:       {domain} ({}-D, PML inside)", input.ndim);
    println!(
        "Time steps:   {} of dt = {:.4e} s",
        summary.steps, summary.dt_s
    );
    println!(
        "Recording:    {} from step {}",
        options.record.or_default().list(),
        options.start_index
    );
    println!(
        "Memory:       about {:.0} MB",
        summary.memory_bytes as f64 / (1024.0 * 1024.0)
    );
    if verbose >= 1 {
        println!(
            "Medium:       c0 {:.1} .. {:.1} m/s, c_ref {} m/s, {}{}",
            summary.c_min_m_s,
            summary.c_max_m_s,
            summary.c_ref_m_s,
            if summary.absorbing {
                "power-law absorbing"
            } else {
                "lossless"
            },
            if summary.nonlinear { ", nonlinear" } else { "" }
        );
        let mut sources = Vec::new();
        if input.p0_source_flag == 1 {
            sources.push("p0".to_string());
        }
        if let Some(s) = &input.pressure_source {
            sources.push(format!(
                "p ({} points, {} samples, mode {})",
                s.index.len(),
                s.flag,
                s.mode
            ));
        }
        for (a, s) in input.velocity_sources.iter().enumerate() {
            if let Some(s) = s {
                sources.push(format!(
                    "u{} ({} points, {} samples, mode {})",
                    ["x", "y", "z"][a],
                    s.index.len(),
                    s.flag,
                    s.mode
                ));
            }
        }
        println!(
            "Sources:      {}",
            if sources.is_empty() {
                "none".into()
            } else {
                sources.join(", ")
            }
        );
        println!(
            "Sensor:       {} points ({})",
            summary.sensors,
            match input.sensor.type_value() {
                0 => "index mask",
                _ => "cuboid corners",
            }
        );
        println!(
            "CFL:          {:.3}, PML {:?} points, alpha {:?}",
            summary.cfl, summary.pml_size, summary.pml_alpha
        );
    }
    println!("Simulation progress:");
    let _ = std::io::stdout().flush();
}

/// A line every `interval` percent: percentage, elapsed time, estimated time left, step.
struct StepProgress {
    interval: usize,
    next_percent: usize,
    started: Option<Instant>,
}

impl StepProgress {
    fn new(interval: u8) -> Self {
        Self {
            interval: interval.max(1) as usize,
            next_percent: interval.max(1) as usize,
            started: None,
        }
    }
}

impl Progress for StepProgress {
    fn update(&mut self, done: usize, total: usize) {
        let started = *self.started.get_or_insert_with(Instant::now);
        let percent = done * 100 / total.max(1);
        if percent < self.next_percent && done != total {
            return;
        }
        while self.next_percent <= percent {
            self.next_percent += self.interval;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let left = if done > 0 {
            elapsed * (total - done) as f64 / done as f64
        } else {
            0.0
        };
        println!("  {percent:>3}%   {elapsed:9.3}s   {left:9.3}s   {done}/{total}");
        let _ = std::io::stdout().flush();
    }
}
