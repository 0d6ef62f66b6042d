//! HDF5 result files: one file per run, readable with h5py, MATLAB or `ferrowave info`.
//!
//! docs/results.md describes the layout for users. In short: every recorded quantity is a
//! dataset at its natural shape (`p` is (sensors, samples), `p_max` is (sensors,),
//! `p_final` is (Nx, Ny, Nz)), each with `units` and `description` attributes; the root
//! carries the grid spacing, time step, PML, the scene text and the software version.
//! Arrays are stored in C order with the x index first, so `f["p_final"][ix, iy, iz]` in
//! h5py is the pressure at grid point (ix, iy, iz).
//!
//! A file is written under a temporary name in the same directory and renamed when it is
//! complete, so a crash or a failed write never leaves a partial file under the final name
//! (and never harms a file already there).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use ferrowave_solvers::acoustic::{PlanSummary, RunStats, SensorData};
use hdf5::types::{FloatSize, TypeDescriptor, VarLenUnicode};
use thiserror::Error;

/// Why a result file could not be written or read.
#[derive(Debug, Error)]
pub enum ResultError {
    /// Writing failed; the final path was left as it was.
    #[error("could not write result file {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
    /// The data handed to the writer is inconsistent (a programming error, not a user's).
    #[error("could not write result file {}: inconsistent data: {message}", path.display())]
    Data { path: PathBuf, message: String },
    /// Reading failed.
    #[error("could not read result file {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
}

/// Axis letters, x first.
const AXES: [&str; 3] = ["x", "y", "z"];

/// An internal failure while writing, before the path is attached.
enum Fail {
    H5(hdf5::Error),
    Io(std::io::Error),
    Data(String),
}

impl From<hdf5::Error> for Fail {
    fn from(e: hdf5::Error) -> Self {
        Fail::H5(e)
    }
}

impl From<std::io::Error> for Fail {
    fn from(e: std::io::Error) -> Self {
        Fail::Io(e)
    }
}

impl Fail {
    fn at(self, path: &Path) -> ResultError {
        let path = path.to_path_buf();
        match self {
            Fail::H5(e) => ResultError::Write {
                path,
                message: e.to_string(),
            },
            Fail::Io(e) => ResultError::Write {
                path,
                message: e.to_string(),
            },
            Fail::Data(message) => ResultError::Data { path, message },
        }
    }
}

/// The temporary name a result is written under before it is renamed to `path`:
/// `<file name>.tmp-<pid>` in the same directory.
pub fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "result.h5".into());
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Writes the result of one run to `path`.
///
/// `scene_text` is stored for provenance; `sensor_points` are the grid indices (x, y, z) of
/// each sensor, in the order of the sensor data's rows. The file is written to
/// [`temporary_path`] and renamed to `path` once complete; on any error the temporary file
/// is removed and `path` is untouched. Missing parent directories are created.
pub fn write_result(
    path: &Path,
    name: &str,
    scene_text: &str,
    summary: &PlanSummary,
    stats: &RunStats,
    data: &SensorData,
    sensor_points: &[[usize; 3]],
) -> Result<(), ResultError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Fail::Io(e).at(path))?;
    }
    let temporary = temporary_path(path);
    let written = write_file(
        &temporary,
        name,
        scene_text,
        summary,
        stats,
        data,
        sensor_points,
    )
    .and_then(|()| std::fs::rename(&temporary, path).map_err(Fail::Io));
    if let Err(fail) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail.at(path));
    }
    Ok(())
}

fn write_file(
    temporary: &Path,
    name: &str,
    scene_text: &str,
    summary: &PlanSummary,
    stats: &RunStats,
    data: &SensorData,
    sensor_points: &[[usize; 3]],
) -> Result<(), Fail> {
    let file = hdf5::File::create(temporary)?;
    // All handles to objects in the file are dropped when `write_contents` returns, so that
    // closing the file really closes it.
    write_contents(&file, name, scene_text, summary, stats, data, sensor_points)?;
    file.flush()?;
    file.close()?;
    Ok(())
}

