use thiserror::Error;

#[derive(Debug, Error)]
pub enum SolverError {
    /// The simulation description is inconsistent; the text names the field.
    #[error("invalid simulation: {0}")]
    InvalidInput(String),
    #[error(
        "the run needs about {needed_mib:.0} MiB but only {available_mib:.0} MiB are available; \
         reduce the grid, the recorded quantities or the number of threads"
    )]
    OutOfMemory { needed_mib: f64, available_mib: f64 },
    #[error("the run is unstable and was stopped at step {step}: {reason}")]
    Unstable { step: usize, reason: String },
    #[error(transparent)]
    Device(#[from] ferrowave_kernels::DeviceError),
    #[error("could not start {threads} worker threads: {reason}")]
    Threads { threads: usize, reason: String },
}

pub(crate) fn invalid(message: impl Into<String>) -> SolverError {
    SolverError::InvalidInput(message.into())
}
