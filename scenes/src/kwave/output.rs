//! Writing an output file as kspaceFirstOrder-OMP v1.3 does: the same dataset names, HDF5
//! dims, types, chunking, filters and attributes.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ferrowave_solvers::acoustic::{Field, SensorData};
use ndarray::{Array1, Array2};

use super::h5::{write_chunked, write_f32_scalar, write_text_attr, write_u64_scalar};
use super::{KwaveError, KwaveInput, KwaveOptions, SensorMask};
use crate::results::temporary_path;

/// Elements of 8 MB of float32, the binary's chunk unit for large sensor data.
const CHUNK_8MB: usize = 2 * 1024 * 1024;

/// Seconds spent in each phase, as the output's timing attributes report them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    pub total_s: f64,
    pub data_loading_s: f64,
    pub pre_processing_s: f64,
    pub simulation_s: f64,
    pub post_processing_s: f64,
}

/// Facts about the run that the output's root attributes report.
#[derive(Clone, Debug)]
pub struct OutputFacts {
    /// Threads the run used (`number_of_cpu_cores`).
    pub threads: usize,
    /// Peak resident memory of the process, MiB (`total_memory_in_use`).
    pub memory_mib: u64,
    /// Time steps done (`t_index`).
    pub steps: usize,
    /// When the whole run started; `total_execution_time` is measured from here.
    pub started: Instant,
    /// Data loading, pre-processing and simulation times; post-processing (writing this
    /// file) and the total are measured by [`write_output`].
    pub timings: Timings,
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> KwaveError {
    KwaveError::File {
        action: "could not write output file",
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes the output file for `data`, the result of running `input` with `options`, to
/// `path`: under a temporary name first, renamed when complete (an existing file at `path`
/// is replaced only by a complete one). Returns the timings written.
pub fn write_output(
    path: &Path,
    input: &KwaveInput,
    options: &KwaveOptions,
    data: &SensorData,
    facts: &OutputFacts,
) -> Result<Timings, KwaveError> {
    let post_started = Instant::now();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| write_error(path, e))?;
    }
    let temporary = temporary_path(path);
    let result = (|| -> hdf5::Result<Timings> {
        let file = hdf5::File::create(&temporary)?;
        write_datasets(&file, input, options, data, facts)?;
        let mut timings = facts.timings;
        timings.post_processing_s = post_started.elapsed().as_secs_f64();
        timings.total_s = facts.started.elapsed().as_secs_f64();
        write_header(&file, input, facts, &timings)?;
        file.flush()?;
        file.close()?;
        Ok(timings)
    })();
    let timings = match result {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            return Err(write_error(path, e));
        }
    };
    if let Err(e) = std::fs::rename(&temporary, path) {
        let _ = std::fs::remove_file(&temporary);
        return Err(write_error(path, e));
    }
    Ok(timings)
}

/// How the sensor's columns are laid out in the file.
enum Layout {
    /// Root datasets (1, Nt, n) and (1, 1, n).
    Index(usize),
    /// A group per quantity with one dataset per cuboid: (Nt, nz, ny, nx) and (nz, ny, nx);
    /// (offset of its first column, size x, y, z).
    Corners(Vec<(usize, [usize; 3])>),
}

struct Writer<'a> {
    root: &'a hdf5::Group,
    level: u8,
    layout: Layout,
}

