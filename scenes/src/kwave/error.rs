//! Errors of the k-Wave file interface.

use std::path::PathBuf;

use ferrowave_solvers::acoustic::SolverError;
use thiserror::Error;

/// Why a k-Wave input could not be read, run or written.
#[derive(Debug, Error)]
pub enum KwaveError {
    /// The input (or an option) asks for something ferrowave does not do. The message names
    /// the dataset, flag or option.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The input file is not a valid k-Wave input, or an option value is invalid.
    #[error("{0}")]
    Invalid(String),
    /// An HDF5 file could not be read or written.
    #[error("{action} {}: {message}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        message: String,
    },
    /// The solver refused the simulation or the run failed.
    #[error(transparent)]
    Solver(#[from] SolverError),
}

impl KwaveError {
    /// True for errors the user fixes in the input or the options (as opposed to a run or
    /// a file system that failed).
    pub fn is_input_error(&self) -> bool {
        match self {
            KwaveError::Unsupported(_) | KwaveError::Invalid(_) => true,
            KwaveError::File { action, .. } => *action == "could not read input file",
            KwaveError::Solver(e) => matches!(e, SolverError::InvalidInput(_)),
        }
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        KwaveError::Unsupported(message.into())
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        KwaveError::Invalid(message.into())
    }
}
