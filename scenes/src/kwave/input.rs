//! Reading a k-Wave input file (format 1.0 to 1.2) and mapping it onto the solver.

use std::path::{Path, PathBuf};

use ferrowave_solvers::acoustic::{
    Absorption, Grid, Medium, Pml, Property, Record, Sensor, SignalUnits, Simulation, SourceMode,
    Sources, TimeSpec, TimeVaryingSource,
};

use super::h5::read_text_attr;
use super::{KwaveError, KwaveOptions};

/// A time-varying source as the file stores it: `flag` is the signal length in samples,
/// `index` the 1-based source points, `input` the already scaled signal (`flag` values, or
/// `flag * index.len()` values sample-major when `many`).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    pub flag: usize,
    pub index: Vec<u64>,
    pub input: Vec<f32>,
    pub many: bool,
    /// 0 Dirichlet, 1 additive without correction, 2 additive (k-space corrected).
    pub mode: u64,
}

impl SourceFile {
    fn to_solver(&self) -> TimeVaryingSource {
        TimeVaryingSource {
            points: self.index.iter().map(|&i| i as usize - 1).collect(),
            signals: self.input.clone(),
            per_point: self.many,
            length: self.flag,
            mode: match self.mode {
                0 => SourceMode::Dirichlet,
                1 => SourceMode::AdditiveNoCorrection,
                _ => SourceMode::Additive,
            },
            units: SignalUnits::KWaveScaled,
        }
    }
}

/// A cuboid of a `sensor_mask_corners` mask: 0-based inclusive corners (x, y, z).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cuboid {
    pub start: [usize; 3],
    pub end: [usize; 3],
}

impl Cuboid {
    /// Points per axis (x, y, z).
    pub fn size(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| self.end[a] - self.start[a] + 1)
    }

    pub fn num_points(&self) -> usize {
        self.size().iter().product()
    }

    /// Linear indices of the cuboid's points on a grid of `shape`, x fastest.
    pub fn points(&self, shape: [usize; 3]) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.num_points());
        for z in self.start[2]..=self.end[2] {
            for y in self.start[1]..=self.end[1] {
                for x in self.start[0]..=self.end[0] {
                    out.push(x + shape[0] * (y + shape[1] * z));
                }
            }
        }
        out
    }
}

/// The sensor: `sensor_mask_type` 0 (linear indices, 1-based, in output order) or 1
/// (cuboid corners, recorded cuboid by cuboid).
#[derive(Clone, Debug, PartialEq)]
pub enum SensorMask {
    Index(Vec<u64>),
    Corners(Vec<Cuboid>),
}

impl SensorMask {
    /// The 0-based grid points the solver samples, in output order (for corners: cuboid
    /// after cuboid, x fastest within each).
    pub fn points(&self, shape: [usize; 3]) -> Vec<usize> {
        match self {
            SensorMask::Index(index) => index.iter().map(|&i| i as usize - 1).collect(),
            SensorMask::Corners(cuboids) => cuboids.iter().flat_map(|c| c.points(shape)).collect(),
        }
    }

    pub fn type_value(&self) -> u64 {
        match self {
            SensorMask::Index(_) => 0,
            SensorMask::Corners(_) => 1,
        }
    }
}