fn text(value: &str) -> Result<VarLenUnicode, Fail> {
    value
        .parse::<VarLenUnicode>()
        .map_err(|e| Fail::Data(format!("text {value:?} cannot be stored: {e}")))
}

fn attr_str(loc: &hdf5::Location, name: &str, value: &str) -> Result<(), Fail> {
    loc.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&text(value)?)?;
    Ok(())
}

fn attr_f64(loc: &hdf5::Location, name: &str, value: f64) -> Result<(), Fail> {
    loc.new_attr::<f64>().create(name)?.write_scalar(&value)?;
    Ok(())
}

fn attr_u64(loc: &hdf5::Location, name: &str, value: u64) -> Result<(), Fail> {
    loc.new_attr::<u64>().create(name)?.write_scalar(&value)?;
    Ok(())
}

fn attr_f64s(loc: &hdf5::Location, name: &str, values: &[f64]) -> Result<(), Fail> {
    loc.new_attr_builder().with_data(values).create(name)?;
    Ok(())
}

fn attr_u64s(loc: &hdf5::Location, name: &str, values: &[u64]) -> Result<(), Fail> {
    loc.new_attr_builder().with_data(values).create(name)?;
    Ok(())
}

/// Units and a one-line description of each dataset the writer knows.
fn dataset_meta(name: &str) -> (&'static str, String) {
    let axis = |n: &str| match n.as_bytes().get(1) {
        Some(b'x') => "x",
        Some(b'y') => "y",
        _ => "z",
    };
    let base = name.strip_suffix("_field").unwrap_or(name);
    let mut meta = match base {
        "p" => (
            "Pa",
            "acoustic pressure at each sensor, (sensors, samples); sample k is at \
             t = (record_start_step + k) dt"
                .to_string(),
        ),
        "p_max" => ("Pa", "maximum pressure over the recorded steps".into()),
        "p_min" => ("Pa", "minimum pressure over the recorded steps".into()),
        "p_rms" => (
            "Pa",
            "root mean square pressure over the recorded steps".into(),
        ),
        "p_final" => (
            "Pa",
            "pressure over the whole grid after the last step, indexed [x, y, z]".into(),
        ),
        "p_max_all" => (
            "Pa",
            "maximum pressure over the recorded steps at every grid point, indexed [x, y, z]"
                .into(),
        ),
        "p_min_all" => (
            "Pa",
            "minimum pressure over the recorded steps at every grid point, indexed [x, y, z]"
                .into(),
        ),
        "cw_amplitude" => (
            "Pa",
            "steady-state pressure amplitude at the CW frequency, over the last periods".into(),
        ),
        "cw_phase" => (
            "rad",
            "steady-state pressure phase at the CW frequency (p = A cos(2 pi f t + phase))".into(),
        ),
        "sensor_indices" => (
            "1",
            "grid indices of each sensor, (sensors, ndim), x first, 0-based".into(),
        ),
        "sensor_positions_m" => (
            "m",
            "position of each sensor, (sensors, ndim), x first, relative to the grid centre \
             (index N/2 on each axis), as scene files give positions"
                .into(),
        ),
        n if n.starts_with('u') => {
            let a = axis(n);
            let stat = &n[2..];
            let what = match stat {
                "" => format!(
                    "particle velocity along {a} at each sensor, (sensors, samples), on the \
                     staggered grid ({a} + d{a}/2); sample k is at \
                     t = (record_start_step + k - 1/2) dt"
                ),
                "_max" => format!("maximum particle velocity along {a} over the recorded steps"),
                "_min" => format!("minimum particle velocity along {a} over the recorded steps"),
                "_rms" => {
                    format!("root mean square particle velocity along {a} over the recorded steps")
                }
                "_final" => format!(
                    "particle velocity along {a} over the whole grid after the last step, on \
                     the staggered grid ({a} + d{a}/2), indexed [x, y, z]"
                ),
                "_non_staggered" => format!(
                    "particle velocity along {a} at each sensor, (sensors, samples), moved to \
                     the regular grid by a spectral half-cell shift; sample k is at \
                     t = (record_start_step + k - 1/2) dt"
                ),
                "_max_all" => format!(
                    "maximum particle velocity along {a} over the recorded steps at every grid \
                     point (staggered grid), indexed [x, y, z]"
                ),
                "_min_all" => format!(
                    "minimum particle velocity along {a} over the recorded steps at every grid \
                     point (staggered grid), indexed [x, y, z]"
                ),
                _ => format!("particle velocity along {a}"),
            };
            ("m/s", what)
        }
        _ => ("", String::new()),
    };
    if name.ends_with("_field") {
        meta.1 = format!(
            "{}; reshaped to the grid (the sensor covers every grid point), indexed [x, y, z]",
            meta.1
        );
    }
    meta
}

