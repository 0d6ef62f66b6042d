//! Progress of a dataset generation: a bar on a terminal, a line every 10 % in a log file.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use ferrowave_scenes::datasets::SampleProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::format;

enum Mode {
    Bar(ProgressBar),
    /// Plain lines on stderr (not a terminal: a batch job's log).
    Lines {
        next_fraction: f64,
    },
    Quiet,
}

pub struct SampleBar {
    mode: Mutex<Mode>,
    started: Instant,
}

impl SampleBar {
    pub fn new(total: usize, quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:36.cyan/blue}] {pos}/{len} samples  {rate}  ETA {eta}",
            )
            .expect("valid template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{} samples/s", format::num(state.per_sec()));
                },
            )
            .progress_chars("=> ");
            bar.set_style(style);
            Mode::Bar(bar)
        } else {
            Mode::Lines { next_fraction: 0.1 }
        };
        Self {
            mode: Mutex::new(mode),
            started: Instant::now(),
        }
    }

    /// Removes the bar (the closing summary follows).
    pub fn finish(&self) {
        if let Mode::Bar(bar) = &*self.mode.lock().expect("progress lock") {
            bar.finish_and_clear();
        }
    }
}

impl Drop for SampleBar {
    fn drop(&mut self) {
        self.finish();
    }
}

impl SampleProgress for SampleBar {
    fn sample_written(&self, written: usize, total: usize) {
        let mut mode = self.mode.lock().expect("progress lock");
        match &mut *mode {
            Mode::Bar(bar) => bar.set_position(written as u64),
            Mode::Lines { next_fraction } => {
                let fraction = written as f64 / total.max(1) as f64;
                if fraction + 1e-12 >= *next_fraction {
                    while *next_fraction <= fraction + 1e-12 {
                        *next_fraction += 0.1;
                    }
                    let elapsed = self.started.elapsed().as_secs_f64();
                    let rate = written as f64 / elapsed.max(1e-9);
                    let eta = (total - written.min(total)) as f64 / rate;
                    eprintln!(
                        "sample {written}/{total} ({:.0} %), {} samples/s, elapsed {}, ETA {}",
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