/// A k-Wave input file, read and checked. Scalars keep the file's float32 values so the
/// output repeats them exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct KwaveInput {
    pub path: PathBuf,
    /// Root attributes.
    pub file_description: String,
    pub created_by: String,
    pub major_version: String,
    pub minor_version: String,
    /// (Nx, Ny, Nz); Nz = 1 for a 2-D file.
    pub shape: [usize; 3],
    pub ndim: usize,
    pub nt: usize,
    pub dt: f32,
    /// (dx, dy, dz); dz is 0 in a 2-D file (which has no dz).
    pub spacing: [f32; 3],
    pub c_ref: f32,
    pub pml_size: [usize; 3],
    pub pml_alpha: [f32; 3],
    pub p0_source_flag: u64,
    pub p_source_flag: u64,
    pub transducer_source_flag: u64,
    pub u_source_flags: [u64; 3],
    pub nonuniform_grid_flag: u64,
    pub absorbing_flag: u64,
    pub nonlinear_flag: u64,
    /// As the binary uses it: the file's flag, and only for 2-D files (always 0 here: an
    /// axisymmetric 2-D file is refused).
    pub axisymmetric_flag: u64,
    /// (many, mode) of the pressure source, when `p_source_flag` > 0.
    pub p_source_many_mode: Option<(u64, u64)>,
    /// (many, mode) shared by the velocity sources, when a `u*_source_flag` > 0.
    pub u_source_many_mode: Option<(u64, u64)>,
    pub c0: Property,
    pub rho0: Property,
    /// rho0_sgx, rho0_sgy, rho0_sgz (None for z in 2-D).
    pub rho0_sg: [Option<Property>; 3],
    pub alpha_coeff: Option<Property>,
    pub alpha_power: Option<f32>,
    pub bona: Option<Property>,
    pub p0: Option<Vec<f32>>,
    pub pressure_source: Option<SourceFile>,
    pub velocity_sources: [Option<SourceFile>; 3],
    pub sensor: SensorMask,
}

/// Reads datasets of one open input file, with messages that name the file and dataset.
struct Reader<'a> {
    file: &'a hdf5::File,
    path: &'a Path,
}

impl Reader<'_> {
    fn has(&self, name: &str) -> bool {
        self.file.link_exists(name)
    }

    fn bad(&self, message: String) -> KwaveError {
        KwaveError::invalid(format!("{}: {message}", self.path.display()))
    }

    fn dataset(&self, name: &str) -> Result<hdf5::Dataset, KwaveError> {
        if !self.has(name) {
            return Err(self.bad(format!("dataset {name} is missing")));
        }
        self.file
            .dataset(name)
            .map_err(|e| self.bad(format!("dataset {name} cannot be opened: {e}")))
    }

    fn u64s(&self, name: &str) -> Result<Vec<u64>, KwaveError> {
        self.dataset(name)?.read_raw::<u64>().map_err(|e| {
            self.bad(format!(
                "dataset {name} cannot be read as unsigned integers: {e}"
            ))
        })
    }

    fn f32s(&self, name: &str) -> Result<Vec<f32>, KwaveError> {
        self.dataset(name)?
            .read_raw::<f32>()
            .map_err(|e| self.bad(format!("dataset {name} cannot be read as floats: {e}")))
    }

    fn u64_scalar(&self, name: &str) -> Result<u64, KwaveError> {
        let v = self.u64s(name)?;
        match v.as_slice() {
            [x] => Ok(*x),
            _ => Err(self.bad(format!(
                "dataset {name} must hold one value (holds {})",
                v.len()
            ))),
        }
    }

    /// An integer scalar that the binary reads only in some cases: 0 when absent.
    fn u64_scalar_or_zero(&self, name: &str) -> Result<u64, KwaveError> {
        if self.has(name) {
            self.u64_scalar(name)
        } else {
            Ok(0)
        }
    }

    fn f32_scalar(&self, name: &str) -> Result<f32, KwaveError> {
        let v = self.f32s(name)?;
        match v.as_slice() {
            [x] if x.is_finite() => Ok(*x),
            [x] => Err(self.bad(format!("dataset {name} is not finite ({x})"))),
            _ => Err(self.bad(format!(
                "dataset {name} must hold one value (holds {})",
                v.len()
            ))),
        }
    }

    fn size(&self, name: &str) -> Result<usize, KwaveError> {
        let v = self.u64_scalar(name)?;
        usize::try_from(v).map_err(|_| self.bad(format!("{name} = {v} is too large")))
    }

    /// A medium property: a scalar (1, 1, 1) or a full grid (Nz, Ny, Nx).
    fn property(&self, name: &str, shape: [usize; 3]) -> Result<Property, KwaveError> {
        let ds = self.dataset(name)?;
        let dims = ds.shape();
        let grid = [shape[2], shape[1], shape[0]];
        if dims.iter().product::<usize>() == 1 {
            return Ok(Property::Uniform(self.f32_scalar(name)? as f64));
        }
        if dims.as_slice() != grid {
            return Err(self.bad(format!(
                "dataset {name} has dims {dims:?}; expected (1, 1, 1) or the grid {grid:?} \
                 (Nz, Ny, Nx)"
            )));
        }
        let values = self.f32s(name)?;
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(self.bad(format!("dataset {name} holds a non-finite value ({v})")));
        }
        Ok(Property::Map(values))
    }

    /// 1-based linear indices, each within a grid of `points` points.
    fn indices(&self, name: &str, points: usize) -> Result<Vec<u64>, KwaveError> {
        let index = self.u64s(name)?;
        if index.is_empty() {
            return Err(self.bad(format!("dataset {name} is empty")));
        }
        if let Some((j, &i)) = index
            .iter()
            .enumerate()
            .find(|(_, &i)| i == 0 || i > points as u64)
        {
            return Err(self.bad(format!(
                "{name}[{j}] = {i} is outside the grid (1-based indices 1 ..= {points})"
            )));
        }
        Ok(index)
    }

    fn source_mode(&self, name: &str) -> Result<u64, KwaveError> {
        let mode = self.u64_scalar(name)?;
        if mode > 2 {
            return Err(self.bad(format!(
                "{name} = {mode} is unknown (0 Dirichlet, 1 additive without correction, \
                 2 additive)"
            )));
        }
        Ok(mode)
    }

    fn many(&self, name: &str) -> Result<bool, KwaveError> {
        match self.u64_scalar(name)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.bad(format!("{name} = {v} must be 0 or 1"))),
        }
    }

    /// A source input of `flag` samples for `points` points (or one signal).
    fn source_input(
        &self,
        name: &str,
        flag: usize,
        many: bool,
        points: usize,
    ) -> Result<Vec<f32>, KwaveError> {
        let input = self.f32s(name)?;
        let expected = if many { flag * points } else { flag };
        if input.len() != expected {
            return Err(self.bad(format!(
                "dataset {name} holds {} values; expected {expected} ({flag} samples{})",
                input.len(),
                if many {
                    format!(" x {points} source points")
                } else {
                    String::new()
                }
            )));
        }
        if let Some(v) = input.iter().find(|v| !v.is_finite()) {
            return Err(self.bad(format!("dataset {name} holds a non-finite value ({v})")));
        }
        Ok(input)
    }
}

