//! Progress of a run: a bar on a terminal, a line every 10 % (or minute) in a log file.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use ferrowave_solvers::acoustic::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::format;

/// Updates are passed on at most this often; the solver calls once per step.
const UPDATE_INTERVAL: Duration = Duration::from_millis(100);
/// In log mode, a line at least this often.
const LINE_INTERVAL: Duration = Duration::from_secs(60);

enum Mode {
    Bar(ProgressBar),
    /// Plain lines on stderr (not a terminal: a batch job's log).
    Lines {
        next_fraction: f64,
        last_line: Instant,
    },
    Quiet,
}

/// Receives the solver's per-step progress and shows it.
pub struct StepProgress {
    mode: Mode,
    started: Instant,
    last_update: Option<Instant>,
}

impl StepProgress {
    pub fn new(total_steps: usize, quiet: bool) -> Self {
        let now = Instant::now();
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(
                Some(total_steps as u64),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:36.cyan/blue}] {pos}/{len} steps  {rate}  ETA {eta}",
            )
            .expect("valid template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{} steps/s", format::num(state.per_sec()));
                },
            )
            .progress_chars("=> ");
            bar.set_style(style);
            Mode::Bar(bar)
        } else {
            Mode::Lines {
                next_fraction: 0.1,
                last_line: now,
            }
        };
        Self {
            mode,
            started: now,
            last_update: None,
        }
    }

    /// Removes the bar (the closing summary follows).
    pub fn finish(&mut self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}

impl Drop for StepProgress {
    fn drop(&mut self) {
        // On an error the bar must not stay above the message.
        self.finish();
    }
}

impl Progress for StepProgress {
    fn update(&mut self, steps_done: usize, steps_total: usize) {
        if matches!(self.mode, Mode::Quiet) {
            return;
        }
        let now = Instant::now();
        let last = steps_done >= steps_total;
        if !last
            && self
                .last_update
                .is_some_and(|t| now.duration_since(t) < UPDATE_INTERVAL)
        {
            return;
        }
        self.last_update = Some(now);
        let elapsed = now.duration_since(self.started).as_secs_f64();
        match &mut self.mode {
            Mode::Bar(bar) => bar.set_position(steps_done as u64),
            Mode::Lines {
                next_fraction,
                last_line,
            } => {
                let fraction = steps_done as f64 / steps_total.max(1) as f64;
                if last
                    || fraction >= *next_fraction
                    || now.duration_since(*last_line) >= LINE_INTERVAL
                {
                    while *next_fraction <= fraction {
                        *next_fraction += 0.1;
                    }
                    *last_line = now;
                    let rate = steps_done as f64 / elapsed.max(1e-9);
                    let eta = (steps_total - steps_done.min(steps_total)) as f64 / rate;
                    eprintln!(
                        "step {steps_done}/{steps_total} ({:.0} %), {} steps/s, elapsed {}, ETA {}",
                        100.0 * fraction,
                        format::num(rate),
                        format::duration(elapsed),
                        format::duration(eta)
                    );
                }
            }
            Mode::Quiet => {}
        }
    }
}
