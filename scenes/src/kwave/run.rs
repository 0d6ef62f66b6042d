//! Input file -> solver -> output file, as `kspaceFirstOrder-OMP -i IN -o OUT` does.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ferrowave_solvers::acoustic::{Plan, PlanSummary, Progress, RunStats};

use super::output::{write_output, OutputFacts, Timings};
use super::{KwaveError, KwaveInput, KwaveOptions};

/// What a finished [`run_file`] reports.
#[derive(Clone, Debug)]
pub struct KwaveReport {
    pub input: PathBuf,
    pub output: PathBuf,
    pub summary: PlanSummary,
    pub stats: RunStats,
    pub timings: Timings,
    /// Peak resident memory of the process, MiB.
    pub memory_mib: u64,
}

/// Peak resident memory of this process in MiB (VmHWM), 0 where unknown.
pub fn peak_memory_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb >> 10)
}

/// Reads `input`, runs it with `options` on the CPU and writes `output`.
///
/// `on_plan` is called once the solver's plan is built (before the time loop), e.g. to
/// print the simulation's summary; `progress` receives every step.
pub fn run_file(
    input: &Path,
    output: &Path,
    options: &KwaveOptions,
    on_plan: &mut dyn FnMut(&KwaveInput, &PlanSummary),
    progress: &mut (dyn Progress + Send),
) -> Result<KwaveReport, KwaveError> {
    let started = Instant::now();
    options.validate()?;
    let file = KwaveInput::read(input)?;
    let data_loading_s = started.elapsed().as_secs_f64();

    let pre = Instant::now();
    // The input's arrays move into the simulation, and the simulation is dropped once the
    // plan holds its own copies: a large input is never held three times.
    let (sim, file) = file.into_simulation(options)?;
    let plan = Plan::new(&sim, options.threads)?;
    drop(sim);
    let summary = plan.summary().clone();
    let pre_processing_s = pre.elapsed().as_secs_f64();
    on_plan(&file, &summary);

    let (data, stats) = plan.run_on(options.device, progress)?;
    let memory_mib = peak_memory_mib();
    let facts = OutputFacts {
        threads: stats.threads,
        memory_mib,
        steps: stats.steps,
        started,
        timings: Timings {
            data_loading_s,
            pre_processing_s,
            simulation_s: stats.wall_seconds,
            ..Timings::default()
        },
    };
    let timings = write_output(output, &file, options, &data, &facts)?;
    Ok(KwaveReport {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        summary,
        stats,
        timings,
        memory_mib,
    })
}
