//! Dataset generators for operator learning (FNO, MgNO, NeuralStagger benchmarks).
//!
//! A generator turns a seeded random stream into one sample: the input fields it drew and the
//! solution it computed. It is plain data and pure computation; the HDF5 file, the progress
//! bar and the parallel loop over samples live in ferrowave-scenes (`datasets`) and the CLI.
//!
//! Reproducibility: sample `i` of a run with seed `s` draws from `sample_rng(s, i)` only, so
//! a file is bit-identical whatever the thread count or the order samples finish in.

pub mod burgers;
pub mod cavity;
pub mod cylinder;
pub mod darcy;
pub mod helmholtz;
pub mod navier_stokes;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random stream of one sample.
pub type SampleRng = ChaCha8Rng;

/// The stream of sample `index` of a dataset generated with `seed`: ChaCha8 keyed by the seed,
/// one stream per sample.
pub fn sample_rng(seed: u64, index: u64) -> SampleRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// A value stored as an HDF5 attribute of the dataset file.
#[derive(Clone, Debug, PartialEq)]
pub enum Attribute {
    Int(i64),
    Float(f64),
    Floats(Vec<f64>),
    Text(String),
}

/// A per-sample array: its name in the file and its shape without the sample axis (empty for
/// a per-sample scalar, stored as an (N,) array).
#[derive(Clone, Debug, PartialEq)]
pub struct SampleArray {
    pub name: &'static str,
    pub shape: Vec<usize>,
}

/// An array written once per file (coordinates, time axis, forcing), stored as f64.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedArray {
    pub name: &'static str,
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

/// Why a generator could not be configured or a sample could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A parameter is out of range; `name` is the command-line option.
    #[error("--{name}: {reason}")]
    Parameter { name: &'static str, reason: String },
    /// The solver failed on a sample (no convergence, blow-up).
    #[error("{0}")]
    Solver(String),
}

/// One PDE dataset: how a sample is drawn and solved, and what the file holds.
pub trait Generator: Sync {
    /// The problem's name as the CLI spells it (`darcy`, `navier-stokes`, ...).
    fn problem(&self) -> &'static str;

    /// Every parameter that defines the data, stored as file attributes (the seed and the
    /// sample count are added by the writer).
    fn attributes(&self) -> Vec<(&'static str, Attribute)>;

    /// The arrays each sample produces, in the order `generate` returns them.
    fn sample_arrays(&self) -> Vec<SampleArray>;

    /// Arrays common to all samples.
    fn shared_arrays(&self) -> Vec<SharedArray>;

    /// Peak working memory of one sample being generated, in bytes (solver buffers included,
    /// output arrays included), for the memory check before a run.
    fn working_bytes(&self) -> usize;

    /// Draws and solves one sample; returns its arrays in `sample_arrays` order, each with
    /// as many values as its shape holds.
    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError>;
}

/// A [`GenerateError::Parameter`] naming the CLI option.
pub fn parameter_error(name: &'static str, reason: impl Into<String>) -> GenerateError {
    GenerateError::Parameter {
        name,
        reason: reason.into(),
    }
}

/// Checks that `value` (the option `name`) is finite and positive.
pub fn require_positive(name: &'static str, value: f64) -> Result<(), GenerateError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(parameter_error(
            name,
            format!("must be positive, got {value}"),
        ))
    }
}

/// The solve grid of a periodic problem stored at `resolution` points a side: the given one,
/// which must be a multiple of the resolution (the stored grid keeps every (S/R)-th point),
/// or the smallest multiple of the resolution that is at least `default_min`.
pub fn periodic_solve_resolution(
    resolution: usize,
    solve_resolution: Option<usize>,
    default_min: usize,
) -> Result<usize, GenerateError> {
    if resolution < 4 {
        return Err(parameter_error(
            "resolution",
            format!("must be at least 4, got {resolution}"),
        ));
    }
    match solve_resolution {
        Some(s) if s < resolution || !s.is_multiple_of(resolution) => Err(parameter_error(
            "solve-resolution",
            format!("must be a multiple of the resolution {resolution}, got {s}"),
        )),
        Some(s) => Ok(s),
        None => Ok(default_min.div_ceil(resolution) * resolution),
    }
}

/// Values as f32, for storage.
pub fn to_f32(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}

/// Every `step`-th node of a row-major (n, n) grid, in both axes: (n-1)/step + 1 nodes a side.
/// This is how FNO's datasets subsample a 421² solve to 211², 141², 106², 85², ...
pub fn subsample_2d(values: &[f64], n: usize, step: usize) -> Vec<f64> {
    assert_eq!(values.len(), n * n);
    let kept: Vec<usize> = (0..n).step_by(step).collect();
    let mut out = Vec::with_capacity(kept.len() * kept.len());
    for &i in &kept {
        for &j in &kept {
            out.push(values[i * n + j]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn sample_streams_are_reproducible_and_distinct() {
        let a: u64 = sample_rng(7, 3).random();
        let b: u64 = sample_rng(7, 3).random();
        let c: u64 = sample_rng(7, 4).random();
        let d: u64 = sample_rng(8, 3).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn subsampling_keeps_every_step_th_node_and_both_ends() {
        let n = 9;
        let values: Vec<f64> = (0..n * n).map(|v| v as f64).collect();
        let out = subsample_2d(&values, n, 4);
        assert_eq!(out, [0.0, 4.0, 8.0, 36.0, 40.0, 44.0, 72.0, 76.0, 80.0]);
    }
}
