//! Time-varying sources moved onto the simulation grid and scaled as k-Wave's
//! scaleSourceTerms does, so the update equations add them as density or velocity.

use super::error::{invalid, SolverError};
use super::grid_map::GridMap;
use super::input::{Property, SignalUnits, SourceMode, TimeVaryingSource};
use ferrowave_kernels::setup::{PointSource, SourceInjection};

/// Which field a source drives.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Pressure,
    Velocity(usize),
}

fn injection(mode: SourceMode) -> SourceInjection {
    match mode {
        SourceMode::Dirichlet => SourceInjection::Dirichlet,
        SourceMode::Additive => SourceInjection::Additive,
        SourceMode::AdditiveNoCorrection => SourceInjection::AdditiveNoCorrection,
    }
}

/// Checks a source against the user's grid; `name` is used in messages.
pub fn validate(src: &TimeVaryingSource, points: usize, name: &str) -> Result<(), SolverError> {
    if src.points.is_empty() {
        return Err(invalid(format!("{name}: the source has no points")));
    }
    if let Some(&p) = src.points.iter().find(|&&p| p >= points) {
        return Err(invalid(format!(
            "{name}: source point index {p} is outside the grid of {points} points"
        )));
    }
    let expected = if src.per_point {
        src.length * src.points.len()
    } else {
        src.length
    };
    if src.signals.len() != expected {
        return Err(invalid(format!(
            "{name}: {} signal values given, {expected} expected ({} samples{})",
            src.signals.len(),
            src.length,
            if src.per_point { " per point" } else { "" }
        )));
    }
    if src.signals.iter().any(|v| !v.is_finite()) {
        return Err(invalid(format!(
            "{name}: the signal holds NaN or infinite values"
        )));
    }
    Ok(())
}

/// The scale k-Wave applies to a physical signal at a point of sound speed `c0`.
fn scale(
    target: Target,
    mode: SourceMode,
    c0: f64,
    dt: f64,
    spacing: [f64; 3],
    ndim: usize,
) -> f64 {
    let n = ndim as f64;
    match (target, mode) {
        (Target::Pressure, SourceMode::Dirichlet) => 1.0 / (n * c0 * c0),
        (Target::Pressure, _) => 2.0 * dt / (n * c0 * spacing[0]),
        (Target::Velocity(_), SourceMode::Dirichlet) => 1.0,
        (Target::Velocity(axis), _) => 2.0 * c0 * dt / spacing[axis],
    }
}

pub fn build(
    src: &TimeVaryingSource,
    target: Target,
    map: &GridMap,
    c0: &Property,
    dt: f64,
) -> PointSource {
    let indices: Vec<usize> = src.points.iter().map(|&p| map.to_simulation(p)).collect();
    let ndim = map.user.ndim;
    let spacing = map.user.spacing_m;
    let signals = match src.units {
        SignalUnits::KWaveScaled => src.signals.clone(),
        SignalUnits::Physical if src.per_point => {
            let scales: Vec<f64> = indices
                .iter()
                .map(|&i| scale(target, src.mode, c0.at(i), dt, spacing, ndim))
                .collect();
            src.signals
                .iter()
                .enumerate()
                .map(|(j, &v)| (v as f64 * scales[j % indices.len()]) as f32)
                .collect()
        }
        SignalUnits::Physical => {
            // One signal for all points: k-Wave scales by c0 at the first source point.
            let s = scale(target, src.mode, c0.at(indices[0]), dt, spacing, ndim);
            src.signals.iter().map(|&v| (v as f64 * s) as f32).collect()
        }
    };
    PointSource {
        indices,
        signals,
        per_point: src.per_point,
        length: src.length,
        injection: injection(src.mode),
    }
}