fn read_error(path: &Path, e: impl std::fmt::Display) -> KwaveError {
    KwaveError::File {
        action: "could not read input file",
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl KwaveInput {
    /// Reads and checks an input file. Features ferrowave cannot simulate exactly are
    /// refused here with [`KwaveError::Unsupported`].
    pub fn read(path: &Path) -> Result<Self, KwaveError> {
        if !path.is_file() {
            return Err(read_error(path, "no such file"));
        }
        let file = hdf5::File::open(path).map_err(|e| read_error(path, e))?;
        let input = Self::read_open(&file, path);
        drop(file);
        input
    }

    fn read_open(file: &hdf5::File, path: &Path) -> Result<Self, KwaveError> {
        let r = Reader { file, path };
        let unsupported =
            |what: String| KwaveError::unsupported(format!("{}: {what}", path.display()));

        // Header (the binary checks the type and the version).
        let file_type = read_text_attr(file, "file_type").unwrap_or_default();
        if file_type != "input" {
            return Err(r.bad(format!(
                "not a k-Wave input file (root attribute file_type is {file_type:?}, \
                 expected \"input\")"
            )));
        }
        let major_version = read_text_attr(file, "major_version").unwrap_or_default();
        let minor_version = read_text_attr(file, "minor_version").unwrap_or_default();
        if major_version != "1" || !["0", "1", "2"].contains(&minor_version.as_str()) {
            return Err(r.bad(format!(
                "input file version {major_version}.{minor_version} is not supported \
                 (kspaceFirstOrder-OMP v1.3 reads 1.0, 1.1 and 1.2)"
            )));
        }

        // Grid and time.
        let shape = [r.size("Nx")?, r.size("Ny")?, r.size("Nz")?];
        if shape[0] < 2 || shape[1] < 2 || shape[2] < 1 {
            return Err(r.bad(format!(
                "grid {} x {} x {} is too small (Nx, Ny >= 2)",
                shape[0], shape[1], shape[2]
            )));
        }
        let ndim = if shape[2] == 1 { 2 } else { 3 };
        let points: usize = shape.iter().product();
        let is3d = ndim == 3;
        let nt = r.size("Nt")?;
        if nt == 0 {
            return Err(r.bad("Nt is 0".into()));
        }
        let dt = r.f32_scalar("dt")?;
        let spacing = [
            r.f32_scalar("dx")?,
            r.f32_scalar("dy")?,
            if is3d { r.f32_scalar("dz")? } else { 0.0 },
        ];
        let c_ref = r.f32_scalar("c_ref")?;
        let pml_size = [
            r.size("pml_x_size")?,
            r.size("pml_y_size")?,
            if is3d { r.size("pml_z_size")? } else { 0 },
        ];
        let pml_alpha = [
            r.f32_scalar("pml_x_alpha")?,
            r.f32_scalar("pml_y_alpha")?,
            if is3d {
                r.f32_scalar("pml_z_alpha")?
            } else {
                0.0
            },
        ];

        // Flags of features that cannot be run.
        let axisymmetric = if minor_version == "2" {
            r.u64_scalar("axisymmetric_flag")?
        } else {
            0
        };
        if axisymmetric != 0 && !is3d {
            return Err(unsupported(
                "axisymmetric_flag = 1 (an axisymmetric 2-D simulation); ferrowave's solver \
                 has no axisymmetric mode"
                    .into(),
            ));
        }
        let nonuniform_grid_flag = r.u64_scalar("nonuniform_grid_flag")?;
        if nonuniform_grid_flag != 0 {
            return Err(unsupported(
                "nonuniform_grid_flag = 1 (a non-uniform grid); only uniform grids are supported"
                    .into(),
            ));
        }
        if r.u64_scalar_or_zero("elastic_flag")? != 0 {
            return Err(unsupported(
                "elastic_flag = 1 (an elastic simulation); ferrowave (like kspaceFirstOrder-OMP) \
                 solves the fluid equations only"
                    .into(),
            ));
        }
        for name in [
            "sxx_source_flag",
            "syy_source_flag",
            "szz_source_flag",
            "sxy_source_flag",
            "sxz_source_flag",
            "syz_source_flag",
        ] {
            if r.u64_scalar_or_zero(name)? != 0 {
                return Err(unsupported(format!(
                    "{name} > 0 (a stress source, elastic code only)"
                )));
            }
        }
        let transducer_source_flag = r.u64_scalar("transducer_source_flag")?;
        if transducer_source_flag != 0 {
            return Err(unsupported(format!(
                "transducer_source_flag = {transducer_source_flag} (a kWaveTransducer source \
                 with transducer_source_input and delay_mask); give the source as a velocity \
                 source (source.ux with source.u_mask) instead"
            )));
        }
        let absorbing_flag = r.u64_scalar("absorbing_flag")?;
        match absorbing_flag {
            0..=2 => {}
            v => {
                return Err(r.bad(format!(
                    "absorbing_flag = {v} is unknown (0 lossless, 1 power law, 2 Stokes)"
                )))
            }
        }
        let nonlinear_flag = r.u64_scalar("nonlinear_flag")?;
        if nonlinear_flag > 1 {
            return Err(r.bad(format!("nonlinear_flag = {nonlinear_flag} must be 0 or 1")));
        }

        // Medium.
        let c0 = r.property("c0", shape)?;
        let rho0 = r.property("rho0", shape)?;
        let rho0_sg = [
            Some(r.property("rho0_sgx", shape)?),
            Some(r.property("rho0_sgy", shape)?),
            if is3d {
                Some(r.property("rho0_sgz", shape)?)
            } else {
                None
            },
        ];
        let (alpha_coeff, alpha_power) = if absorbing_flag >= 1 {
            let y = r.f32_scalar("alpha_power")?;
            if absorbing_flag == 2 && y != 2.0 {
                return Err(r.bad(format!(
                    "absorbing_flag = 2 (Stokes) needs alpha_power = 2 (got {y})"
                )));
            }
            if y == 1.0 {
                return Err(r.bad(
                    "alpha_power = 1 is not allowed (the dispersion term tan(pi y / 2) is \
                     infinite); k-Wave refuses it too"
                        .into(),
                ));
            }
            (Some(r.property("alpha_coeff", shape)?), Some(y))
        } else {
            (None, None)
        };
        let bona = if nonlinear_flag == 1 {
            Some(r.property("BonA", shape)?)
        } else {
            None
        };

        // Sources.
        let p0_source_flag = r.u64_scalar("p0_source_flag")?;
        let p0 = match p0_source_flag {
            0 => None,
            1 => {
                let ds = r.dataset("p0_source_input")?;
                let grid = [shape[2], shape[1], shape[0]];
                if ds.shape() != grid {
                    return Err(r.bad(format!(
                        "dataset p0_source_input has dims {:?}; expected the grid {grid:?}",
                        ds.shape()
                    )));
                }
                let values = r.f32s("p0_source_input")?;
                if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                    return Err(r.bad(format!(
                        "dataset p0_source_input holds a non-finite value ({v})"
                    )));
                }
                Some(values)
            }
            v => return Err(r.bad(format!("p0_source_flag = {v} must be 0 or 1"))),
        };
        let p_source_flag = r.u64_scalar("p_source_flag")?;
        let (pressure_source, p_source_many_mode) = if p_source_flag > 0 {
            let many = r.many("p_source_many")?;
            let mode = r.source_mode("p_source_mode")?;
            let index = r.indices("p_source_index", points)?;
            let flag = p_source_flag as usize;
            let input = r.source_input("p_source_input", flag, many, index.len())?;
            (
                Some(SourceFile {
                    flag,
                    index,
                    input,
                    many,
                    mode,
                }),
                Some((many as u64, mode)),
            )
        } else {
            (None, None)
        };
        let u_source_flags = [
            r.u64_scalar("ux_source_flag")?,
            r.u64_scalar("uy_source_flag")?,
            if is3d {
                r.u64_scalar("uz_source_flag")?
            } else {
                0
            },
        ];
        let mut velocity_sources = [None, None, None];
        let mut u_source_many_mode = None;
        if u_source_flags.iter().any(|&f| f > 0) {
            let many = r.many("u_source_many")?;
            let mode = r.source_mode("u_source_mode")?;
            let index = r.indices("u_source_index", points)?;
            for (axis, name) in ["ux", "uy", "uz"].iter().enumerate() {
                let flag = u_source_flags[axis] as usize;
                if flag > 0 {
                    let input =
                        r.source_input(&format!("{name}_source_input"), flag, many, index.len())?;
                    velocity_sources[axis] = Some(SourceFile {
                        flag,
                        index: index.clone(),
                        input,
                        many,
                        mode,
                    });
                }
            }
            u_source_many_mode = Some((many as u64, mode));
        }

        // Sensor.
        let mask_type = if minor_version == "0" {
            0
        } else {
            r.u64_scalar("sensor_mask_type")?
        };
        let sensor = match mask_type {
            0 => SensorMask::Index(r.indices("sensor_mask_index", points)?),
            1 => {
                let raw = r.u64s("sensor_mask_corners")?;
                if raw.is_empty() || raw.len() % 6 != 0 {
                    return Err(r.bad(format!(
                        "dataset sensor_mask_corners holds {} values; expected 6 per cuboid",
                        raw.len()
                    )));
                }
                let mut cuboids = Vec::with_capacity(raw.len() / 6);
                for (c, six) in raw.chunks(6).enumerate() {
                    let mut start = [0usize; 3];
                    let mut end = [0usize; 3];
                    for a in 0..3 {
                        let (lo, hi) = (six[a], six[a + 3]);
                        if lo < 1 || hi < lo || hi > shape[a] as u64 {
                            return Err(r.bad(format!(
                                "sensor_mask_corners cuboid {} has {} corners {lo} .. {hi} \
                                 (1-based; need 1 <= first <= last <= {})",
                                c + 1,
                                ["x", "y", "z"][a],
                                shape[a]
                            )));
                        }
                        start[a] = lo as usize - 1;
                        end[a] = hi as usize - 1;
                    }
                    cuboids.push(Cuboid { start, end });
                }
                SensorMask::Corners(cuboids)
            }
            v => {
                return Err(r.bad(format!(
                    "sensor_mask_type = {v} is unknown (0 index, 1 cuboid corners)"
                )))
            }
        };

        Ok(Self {
            path: path.to_path_buf(),
            file_description: read_text_attr(file, "file_description").unwrap_or_default(),
            created_by: read_text_attr(file, "created_by").unwrap_or_default(),
            major_version,
            minor_version,
            shape,
            ndim,
            nt,
            dt,
            spacing,
            c_ref,
            pml_size,
            pml_alpha,
            p0_source_flag,
            p_source_flag,
            transducer_source_flag,
            u_source_flags,
            nonuniform_grid_flag,
            absorbing_flag,
            nonlinear_flag,
            axisymmetric_flag: 0,
            p_source_many_mode,
            u_source_many_mode,
            c0,
            rho0,
            rho0_sg,
            alpha_coeff,
            alpha_power,
            bona,
            p0,
            pressure_source,
            velocity_sources,
            sensor,
        })
    }

    /// Number of time steps run: the file's Nt, or `--benchmark N`.
    pub fn steps(&self, options: &KwaveOptions) -> usize {
        options.benchmark_steps.unwrap_or(self.nt)
    }

    /// The 0-based sensor points, in output order.
    pub fn sensor_points(&self) -> Vec<usize> {
        self.sensor.points(self.shape)
    }

    /// Like [`KwaveInput::to_simulation`], but moves the medium maps, p0 and the source
    /// signals into the simulation instead of copying them, so a large input is held once.
    /// Returns the simulation and the input without those arrays (its scalars, flags and
    /// sensor, which is all [`write_output`](super::write_output) needs).
    pub fn into_simulation(
        mut self,
        options: &KwaveOptions,
    ) -> Result<(Simulation, Self), KwaveError> {
        use std::mem::{replace, take};
        let placeholder = || Property::Uniform(1.0);
        let c0 = replace(&mut self.c0, placeholder());
        let rho0 = replace(&mut self.rho0, placeholder());
        let rho0_sg = self
            .rho0_sg
            .each_mut()
            .map(|sg| sg.as_mut().map(|p| replace(p, placeholder())));
        let alpha = self.alpha_coeff.as_mut().map(|p| replace(p, placeholder()));
        let bona = self.bona.as_mut().map(|p| replace(p, placeholder()));
        let p0 = self.p0.as_mut().map(take);
        let p_signal = self.pressure_source.as_mut().map(|s| take(&mut s.input));
        let u_signals = self
            .velocity_sources
            .each_mut()
            .map(|s| s.as_mut().map(|s| take(&mut s.input)));
        // Validates and builds everything else (copying only the placeholders) ...
        let mut sim = self.to_simulation(options)?;
        // ... then the arrays go where the placeholders are.
        let medium = &mut sim.medium;
        medium.sound_speed = c0;
        medium.density = rho0;
        if let Some(staggered) = medium.density_staggered.as_mut() {
            for (slot, sg) in staggered.iter_mut().zip(rho0_sg) {
                if let Some(sg) = sg {
                    *slot = sg;
                }
            }
        }
        if let (Some(absorption), Some(alpha)) = (medium.absorption.as_mut(), alpha) {
            absorption.alpha_coeff_db = alpha;
        }
        if let (Some(b), Some(bona)) = (medium.nonlinearity.as_mut(), bona) {
            *b = bona;
        }
        if let (Some(slot), Some(p0)) = (sim.sources.initial_pressure.as_mut(), p0) {
            *slot = p0;
        }
        if let (Some(source), Some(signal)) = (sim.sources.pressure.as_mut(), p_signal) {
            source.signals = signal;
        }
        for (source, signal) in sim.sources.velocity.iter_mut().zip(u_signals) {
            if let (Some(source), Some(signal)) = (source.as_mut(), signal) {
                source.signals = signal;
            }
        }
        self.p0 = None;
        Ok((sim, self))
    }

    /// The solver's description of this input, recording what `options` asks for.
    pub fn to_simulation(&self, options: &KwaveOptions) -> Result<Simulation, KwaveError> {
        options.validate()?;
        let record = options.record.or_default();
        let steps = self.steps(options);
        if options.start_index > steps {
            return Err(KwaveError::invalid(format!(
                "-s {} is after the last time step: the sampling start must lie in 1 ..= {steps} \
                 (Nt)",
                options.start_index
            )));
        }
        let ndim = self.ndim;
        let shape = &self.shape[..ndim];
        let spacing: Vec<f64> = self.spacing[..ndim].iter().map(|&d| d as f64).collect();
        let grid = Grid::new(shape, &spacing)
            .map_err(|e| KwaveError::invalid(format!("{}: {e}", self.path.display())))?;
        let staggered = [0, 1, 2].map(|a| {
            self.rho0_sg[a]
                .clone()
                // 2-D: the solver ignores the z component; any valid value will do.
                .unwrap_or(Property::Uniform(1.0))
        });
        let medium = Medium {
            sound_speed: self.c0.clone(),
            density: self.rho0.clone(),
            density_staggered: Some(staggered),
            absorption: match (&self.alpha_coeff, self.alpha_power) {
                (Some(a), Some(y)) => Some(Absorption {
                    alpha_coeff_db: a.clone(),
                    alpha_power: y as f64,
                    stokes: self.absorbing_flag == 2,
                }),
                _ => None,
            },
            // nonlinear_flag = 1 is nonlinear even with B/A = 0 (the convective term).
            nonlinearity: self.bona.clone(),
        };
        let pml = Pml {
            size: self.pml_size,
            alpha: self.pml_alpha.map(|a| a as f64),
            inside: true,
        };
        let sources = Sources {
            initial_pressure: self.p0.clone(),
            smooth_initial_pressure: false,
            pressure: self.pressure_source.as_ref().map(SourceFile::to_solver),
            velocity: [0, 1, 2]
                .map(|a| self.velocity_sources[a].as_ref().map(SourceFile::to_solver)),
        };
        let sensor = Sensor {
            points: self.sensor_points(),
            record: Record {
                p: record.p_raw,
                p_max: record.p_max,
                p_min: record.p_min,
                p_rms: record.p_rms,
                p_final: record.p_final,
                u: record.u_raw,
                u_max: record.u_max,
                u_min: record.u_min,
                u_rms: record.u_rms,
                u_final: record.u_final,
                u_non_staggered: record.u_non_staggered_raw,
                p_max_all: record.p_max_all,
                p_min_all: record.p_min_all,
                u_max_all: record.u_max_all,
                u_min_all: record.u_min_all,
                cw: None,
            },
            record_start_step: options.start_index - 1,
        };
        Ok(Simulation {
            grid,
            medium,
            pml,
            time: TimeSpec {
                dt_s: Some(self.dt as f64),
                steps: Some(steps),
                ..TimeSpec::default()
            },
            sources,
            sensor,
            c_ref_m_s: Some(self.c_ref as f64),
        })
    }
}