impl Writer<'_> {
    /// A time series, (sensors, samples).
    fn series(&self, name: &str, a: &Array2<f32>) -> hdf5::Result<()> {
        let (sensors, samples) = a.dim();
        match &self.layout {
            Layout::Index(n) => {
                check(name, sensors, *n)?;
                let values: Vec<f32> = a.t().iter().copied().collect();
                let chunk = if *n > 4 * CHUNK_8MB { CHUNK_8MB } else { *n };
                write_chunked(
                    self.root,
                    name,
                    &[1, samples, *n],
                    &[1, 1, chunk],
                    self.level,
                    &values,
                    "float",
                )
            }
            Layout::Corners(cuboids) => {
                let total: usize = cuboids
                    .iter()
                    .map(|(_, s)| s.iter().product::<usize>())
                    .sum();
                check(name, sensors, total)?;
                let group = self.root.create_group(name)?;
                for (c, &(offset, size)) in cuboids.iter().enumerate() {
                    let m: usize = size.iter().product();
                    let mut values = Vec::with_capacity(m * samples);
                    for t in 0..samples {
                        values.extend((offset..offset + m).map(|j| a[[j, t]]));
                    }
                    write_chunked(
                        &group,
                        &(c + 1).to_string(),
                        &[samples, size[2], size[1], size[0]],
                        &cuboid_chunk(size, true),
                        self.level,
                        &values,
                        "float",
                    )?;
                }
                Ok(())
            }
        }
    }

    /// A statistic over the recorded samples, (sensors,).
    fn statistic(&self, name: &str, a: &Array1<f32>) -> hdf5::Result<()> {
        match &self.layout {
            Layout::Index(n) => {
                check(name, a.len(), *n)?;
                let chunk = if *n > 4 * CHUNK_8MB { CHUNK_8MB } else { *n };
                write_chunked(
                    self.root,
                    name,
                    &[1, 1, *n],
                    &[1, 1, chunk],
                    self.level,
                    &a.to_vec(),
                    "float",
                )
            }
            Layout::Corners(cuboids) => {
                let total: usize = cuboids
                    .iter()
                    .map(|(_, s)| s.iter().product::<usize>())
                    .sum();
                check(name, a.len(), total)?;
                let group = self.root.create_group(name)?;
                for (c, &(offset, size)) in cuboids.iter().enumerate() {
                    let m: usize = size.iter().product();
                    let values: Vec<f32> = (offset..offset + m).map(|j| a[j]).collect();
                    write_chunked(
                        &group,
                        &(c + 1).to_string(),
                        &[size[2], size[1], size[0]],
                        &cuboid_chunk(size, false),
                        self.level,
                        &values,
                        "float",
                    )?;
                }
                Ok(())
            }
        }
    }

    /// A whole-grid field (Nx, Ny[, Nz]) indexed [x, y, z], written (Nz, Ny, Nx).
    fn field(&self, name: &str, f: &Field, shape: [usize; 3]) -> hdf5::Result<()> {
        let values: Vec<f32> = f.t().iter().copied().collect();
        write_chunked(
            self.root,
            name,
            &[shape[2], shape[1], shape[0]],
            &[1, shape[1], shape[0]],
            self.level,
            &values,
            "float",
        )
    }
}

fn check(name: &str, got: usize, expected: usize) -> hdf5::Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(hdf5::Error::from(format!(
            "{name} has {got} sensor columns, the sensor mask {expected} points"
        )))
    }
}

/// The binary's chunk of a cuboid dataset: one time step of the whole cuboid, or ~8 MB of
/// z slabs when a step is over 32 MB.
fn cuboid_chunk(size: [usize; 3], series: bool) -> Vec<usize> {
    let [nx, ny, nz] = size;
    let mut slabs = nz;
    if nx * ny * nz > 4 * CHUNK_8MB {
        slabs = 1;
        while slabs * nx * ny < CHUNK_8MB {
            slabs += 1;
        }
        slabs = slabs.min(nz);
    }
    if series {
        vec![1, slabs, ny, nx]
    } else {
        vec![slabs, ny, nx]
    }
}

