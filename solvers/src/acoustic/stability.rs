//! Stability: k-Wave's time-step limit before the run, and a watch on the fields during it.

use super::error::SolverError;

/// k-Wave's checkStability for the lossless scheme: unconditionally stable when
/// c_ref >= max(c0); otherwise dt must stay below 2 / (c_ref k_max) asin(c_ref / c_max).
pub fn time_step_limit(c_ref: f64, c_max: f64, spacing: &[f64]) -> Option<f64> {
    if c_ref >= c_max {
        return None;
    }
    let k_max = spacing
        .iter()
        .map(|d| (std::f64::consts::PI / d).powi(2))
        .sum::<f64>()
        .sqrt();
    Some(2.0 / (c_ref * k_max) * (c_ref / c_max).asin())
}

/// Field growth larger than this over the source-free part of a run is not physical.
const RUNAWAY_FACTOR: f32 = 1e4;

/// Watches the field magnitude during a run.
pub struct Watch {
    reference: Option<f32>,
    sources_end: usize,
}

impl Watch {
    /// `sources_end`: first step with no source acting (growth is only judged after it).
    pub fn new(sources_end: usize) -> Self {
        Self {
            reference: None,
            sources_end,
        }
    }

    pub fn check_samples(&self, step: usize, samples: &[f32]) -> Result<(), SolverError> {
        if let Some(j) = samples.iter().position(|v| !v.is_finite()) {
            return Err(SolverError::Unstable {
                step,
                reason: format!(
                    "the pressure at sensor {j} is {} (NaN or infinite)",
                    samples[j]
                ),
            });
        }
        Ok(())
    }

    /// `magnitude`: max |rho| over the grid (non-finite if any value is).
    pub fn check_field(&mut self, step: usize, magnitude: f32) -> Result<(), SolverError> {
        if !magnitude.is_finite() {
            return Err(SolverError::Unstable {
                step,
                reason: "the density field holds NaN or infinite values; the time step is too \
                         large for this medium (lower cfl or dt) or a source is too strong"
                    .into(),
            });
        }
        if step < self.sources_end {
            return Ok(());
        }
        match self.reference {
            None if magnitude > 0.0 => self.reference = Some(magnitude),
            Some(r) if magnitude > RUNAWAY_FACTOR * r => {
                return Err(SolverError::Unstable {
                    step,
                    reason: format!(
                        "the field grew {:.1e} times after the sources stopped (runaway growth); \
                         lower cfl or dt",
                        magnitude / r
                    ),
                })
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_when_c_ref_is_the_maximum() {
        assert!(time_step_limit(1500.0, 1500.0, &[1e-4]).is_none());
        let limit = time_step_limit(1500.0, 3000.0, &[1e-4]).unwrap();
        let expect = 2.0 / (1500.0 * std::f64::consts::PI / 1e-4) * (0.5f64).asin();
        assert!((limit - expect).abs() < 1e-15);
    }

    #[test]
    fn runaway_growth_after_the_sources_is_refused() {
        let mut w = Watch::new(10);
        assert!(w.check_field(5, 1e9).is_ok());
        assert!(w.check_field(10, 1.0).is_ok());
        assert!(w.check_field(20, 100.0).is_ok());
        assert!(w.check_field(30, 1e5).is_err());
        assert!(w.check_field(31, f32::NAN).is_err());
    }
}
