//! HDF5 dataset files for operator learning: samples of a [`Generator`] stacked along a first
//! sample axis, the arrays every sample shares, and the generator's parameters as attributes.
//!
//! Samples are generated in parallel (rayon) and written in index order as they complete, so
//! memory holds only the samples in flight and the file is the same whatever the thread
//! count: the same seed gives a bit-identical file (no times are stored). The file is written
//! under a temporary name and renamed when complete; on failure the temporary file is removed
//! and an existing file at the final path is left as it was. docs/datasets.md lists the layouts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ferrowave_solvers::datagen::{sample_rng, Attribute, GenerateError, Generator};
use hdf5::types::VarLenUnicode;
use rayon::prelude::*;
use thiserror::Error;

use crate::results::temporary_path;

/// Why a dataset could not be generated or written.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// A sample could not be produced (solver failure); nothing was written at the path.
    #[error("sample {index}: {source}")]
    Sample { index: usize, source: GenerateError },
    /// The file could not be written; nothing was written at the path.
    #[error("could not write dataset file {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
    /// The samples in flight would not fit in memory.
    #[error("{0}")]
    Memory(String),
}

/// What a finished generation did.
#[derive(Clone, Debug)]
pub struct DatasetSummary {
    pub samples: usize,
    pub threads: usize,
    pub wall: Duration,
    /// Compute time of each sample, in index order.
    pub sample_times: Vec<Duration>,
    pub file_bytes: u64,
}

/// Told about each sample as it is written.
pub trait SampleProgress: Sync {
    fn sample_written(&self, written: usize, total: usize);
}

/// A progress sink that shows nothing.
pub struct NoProgress;

impl SampleProgress for NoProgress {
    fn sample_written(&self, _: usize, _: usize) {}
}

/// Bytes one run of `samples` samples on `threads` threads needs at its peak: each thread's
/// working memory plus the finished samples waiting to be written (at most two per thread
/// in the usual case).
pub fn memory_estimate(generator: &dyn Generator, threads: usize) -> u64 {
    (threads * (generator.working_bytes() + 2 * sample_bytes(generator))) as u64
}

/// Bytes of the finished file's data (headers aside).
pub fn file_estimate(generator: &dyn Generator, samples: usize) -> u64 {
    let shared: usize = generator
        .shared_arrays()
        .iter()
        .map(|a| a.data.len() * 8)
        .sum();
    (samples * sample_bytes(generator) + shared) as u64
}

/// Bytes one sample's arrays take as f32.
fn sample_bytes(generator: &dyn Generator) -> usize {
    generator
        .sample_arrays()
        .iter()
        .map(|a| a.shape.iter().product::<usize>() * 4)
        .sum()
}

