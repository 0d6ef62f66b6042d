//! `ferrowave generate PROBLEM`: PDE datasets for operator learning, one HDF5 file per run.
//!
//! The options common to every problem live in [`CommonArgs`]; each problem's own options
//! and their mapping onto the solvers' parameter structs live in `problems`.

mod problems;
mod progress;

use std::path::PathBuf;

use clap::Args;
use ferrowave_scenes::datasets::{self, DatasetError};
use ferrowave_solvers::datagen::{GenerateError, Generator};

use crate::failure::Failure;
use crate::format;

pub use problems::Problem;

/// Options every problem takes.
#[derive(Args, Clone, Debug)]
pub struct CommonArgs {
    /// Number of samples (trajectories) to generate
    #[arg(short = 'n', long, value_name = "N")]
    pub samples: usize,
    /// Seed of the random inputs; sample i draws from its own stream of this seed, so the
    /// same seed gives a bit-identical file on any number of threads
    #[arg(long, value_name = "SEED")]
    pub seed: u64,
    /// Dataset file to write (HDF5); written under a temporary name, renamed when complete
    #[arg(short, long, value_name = "DATA.h5")]
    pub output: PathBuf,
    /// Worker threads, one sample each; 0 uses all cores (or RAYON_NUM_THREADS when set)
    #[arg(short = 't', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// No progress display (the header and summary are still printed)
    #[arg(short, long)]
    pub quiet: bool,
}

/// Builds the problem's generator and writes the dataset.
pub fn generate(problem: Problem) -> Result<(), Failure> {
    let (generator, common) = problem.into_generator().map_err(parameter_failure)?;
    run(generator.as_ref(), &common)
}

fn parameter_failure(error: GenerateError) -> Failure {
    match error {
        GenerateError::Parameter { .. } => Failure::input(error),
        GenerateError::Solver(_) => Failure::runtime(error),
    }
}

fn run(generator: &dyn Generator, common: &CommonArgs) -> Result<(), Failure> {
    if common.samples == 0 {
        return Err(Failure::input(anyhow::anyhow!(
            "--samples: at least one sample is needed"
        )));
    }
    if let Some(parent) = common.output.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Failure::runtime(anyhow::anyhow!(
                    "cannot create the directory {}: {e}",
                    parent.display()
                ))
            })?;
        }
    }
    print_header(generator, common);
    let bar = progress::SampleBar::new(common.samples, common.quiet);
    let outcome = datasets::generate_dataset(
        generator,
        &common.output,
        common.samples,
        common.seed,
        common.threads,
        &bar,
    );
    bar.finish();
    let summary = outcome.map_err(|e| match e {
        DatasetError::Sample { .. } | DatasetError::Write { .. } | DatasetError::Memory(_) => {
            Failure::runtime(e)
        }
    })?;
    let seconds: Vec<f64> = summary
        .sample_times
        .iter()
        .map(|t| t.as_secs_f64())
        .collect();
    let mean = seconds.iter().sum::<f64>() / seconds.len() as f64;
    let fastest = seconds.iter().copied().fold(f64::INFINITY, f64::min);
    let slowest = seconds.iter().copied().fold(0.0, f64::max);
    println!(
        "done: {} samples in {} on {} threads ({} per sample wall)",
        summary.samples,
        format::duration(summary.wall.as_secs_f64()),
        summary.threads,
        format::duration(summary.wall.as_secs_f64() / summary.samples as f64),
    );
    println!(
        "per sample (one thread): mean {}, min {}, max {}",
        format::duration(mean),
        format::duration(fastest),
        format::duration(slowest)
    );
    println!(
        "wrote {} ({})",
        common.output.display(),
        format::bytes(summary.file_bytes)
    );
    Ok(())
}

fn print_header(generator: &dyn Generator, common: &CommonArgs) {
    println!("problem: {}", generator.problem());
    println!("samples: {}, seed {}", common.samples, common.seed);
    for array in generator.sample_arrays() {
        let mut shape = vec![common.samples];
        shape.extend(&array.shape);
        println!("  {:<14} {} f32", array.name, format::shape(&shape));
    }
    let threads = if common.threads == 0 {
        rayon::current_num_threads()
    } else {
        common.threads
    };
    println!(
        "memory: {} for {threads} samples in flight; file about {}",
        format::bytes(datasets::memory_estimate(generator, threads)),
        format::bytes(datasets::file_estimate(generator, common.samples))
    );
}