fn write_datasets(
    file: &hdf5::File,
    input: &KwaveInput,
    options: &KwaveOptions,
    data: &SensorData,
    facts: &OutputFacts,
) -> hdf5::Result<()> {
    let root: &hdf5::Group = file;
    let layout = match &input.sensor {
        SensorMask::Index(index) => Layout::Index(index.len()),
        SensorMask::Corners(cuboids) => {
            let mut offset = 0;
            Layout::Corners(
                cuboids
                    .iter()
                    .map(|c| {
                        let entry = (offset, c.size());
                        offset += c.num_points();
                        entry
                    })
                    .collect(),
            )
        }
    };
    let w = Writer {
        root,
        level: options.compression_level,
        layout,
    };
    let axes = ["x", "y", "z"];
    let ndim = input.ndim;

    // Sensor data.
    if let Some(p) = &data.p {
        w.series("p", p)?;
    }
    for (name, stat) in [
        ("p_rms", &data.p_rms),
        ("p_max", &data.p_max),
        ("p_min", &data.p_min),
    ] {
        if let Some(s) = stat {
            w.statistic(name, s)?;
        }
    }
    if let Some(u) = &data.u {
        for (a, series) in u.iter().enumerate().take(ndim) {
            w.series(&format!("u{}", axes[a]), series)?;
        }
    }
    if let Some(u) = &data.u_non_staggered {
        for (a, series) in u.iter().enumerate().take(ndim) {
            w.series(&format!("u{}_non_staggered", axes[a]), series)?;
        }
    }
    for (suffix, stat) in [
        ("rms", &data.u_rms),
        ("max", &data.u_max),
        ("min", &data.u_min),
    ] {
        if let Some(components) = stat {
            for (a, s) in components.iter().enumerate().take(ndim) {
                w.statistic(&format!("u{}_{suffix}", axes[a]), s)?;
            }
        }
    }
    if let Some(p) = &data.p_final {
        w.field("p_final", p, input.shape)?;
    }
    if let Some(u) = &data.u_final {
        for (a, f) in u.iter().enumerate().take(ndim) {
            w.field(&format!("u{}_final", axes[a]), f, input.shape)?;
        }
    }
    for (name, field) in [
        ("p_max_all", &data.p_max_all),
        ("p_min_all", &data.p_min_all),
    ] {
        if let Some(f) = field {
            w.field(name, f, input.shape)?;
        }
    }
    for (suffix, fields) in [("max_all", &data.u_max_all), ("min_all", &data.u_min_all)] {
        if let Some(components) = fields {
            for (a, f) in components.iter().enumerate().take(ndim) {
                w.field(&format!("u{}_{suffix}", axes[a]), f, input.shape)?;
            }
        }
    }

    // The scalars the binary repeats (Parameters::writeScalarsToOutputFile) and t_index.
    let is3d = ndim == 3;
    let int = |name: &str, v: u64| write_u64_scalar(root, name, v);
    let real = |name: &str, v: f32| write_f32_scalar(root, name, v);
    int("t_index", facts.steps as u64)?;
    int("Nx", input.shape[0] as u64)?;
    int("Ny", input.shape[1] as u64)?;
    int("Nz", input.shape[2] as u64)?;
    int("axisymmetric_flag", input.axisymmetric_flag)?;
    int("Nt", facts.steps as u64)?;
    real("dt", input.dt)?;
    real("dx", input.spacing[0])?;
    real("dy", input.spacing[1])?;
    if is3d {
        real("dz", input.spacing[2])?;
    }
    real("c_ref", input.c_ref)?;
    for (a, name) in ["pml_x_size", "pml_y_size", "pml_z_size"]
        .iter()
        .enumerate()
        .take(ndim)
    {
        int(name, input.pml_size[a] as u64)?;
    }
    for (a, name) in ["pml_x_alpha", "pml_y_alpha", "pml_z_alpha"]
        .iter()
        .enumerate()
        .take(ndim)
    {
        real(name, input.pml_alpha[a])?;
    }
    int("p_source_flag", input.p_source_flag)?;
    int("p0_source_flag", input.p0_source_flag)?;
    int("transducer_source_flag", input.transducer_source_flag)?;
    for (a, name) in ["ux_source_flag", "uy_source_flag", "uz_source_flag"]
        .iter()
        .enumerate()
        .take(ndim)
    {
        int(name, input.u_source_flags[a])?;
    }
    int("nonuniform_grid_flag", input.nonuniform_grid_flag)?;
    int("absorbing_flag", input.absorbing_flag)?;
    int("nonlinear_flag", input.nonlinear_flag)?;
    if let Some((many, mode)) = input.u_source_many_mode {
        int("u_source_many", many)?;
        int("u_source_mode", mode)?;
    }
    if let Some((many, mode)) = input.p_source_many_mode {
        int("p_source_many", many)?;
        int("p_source_mode", mode)?;
    }

    // --copy_sensor_mask: the mask (1-based, as read) and its type.
    if options.copy_sensor_mask {
        int("sensor_mask_type", input.sensor.type_value())?;
        match &input.sensor {
            SensorMask::Index(index) => {
                let n = index.len();
                // IndexMatrix::writeData's chunks for a 1-D index list.
                let chunk = if n > 4 * 1024 * 1024 {
                    1024 * 1024
                } else if n > 4 * 128 * 1024 {
                    128 * 1024
                } else if n > 4 * 16 * 1024 {
                    16 * 1024
                } else {
                    n
                };
                write_chunked(
                    root,
                    "sensor_mask_index",
                    &[1, 1, n],
                    &[1, 1, chunk],
                    options.compression_level,
                    index,
                    "long",
                )?;
            }
            SensorMask::Corners(cuboids) => {
                let values: Vec<u64> = cuboids
                    .iter()
                    .flat_map(|c| {
                        let s = c.start.map(|v| v as u64 + 1);
                        let e = c.end.map(|v| v as u64 + 1);
                        [s[0], s[1], s[2], e[0], e[1], e[2]]
                    })
                    .collect();
                let n = cuboids.len();
                write_chunked(
                    root,
                    "sensor_mask_corners",
                    &[1, n, 6],
                    &[1, n, 6],
                    options.compression_level,
                    &values,
                    "long",
                )?;
            }
        }
    }
    Ok(())
}