/// Generates `samples` samples with `seed` on `threads` threads (0: all cores) and writes
/// them to `path`. Refuses a run whose samples in flight would not fit in the memory this
/// machine has available before anything is computed.
pub fn generate_dataset(
    generator: &dyn Generator,
    path: &Path,
    samples: usize,
    seed: u64,
    threads: usize,
    progress: &dyn SampleProgress,
) -> Result<DatasetSummary, DatasetError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| DatasetError::Memory(format!("could not start worker threads: {e}")))?;
    let threads = pool.current_num_threads();
    let needed = memory_estimate(generator, threads);
    if let Some(available) = ferrowave_solvers::acoustic::memory::available_bytes() {
        if needed > available {
            return Err(DatasetError::Memory(format!(
                "{threads} samples in flight need {:.0} MiB, {:.0} MiB are available; use \
                 fewer --threads",
                mib(needed),
                mib(available)
            )));
        }
    }
    let started = Instant::now();
    let temporary = temporary_path(path);
    let outcome =
        write_file(generator, &temporary, path, samples, seed, &pool, progress).and_then(|times| {
            std::fs::rename(&temporary, path)
                .map_err(|e| write_error(path, e))
                .map(|()| times)
        });
    match outcome {
        Ok(sample_times) => Ok(DatasetSummary {
            samples,
            threads,
            wall: started.elapsed(),
            sample_times,
            file_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        }),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn write_error(path: &Path, error: impl std::fmt::Display) -> DatasetError {
    DatasetError::Write {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

type SampleOutcome = (usize, Result<(Vec<Vec<f32>>, Duration), GenerateError>);

/// Writes the file at `temporary`; errors name `path`, the file the user asked for.
fn write_file(
    generator: &dyn Generator,
    temporary: &Path,
    path: &Path,
    samples: usize,
    seed: u64,
    pool: &rayon::ThreadPool,
    progress: &dyn SampleProgress,
) -> Result<Vec<Duration>, DatasetError> {
    let h5 = |e: hdf5::Error| write_error(path, e);
    let file = hdf5::File::create(temporary).map_err(h5)?;
    write_attributes(&file, generator, samples, seed).map_err(h5)?;
    for shared in generator.shared_arrays() {
        file.new_dataset::<f64>()
            .shape(shared.shape.clone())
            .create(shared.name)
            .and_then(|ds| ds.write_raw(&shared.data))
            .map_err(h5)?;
    }
    let layout = generator.sample_arrays();
    let mut datasets = Vec::with_capacity(layout.len());
    for array in &layout {
        let mut shape = vec![samples];
        shape.extend(&array.shape);
        let mut chunk = vec![1];
        chunk.extend(&array.shape);
        let ds = file
            .new_dataset::<f32>()
            .shape(shape)
            .chunk(chunk)
            .create(array.name)
            .map_err(h5)?;
        datasets.push(ds);
    }

    let cancelled = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<SampleOutcome>();
    let mut times = vec![Duration::ZERO; samples];
    let mut pending: BTreeMap<usize, Vec<Vec<f32>>> = BTreeMap::new();
    let mut next = 0;
    let mut failure: Option<DatasetError> = None;
    std::thread::scope(|scope| {
        let cancelled = &cancelled;
        scope.spawn(move || {
            pool.install(|| {
                (0..samples)
                    .into_par_iter()
                    .for_each_with(sender, |sender, index| {
                        if cancelled.load(Ordering::Relaxed) {
                            return;
                        }
                        let started = Instant::now();
                        let result = generator
                            .generate(&mut sample_rng(seed, index as u64))
                            .map(|arrays| (arrays, started.elapsed()));
                        let _ = sender.send((index, result));
                    });
            });
        });
        for (index, result) in receiver.iter() {
            if failure.is_some() {
                continue;
            }
            match result {
                Ok((arrays, elapsed)) => {
                    times[index] = elapsed;
                    pending.insert(index, arrays);
                }
                Err(source) => {
                    cancelled.store(true, Ordering::Relaxed);
                    failure = Some(DatasetError::Sample { index, source });
                    continue;
                }
            }
            // Written in index order, so the file's layout does not depend on timing.
            while let Some(arrays) = pending.remove(&next) {
                if let Err(e) = write_sample(&datasets, &layout, next, arrays) {
                    cancelled.store(true, Ordering::Relaxed);
                    failure = Some(write_error(path, e));
                    break;
                }
                next += 1;
                progress.sample_written(next, samples);
            }
        }
    });
    if let Some(error) = failure {
        return Err(error);
    }
    file.close().map_err(h5)?;
    Ok(times)
}

fn write_sample(
    datasets: &[hdf5::Dataset],
    layout: &[ferrowave_solvers::datagen::SampleArray],
    index: usize,
    arrays: Vec<Vec<f32>>,
) -> Result<(), String> {
    if arrays.len() != layout.len() {
        return Err(format!(
            "the generator returned {} arrays, its layout has {}",
            arrays.len(),
            layout.len()
        ));
    }
    for ((ds, array), values) in datasets.iter().zip(layout).zip(arrays) {
        let mut shape = vec![1];
        shape.extend(&array.shape);
        let expected: usize = shape.iter().product();
        if values.len() != expected {
            return Err(format!(
                "{} has {} values, its shape {:?} holds {expected}",
                array.name,
                values.len(),
                array.shape
            ));
        }
        let block =
            hdf5_ndarray::ArrayD::from_shape_vec(shape, values).map_err(|e| e.to_string())?;
        let selection: Vec<hdf5::SliceOrIndex> = std::iter::once(index..index + 1)
            .map(hdf5::SliceOrIndex::from)
            .chain(array.shape.iter().map(|_| hdf5::SliceOrIndex::from(..)))
            .collect();
        ds.write_slice(block.view(), hdf5::Hyperslab::from(selection))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn write_attributes(
    file: &hdf5::File,
    generator: &dyn Generator,
    samples: usize,
    seed: u64,
) -> hdf5::Result<()> {
    attribute(
        file,
        "problem",
        &Attribute::Text(generator.problem().into()),
    )?;
    attribute(file, "samples", &Attribute::Int(samples as i64))?;
    file.new_attr::<u64>().create("seed")?.write_scalar(&seed)?;
    attribute(
        file,
        "software",
        &Attribute::Text(format!("ferrowave {}", env!("CARGO_PKG_VERSION"))),
    )?;
    for (name, value) in generator.attributes() {
        attribute(file, name, &value)?;
    }
    Ok(())
}

fn attribute(file: &hdf5::File, name: &str, value: &Attribute) -> hdf5::Result<()> {
    match value {
        Attribute::Int(v) => file.new_attr::<i64>().create(name)?.write_scalar(v),
        Attribute::Float(v) => file.new_attr::<f64>().create(name)?.write_scalar(v),
        Attribute::Floats(v) => file
            .new_attr_builder()
            .with_data(v.as_slice())
            .create(name)
            .map(|_| ()),
        Attribute::Text(v) => {
            let text: VarLenUnicode = v
                .parse()
                .map_err(|e| hdf5::Error::from(format!("attribute {name}: {e}")))?;
            file.new_attr::<VarLenUnicode>()
                .create(name)?
                .write_scalar(&text)
        }
    }
}

/// Whether the file at `path` is a dataset file (it has a `problem` attribute).
pub fn is_dataset(path: &Path) -> bool {
    hdf5::File::open(path)
        .and_then(|f| f.attr("problem"))
        .is_ok()
}

/// A description of a dataset file for `ferrowave info`: problem, every attribute, and each
/// array's shape and range.
pub fn describe_dataset(path: &Path) -> Result<String, crate::ResultError> {
    use std::fmt::Write;
    let read = |e: hdf5::Error| crate::ResultError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = hdf5::File::open(path).map_err(read)?;
    let mut s = String::new();
    let _ = writeln!(s, "dataset file {}", path.display());
    let mut names = file.attr_names().map_err(read)?;
    names.sort();
    // The identifying attributes first, then the generator's parameters alphabetically.
    for key in ["problem", "samples", "seed", "software"] {
        if let Some(value) = attribute_text(&file, key) {
            let _ = writeln!(s, "{key:<12} {value}");
        }
    }
    let _ = writeln!(s, "parameters:");
    for name in &names {
        if ["problem", "samples", "seed", "software"].contains(&name.as_str()) {
            continue;
        }
        if let Some(value) = attribute_text(&file, name) {
            let _ = writeln!(s, "  {name:<24} {value}");
        }
    }
    let _ = writeln!(s, "arrays:");
    for info in crate::results::read_datasets(path)? {
        let shape = info
            .shape
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(" x ");
        let range = info
            .min_max
            .map(|(lo, hi)| format!("  range [{lo:.6e}, {hi:.6e}]"))
            .unwrap_or_default();
        let bad = if info.non_finite > 0 {
            format!("  ({} non-finite values)", info.non_finite)
        } else {
            String::new()
        };
        let _ = writeln!(s, "  {:<16} {shape}{range}{bad}", info.name);
    }
    Ok(s)
}

/// An attribute's value as text, whatever its stored type.
fn attribute_text(file: &hdf5::File, name: &str) -> Option<String> {
    let attr = file.attr(name).ok()?;
    if let Ok(text) = attr.read_scalar::<VarLenUnicode>() {
        return Some(text.as_str().to_string());
    }
    if attr.is_scalar() {
        use hdf5::types::TypeDescriptor;
        return match attr.dtype().and_then(|t| t.to_descriptor()).ok()? {
            TypeDescriptor::Integer(_) => attr.read_scalar::<i64>().ok().map(|v| v.to_string()),
            TypeDescriptor::Unsigned(_) => attr.read_scalar::<u64>().ok().map(|v| v.to_string()),
            _ => attr.read_scalar::<f64>().ok().map(|v| v.to_string()),
        };
    }
    attr.read_raw::<f64>().ok().map(|values| {
        let parts: Vec<String> = values.iter().map(f64::to_string).collect();
        format!("[{}]", parts.join(", "))
    })
}
