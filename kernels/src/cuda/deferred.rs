//! The first failure of the time loop's calls, which return nothing (`spectral`, `fused`,
//! `axis_pass`, ...): kept, and returned by the next read-back, so a failed launch stops the
//! run with its reason.

use crate::device::DeviceError;

#[derive(Debug, Default)]
pub struct DeferredError(Option<DeviceError>);

impl DeferredError {
    /// Whether no call has failed yet (later calls are skipped once one has).
    pub fn is_clear(&self) -> bool {
        self.0.is_none()
    }

    /// Keeps the error of `result` unless an earlier one is kept.
    pub fn keep(&mut self, result: Result<(), DeviceError>) {
        if let (Err(e), None) = (result, &self.0) {
            self.0 = Some(e);
        }
    }

    /// The kept error, if any.
    pub fn check(&self) -> Result<(), DeviceError> {
        self.0.clone().map_or(Ok(()), Err)
    }
}