/// The root attributes (Hdf5FileHeader::writeHeaderToOutputFile).
fn write_header(
    file: &hdf5::File,
    input: &KwaveInput,
    facts: &OutputFacts,
    timings: &Timings,
) -> hdf5::Result<()> {
    let attr = |name: &str, value: &str| write_text_attr(file, name, value);
    attr(
        "created_by",
        &format!(
            "ferrowave {} ({} compatible)",
            env!("CARGO_PKG_VERSION"),
            super::KWAVE_BINARY
        ),
    )?;
    attr("creation_date", &creation_date())?;
    attr("file_description", &input.file_description)?;
    attr("major_version", "1")?;
    attr("minor_version", "2")?;
    attr("file_type", "output")?;
    attr("host_names", &host_names())?;
    let threads = facts.threads.max(1);
    attr("number_of_cpu_cores", &threads.to_string())?;
    attr("total_memory_in_use", &format!("{} MB", facts.memory_mib))?;
    // The binary reports the total divided by the number of threads as "per core".
    attr(
        "peak_core_memory_in_use",
        &format!("{} MB", facts.memory_mib / threads as u64),
    )?;
    let time = |s: f64| format!("{s:8.2}s");
    attr("total_execution_time", &time(timings.total_s))?;
    attr(
        "data_loading_phase_execution_time",
        &time(timings.data_loading_s),
    )?;
    attr(
        "pre-processing_phase_execution_time",
        &time(timings.pre_processing_s),
    )?;
    attr(
        "simulation_phase_execution_time",
        &time(timings.simulation_s),
    )?;
    attr(
        "post-processing_phase_execution_time",
        &time(timings.post_processing_s),
    )?;
    Ok(())
}

/// "dd/mm/yy, HH:MM:SS" as the binary writes it (UTC here; the binary uses local time).
fn creation_date() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}/{month:02}/{:02}, {:02}:{:02}:{:02}",
        year.rem_euclid(100),
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// "hostname (processor)", as the binary writes `host_names`.
fn host_names() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{host} ({cpu})")
}