/// Grid shape padded to three axes.
fn padded(shape: &[usize]) -> [usize; 3] {
    let mut s = [1; 3];
    s[..shape.len()].copy_from_slice(shape);
    s
}

/// Values over the grid in linear x-fastest order, rearranged into C order of the shape
/// (Nx[, Ny[, Nz]]) so that index [x, y, z] holds the value of point (x, y, z).
fn to_c_order(values: &[f32], shape: &[usize]) -> Vec<f32> {
    let [nx, ny, nz] = padded(shape);
    let mut out = vec![0.0f32; values.len()];
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                out[(x * ny + y) * nz + z] = values[x + nx * (y + ny * z)];
            }
        }
    }
    out
}

/// Writes the datasets and attributes of a result file.
struct Contents<'a> {
    root: &'a hdf5::Group,
    sensors: usize,
    /// The grid shape when the sensor covers every grid point in x-fastest order.
    whole_grid: Option<&'a [usize]>,
}

impl Contents<'_> {
    fn dataset<T: hdf5::H5Type>(
        &self,
        name: &str,
        shape: &[usize],
        values: &[T],
    ) -> Result<hdf5::Dataset, Fail> {
        let expected: usize = shape.iter().product();
        if values.len() != expected {
            return Err(Fail::Data(format!(
                "{name} has {} values for shape {shape:?}",
                values.len()
            )));
        }
        let ds = self
            .root
            .new_dataset::<T>()
            .shape(shape.to_vec())
            .create(name)?;
        ds.write_raw(values)?;
        let (units, description) = dataset_meta(name);
        attr_str(&ds, "units", units)?;
        attr_str(&ds, "description", &description)?;
        Ok(ds)
    }

    /// A per-sensor series, (sensors, samples).
    fn series(&self, name: &str, a: &ndarray::Array2<f32>) -> Result<(), Fail> {
        let (rows, cols) = a.dim();
        if rows != self.sensors {
            return Err(Fail::Data(format!(
                "{name} has {rows} rows but there are {} sensor points",
                self.sensors
            )));
        }
        let standard = a.as_standard_layout();
        let values = standard.as_slice().expect("standard layout is contiguous");
        self.dataset(name, &[rows, cols], values)?;
        Ok(())
    }

    /// A per-sensor statistic, (sensors,), and its map when the sensor covers the grid.
    fn statistic(
        &self,
        name: &str,
        a: &ndarray::Array1<f32>,
        extra: &[(&str, f64)],
    ) -> Result<(), Fail> {
        if a.len() != self.sensors {
            return Err(Fail::Data(format!(
                "{name} has {} values but there are {} sensor points",
                a.len(),
                self.sensors
            )));
        }
        let values = a.to_vec();
        let ds = self.dataset(name, &[a.len()], &values)?;
        for &(key, v) in extra {
            attr_f64(&ds, key, v)?;
        }
        if let Some(shape) = self.whole_grid {
            let field =
                self.dataset(&format!("{name}_field"), shape, &to_c_order(&values, shape))?;
            for &(key, v) in extra {
                attr_f64(&field, key, v)?;
            }
        }
        Ok(())
    }

    /// A whole-grid field, already (Nx[, Ny[, Nz]]) in C order.
    fn field(&self, name: &str, a: &ndarray::ArrayD<f32>, shape: &[usize]) -> Result<(), Fail> {
        if a.shape() != shape {
            return Err(Fail::Data(format!(
                "{name} has shape {:?}, the grid {shape:?}",
                a.shape()
            )));
        }
        let standard = a.as_standard_layout();
        let values = standard.as_slice().expect("standard layout is contiguous");
        self.dataset(name, shape, values)?;
        Ok(())
    }

    /// One entry per velocity component: `u_x`, `u_y`, ... named `ux<suffix>`.
    fn components<A>(
        &self,
        suffix: &str,
        parts: &[A],
        ndim: usize,
        mut each: impl FnMut(&str, &A) -> Result<(), Fail>,
    ) -> Result<(), Fail> {
        if parts.len() != ndim {
            return Err(Fail::Data(format!(
                "u{suffix} has {} components for a {ndim}D grid",
                parts.len()
            )));
        }
        for (axis, part) in parts.iter().enumerate() {
            each(&format!("u{}{suffix}", AXES[axis]), part)?;
        }
        Ok(())
    }
}

