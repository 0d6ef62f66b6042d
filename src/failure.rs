//! Errors the CLI reports, and the exit code each gets.

use ferrowave_scenes::SceneError;
use ferrowave_solvers::acoustic::SolverError;

/// Exit code for input the user must fix: a scene error, an invalid simulation, a missing
/// file. (clap's own usage errors exit with 2 as well.)
pub const EXIT_INPUT: i32 = 2;
/// Exit code for a run that could not be done or failed: not enough memory, an unstable
/// run, an output that cannot be written.
pub const EXIT_RUNTIME: i32 = 1;

/// An error with its exit code.
pub struct Failure {
    pub code: i32,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn input(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: EXIT_INPUT,
            error: error.into(),
        }
    }

    pub fn runtime(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: EXIT_RUNTIME,
            error: error.into(),
        }
    }
}

impl From<SceneError> for Failure {
    fn from(e: SceneError) -> Self {
        Failure::input(e)
    }
}

impl From<SolverError> for Failure {
    fn from(e: SolverError) -> Self {
        match e {
            SolverError::InvalidInput(_) => Failure::input(e),
            _ => Failure::runtime(e),
        }
    }
}

impl Failure {
    /// The same failure with a line of context in front of its message.
    pub fn context(self, context: impl std::fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            code: self.code,
            error: self.error.context(context),
        }
    }
}