/// Seconds since the Unix epoch as an ISO 8601 UTC time, `2025-01-31T12:00:00Z`.
pub fn iso_utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn write_contents(
    file: &hdf5::File,
    name: &str,
    scene_text: &str,
    summary: &PlanSummary,
    stats: &RunStats,
    data: &SensorData,
    sensor_points: &[[usize; 3]],
) -> Result<(), Fail> {
    let ndim = summary.ndim;
    let shape = summary.shape.as_slice();
    if shape.len() != ndim || summary.spacing_m.len() != ndim {
        return Err(Fail::Data(format!(
            "the summary's shape {shape:?} and spacing {:?} do not have {ndim} axes",
            summary.spacing_m
        )));
    }
    let grid_points: usize = shape.iter().product();
    let full = padded(shape);
    if let Some((i, p)) = sensor_points
        .iter()
        .enumerate()
        .find(|(_, p)| (0..3).any(|a| p[a] >= full[a]))
    {
        return Err(Fail::Data(format!(
            "sensor {i} at {p:?} lies outside the grid {shape:?}"
        )));
    }
    let whole_grid = sensor_points.len() == grid_points
        && sensor_points.iter().enumerate().all(|(i, p)| {
            *p == [
                i % full[0],
                (i / full[0]) % full[1],
                i / (full[0] * full[1]),
            ]
        });

    // Root attributes.
    let root: &hdf5::Location = file;
    for (a, &d) in summary.spacing_m.iter().enumerate() {
        attr_f64(root, &format!("d{}", AXES[a]), d)?;
    }
    attr_f64s(root, "spacing_m", &summary.spacing_m)?;
    attr_u64s(
        root,
        "shape",
        &shape.iter().map(|&n| n as u64).collect::<Vec<_>>(),
    )?;
    attr_u64(root, "ndim", ndim as u64)?;
    attr_f64(root, "dt", summary.dt_s)?;
    attr_u64(root, "Nt", summary.steps as u64)?;
    attr_f64(root, "c_ref", summary.c_ref_m_s)?;
    attr_f64(root, "c_min", summary.c_min_m_s)?;
    attr_f64(root, "c_max", summary.c_max_m_s)?;
    attr_f64(root, "cfl", summary.cfl)?;
    attr_u64s(
        root,
        "pml_size",
        &summary
            .pml_size
            .iter()
            .map(|&n| n as u64)
            .collect::<Vec<_>>(),
    )?;
    attr_f64s(root, "pml_alpha", &summary.pml_alpha)?;
    attr_u64(root, "pml_inside", summary.pml_inside as u64)?;
    attr_u64(root, "absorbing", summary.absorbing as u64)?;
    attr_u64(root, "nonlinear", summary.nonlinear as u64)?;
    attr_u64(root, "record_start_step", summary.record_start_step as u64)?;
    attr_f64(root, "wall_seconds", stats.wall_seconds)?;
    attr_u64(root, "threads", stats.threads as u64)?;
    attr_str(root, "device", stats.device.name())?;
    attr_u64(root, "sensors", sensor_points.len() as u64)?;
    attr_u64(root, "sensor_covers_grid", whole_grid as u64)?;
    attr_str(
        root,
        "software",
        &format!("ferrowave {}", env!("CARGO_PKG_VERSION")),
    )?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    attr_str(root, "created", &iso_utc(now))?;
    if !name.is_empty() {
        attr_str(root, "name", name)?;
    }
    attr_str(root, "scene", scene_text)?;
    attr_str(
        root,
        "units",
        "SI: pressure Pa, particle velocity m/s, phase rad, lengths m, times s",
    )?;
    attr_str(root, "axis_order", "x,y,z")?;

    let contents = Contents {
        root: file,
        sensors: sensor_points.len(),
        whole_grid: whole_grid.then_some(shape),
    };

    if !sensor_points.is_empty() {
        let mut indices = Vec::with_capacity(sensor_points.len() * ndim);
        let mut positions = Vec::with_capacity(sensor_points.len() * ndim);
        for p in sensor_points {
            for a in 0..ndim {
                indices.push(p[a] as u64);
                positions.push((p[a] as f64 - (shape[a] / 2) as f64) * summary.spacing_m[a]);
            }
        }
        contents.dataset("sensor_indices", &[sensor_points.len(), ndim], &indices)?;
        contents.dataset(
            "sensor_positions_m",
            &[sensor_points.len(), ndim],
            &positions,
        )?;
    }

    if let Some(p) = &data.p {
        contents.series("p", p)?;
    }
    for (name, stat) in [
        ("p_max", &data.p_max),
        ("p_min", &data.p_min),
        ("p_rms", &data.p_rms),
    ] {
        if let Some(s) = stat {
            contents.statistic(name, s, &[])?;
        }
    }
    if let Some(u) = &data.u {
        contents.components("", u, ndim, |name, a| contents.series(name, a))?;
    }
    if let Some(u) = &data.u_non_staggered {
        contents.components("_non_staggered", u, ndim, |name, a| {
            contents.series(name, a)
        })?;
    }
    for (suffix, stat) in [
        ("_max", &data.u_max),
        ("_min", &data.u_min),
        ("_rms", &data.u_rms),
    ] {
        if let Some(s) = stat {
            contents.components(suffix, s, ndim, |name, a| contents.statistic(name, a, &[]))?;
        }
    }
    let cw: Vec<(&str, f64)> = summary
        .cw
        .iter()
        .flat_map(|c| [("frequency_hz", c.frequency_hz), ("periods", c.periods)])
        .collect();
    if let Some(a) = &data.cw_amplitude {
        contents.statistic("cw_amplitude", a, &cw)?;
    }
    if let Some(a) = &data.cw_phase {
        contents.statistic("cw_phase", a, &cw)?;
    }
    if let Some(p) = &data.p_final {
        contents.field("p_final", p, shape)?;
    }
    if let Some(u) = &data.u_final {
        contents.components("_final", u, ndim, |name, a| contents.field(name, a, shape))?;
    }
    for (name, field) in [
        ("p_max_all", &data.p_max_all),
        ("p_min_all", &data.p_min_all),
    ] {
        if let Some(f) = field {
            contents.field(name, f, shape)?;
        }
    }
    for (suffix, fields) in [("_max_all", &data.u_max_all), ("_min_all", &data.u_min_all)] {
        if let Some(u) = fields {
            contents.components(suffix, u, ndim, |name, a| contents.field(name, a, shape))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading

/// Facts about one dataset of a result file.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetInfo {
    pub name: String,
    pub shape: Vec<usize>,
    /// `units` attribute, empty if none.
    pub units: String,
    /// Smallest and largest finite value; None if the dataset has none.
    pub min_max: Option<(f64, f64)>,
    /// Number of NaN or infinite values.
    pub non_finite: usize,
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> ResultError {
    ResultError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn open(path: &Path) -> Result<hdf5::File, ResultError> {
    if !path.exists() {
        return Err(read_err(path, "no such file"));
    }
    hdf5::File::open(path)
        .map_err(|e| read_err(path, format!("not an HDF5 file, or unreadable ({e})")))
}

/// Reads the datasets at the root of a result file with their shapes, units and ranges.
pub fn read_datasets(path: &Path) -> Result<Vec<DatasetInfo>, ResultError> {
    let file = open(path)?;
    let mut out = Vec::new();
    for name in file.member_names().map_err(|e| read_err(path, e))? {
        let Ok(ds) = file.dataset(&name) else {
            continue; // a group or something else
        };
        let units = ds
            .attr("units")
            .and_then(|a| a.read_scalar::<VarLenUnicode>())
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let numeric = matches!(
            ds.dtype().and_then(|t| t.to_descriptor()),
            Ok(TypeDescriptor::Float(FloatSize::U4 | FloatSize::U8)
                | TypeDescriptor::Integer(_)
                | TypeDescriptor::Unsigned(_))
        );
        let (mut min_max, mut non_finite) = (None, 0);
        if numeric {
            let values = ds.read_raw::<f64>().map_err(|e| read_err(path, e))?;
            let mut range: Option<(f64, f64)> = None;
            for v in values {
                if v.is_finite() {
                    range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
                } else {
                    non_finite += 1;
                }
            }
            min_max = range;
        }
        out.push(DatasetInfo {
            name,
            shape: ds.shape(),
            units,
            min_max,
            non_finite,
        });
    }
    Ok(out)
}

fn root_f64(file: &hdf5::File, name: &str) -> Option<f64> {
    file.attr(name).ok()?.read_scalar::<f64>().ok()
}

fn root_u64(file: &hdf5::File, name: &str) -> Option<u64> {
    file.attr(name).ok()?.read_scalar::<u64>().ok()
}

fn root_str(file: &hdf5::File, name: &str) -> Option<String> {
    file.attr(name)
        .ok()?
        .read_scalar::<VarLenUnicode>()
        .ok()
        .map(|s| s.as_str().to_string())
}

fn root_vec<T: hdf5::H5Type>(file: &hdf5::File, name: &str) -> Option<Vec<T>> {
    file.attr(name).ok()?.read_raw::<T>().ok()
}

/// `1.5e-4` with at most 4 significant digits, without trailing zeros.
fn g(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let s = format!("{v:.3e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        format!("{m}e{e}")
    }
}

/// A human summary of a result file: software, grid, time axis, and each dataset with its
/// shape, units and range. What `ferrowave info` prints.
pub fn describe_result(path: &Path) -> Result<String, ResultError> {
    let datasets = read_datasets(path)?;
    let file = open(path)?;
    let mut s = String::new();
    let _ = writeln!(s, "result file  {}", path.display());
    if let Some(name) = root_str(&file, "name") {
        let _ = writeln!(s, "scene        {name}");
    }
    match (root_str(&file, "software"), root_str(&file, "created")) {
        (Some(sw), Some(at)) => {
            let _ = writeln!(s, "software     {sw}, written {at}");
        }
        (Some(sw), None) => {
            let _ = writeln!(s, "software     {sw}");
        }
        _ => {
            let _ = writeln!(
                s,
                "software     (not a ferrowave result file: no software attribute)"
            );
        }
    }
    let shape = root_vec::<u64>(&file, "shape");
    let spacing = root_vec::<f64>(&file, "spacing_m");
    if let (Some(shape), Some(spacing)) = (&shape, &spacing) {
        let dims = shape
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" x ");
        let steps = spacing
            .iter()
            .map(|&d| g(d))
            .collect::<Vec<_>>()
            .join(" x ");
        let size = shape
            .iter()
            .zip(spacing)
            .map(|(&n, &d)| g(n as f64 * d))
            .collect::<Vec<_>>()
            .join(" x ");
        let _ = writeln!(
            s,
            "grid         {dims} points ({}D), spacing {steps} m, size {size} m",
            shape.len()
        );
    }
    if let (Some(dt), Some(nt)) = (root_f64(&file, "dt"), root_u64(&file, "Nt")) {
        let start = root_u64(&file, "record_start_step").unwrap_or(0);
        let _ = writeln!(
            s,
            "time         dt = {} s, Nt = {nt} steps, t = 0 .. {} s, recorded from step {start}",
            g(dt),
            g(nt.saturating_sub(1) as f64 * dt)
        );
    }
    if let (Some(c_ref), Some(cfl)) = (root_f64(&file, "c_ref"), root_f64(&file, "cfl")) {
        let _ = writeln!(s, "medium       c_ref = {} m/s, CFL = {}", g(c_ref), g(cfl));
    }
    if let (Some(size), Some(alpha)) = (
        root_vec::<u64>(&file, "pml_size"),
        root_vec::<f64>(&file, "pml_alpha"),
    ) {
        let inside = match root_u64(&file, "pml_inside") {
            Some(0) => "outside the grid",
            Some(_) => "inside the grid",
            None => "",
        };
        let _ = writeln!(
            s,
            "pml          {} points, alpha {} Np/point, {inside}",
            size.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" x "),
            alpha.iter().map(|&a| g(a)).collect::<Vec<_>>().join(" x ")
        );
    }
    if let Some(wall) = root_f64(&file, "wall_seconds") {
        let threads = match root_str(&file, "device").filter(|d| d != "cpu") {
            Some(gpu) => format!(" on the {gpu} device"),
            None => {
                root_u64(&file, "threads").map_or(String::new(), |t| format!(" on {t} threads"))
            }
        };
        let _ = writeln!(s, "run          {} s wall time{threads}", g(wall));
    }
    if let Some(sensors) = root_u64(&file, "sensors") {
        let covers = if root_u64(&file, "sensor_covers_grid") == Some(1) {
            " (every grid point; statistics also as *_field maps)"
        } else {
            ""
        };
        let _ = writeln!(s, "sensors      {sensors}{covers}");
    }
    let _ = writeln!(s, "datasets");
    let rows: Vec<[String; 5]> = datasets
        .iter()
        .map(|d| {
            let shape = if d.shape.is_empty() {
                "scalar".to_string()
            } else {
                format!(
                    "({})",
                    d.shape
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let (lo, hi) = d
                .min_max
                .map_or(("-".into(), "-".into()), |(lo, hi)| (g(lo), g(hi)));
            let hi = if d.non_finite > 0 {
                format!("{hi}  ({} NaN/inf)", d.non_finite)
            } else {
                hi
            };
            [d.name.clone(), shape, d.units.clone(), lo, hi]
        })
        .collect();
    let header = ["name", "shape", "units", "min", "max"].map(String::from);
    let mut width = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line = row
            .iter()
            .zip(width)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i >= 3 {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ");
        let _ = writeln!(s, "  {}", line.trim_end());
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(iso_utc(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn c_order_of_grid_values() {
        // 2 x 3 x 2 grid, value = linear x-fastest index.
        let shape = [2, 3, 2];
        let values: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let c = to_c_order(&values, &shape);
        for x in 0..2 {
            for y in 0..3 {
                for z in 0..2 {
                    assert_eq!(c[(x * 3 + y) * 2 + z], (x + 2 * (y + 3 * z)) as f32);
                }
            }
        }
    }

    #[test]
    fn number_formatting() {
        assert_eq!(g(1.5e-4), "1.5e-4");
        assert_eq!(g(0.0128), "0.0128");
        assert_eq!(g(1500.0), "1500");
        assert_eq!(g(-2.5), "-2.5");
        assert_eq!(g(2e-8), "2e-8");
    }
}
