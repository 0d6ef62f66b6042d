//! The mixed-domain CPU stepper: k-Wave's scheme for homogeneous, linear media (lossless or
//! absorbing) whose only time-varying source is an additive pressure source, in one pass of
//! 1D transforms per axis.
//!
//! In such a medium every coefficient is a constant, and the only point-wise factor of axis
//! i is its PML, a function of x_i alone, which commutes with Fourier transforms along the
//! other axes. So u_i and rho_i are held transformed along every axis but i (mixed domain i)
//! and p as F{p}, and a step is, for each axis i, along the lines of axis i:
//!
//! ```text
//! u_i   = pml_sg_i (pml_sg_i u_i - dt/rho0 F_i^-1{kappa d/dx_i+ F{p}})
//! rho_i = pml_i (pml_i rho_i - dt rho0 F_i^-1{kappa d/dx_i- F_i{u_i}})
//! F{p}' = sum_i c0^2 F_i{rho_i}
//! ```
//!
//! the same arithmetic as the split form, with four 1D transforms per line: twelve per point
//! over three axes, the work of four 3D transforms against the split form's (and k-Wave's)
//! ten, and three passes over memory. Layouts: `layout.rs`.

// Layout, symmetry and tables are shared with the GPU mixed-domain steppers.
pub(crate) mod layout;
mod passes;
mod pointwise;
mod sensors;
pub(crate) mod symmetry;
pub(crate) mod tables;

use crate::catalogue::{AcousticState, AxisPass, MixedDomainBackend, Samples, WholeGrid};
use crate::cpu::shared::SharedMut;
use crate::device::{DeviceError, DeviceKind};
use crate::setup::{AcousticSetup, PointSource, SourceInjection};
use layout::Dims;
use num_complex::{Complex32, Complex64};
use passes::{PassFields, Passes, Plans, Workers};
use rayon::prelude::*;
use sensors::{SpectralSensors, MAX_SPECTRAL_SENSORS};
use symmetry::ConjugatePairs;
use tables::{Absorption, Tables};

/// Why `setup` cannot run in the mixed-domain form, or None if it can.
pub fn unsupported_reason(setup: &AcousticSetup) -> Option<&'static str> {
    let uniform = |c: &crate::setup::Coef| c.uniform().is_some();
    if !(setup.dt_over_rho_staggered.iter().all(uniform)
        && uniform(&setup.dt_rho0)
        && uniform(&setup.c0_squared))
    {
        Some("the medium is heterogeneous")
    } else if setup.nonlinearity.is_some() {
        Some("the medium is nonlinear (B/A)")
    } else if setup
        .absorption
        .as_ref()
        .is_some_and(|a| !(uniform(&a.tau) && uniform(&a.eta) && uniform(&a.rho0)))
        || setup.stokes.as_ref().is_some_and(|t| !uniform(t))
    {
        Some("the absorption varies in space")
    } else if setup.velocity_sources.iter().any(Option::is_some) {
        Some("a velocity source acts")
    } else if setup
        .pressure_source
        .as_ref()
        .is_some_and(|s| s.injection == SourceInjection::Dirichlet)
    {
        Some("a Dirichlet pressure source acts")
    } else if setup.sample_velocity
        || setup.whole_grid_extremes.velocity
        || setup.read_velocity_field
    {
        Some("the velocity is recorded")
    } else {
        None
    }
}

/// Whether p is formed on the grid each step (whole-grid records, many sensors, absorption,
/// whose terms are not local) rather than summed at the sensors in the passes.
pub(crate) fn forms_grid_pressure(setup: &AcousticSetup) -> bool {
    absorbing(setup)
        || setup.keep_pressure_field
        || setup.whole_grid_extremes.pressure
        || setup.sensor_points.len() > MAX_SPECTRAL_SENSORS
}

pub(crate) fn absorbing(setup: &AcousticSetup) -> bool {
    setup.absorption.is_some() || setup.stokes.is_some()
}

/// Bytes `MixedDomainCpu::new` allocates for `setup` with `threads` workers.
pub fn estimate_bytes(setup: &AcousticSetup, threads: usize) -> usize {
    let dims = Dims::new(setup.shape, setup.ndim);
    let half = dims.half_len() * 8;
    let x_domain = dims.x_domain_len() * 8;
    let fields = 2 * x_domain + 2 * (setup.ndim - 1) * half;
    let spectra = 2 * half;
    let kappa = dims.half_len() * 4;
    let n = dims.points();
    let grid = if forms_grid_pressure(setup) {
        n * 4 + half
    } else {
        0
    };
    let records = (setup.keep_pressure_field as usize
        + 2 * setup.whole_grid_extremes.pressure as usize)
        * n
        * 4;
    let sensors = setup.sensor_points.len();
    let summed = if forms_grid_pressure(setup) {
        0
    } else {
        sensors
    };
    // Sample, CW sums, sensor sums, point index; the phase tables when summed in the passes.
    let sensor_bytes =
        sensors * (4 + 16 + 16 + 8) + summed * (24 + 16 * (dims.nxh + dims.ny + dims.nz));
    let derivative_tables = 16 * (dims.nx + dims.ny + dims.nz);
    // Conjugate pairs: at most two kx columns of F{p}, two planes of lines of mixed domain
    // x, two columns of lines of mixed domains y and z; 16 bytes each.
    let pairs = 16 * (2 * dims.ny * dims.nz + 2 * dims.ny + 2 * dims.nz + 2 * dims.ny);
    // F{div u}, and the two |k| power tables of the power law.
    let absorption = if absorbing(setup) {
        half + 2 * (setup.absorption.is_some() as usize) * dims.half_len() * 4
    } else {
        0
    };
    let scratch_len = Plans::new(&dims).scratch_len();
    let per_worker = Workers::bytes_per_worker(&dims, scratch_len, summed);
    // p0 is held until it is transformed, alongside the fields.
    let initial = setup.initial_pressure.as_ref().map_or(0, |_| n * 4);
    let source = setup.pressure_source.as_ref().map_or(0, |s| {
        let correction = (s.injection == SourceInjection::Additive) as usize;
        n * 4 + half + correction * dims.half_len() * 4
    });
    fields
        + spectra
        + kappa
        + grid
        + records
        + initial
        + source
        + sensor_bytes
        + derivative_tables
        + pairs
        + absorption
        + per_worker * threads.max(1)
}

/// An additive pressure source: its grid of this step's values, and F{grid}, times
/// cos(c_ref dt |k| / 2) when k-space corrected.
struct PressureSource {
    source: PointSource,
    grid: Vec<f32>,
    spectrum: Vec<Complex32>,
    correction: Option<Vec<f32>>,
    /// Whether the source acts in the step being formed.
    active: bool,
}

/// p on the grid, for whole-grid records and many sensors.
struct GridPressure {
    pressure: Vec<f32>,
    work: Vec<Complex32>,
}

pub struct MixedDomainCpu {
    dims: Dims,
    tables: Tables,
    plans: Plans,
    workers: Workers,
    sensor_points: Vec<usize>,
    spectral_sensors: Option<SpectralSensors>,
    grid: Option<GridPressure>,
    /// F{p} of the last step, and of the step being formed.
    spectra: [Vec<Complex32>; 2],
    current: usize,
    /// Whether the passes of a step have written `spectra[1 - current]`.
    step_formed: bool,
    velocity: [Vec<Complex32>; 3],
    density: [Vec<Complex32>; 3],
    /// The values held twice (conjugate pairs) in F{p}, and in the mixed domain of each axis.
    spectrum_pairs: ConjugatePairs,
    domain_pairs: Vec<ConjugatePairs>,
    /// F{div u} of the step being formed, when absorbing (empty otherwise).
    divergence_spectrum: Vec<Complex32>,
    initial_pressure: Option<Vec<f32>>,
    pressure_source: Option<PressureSource>,
    samples: Vec<f32>,
    sums: Vec<Complex64>,
    cw_sums: [Vec<f64>; 2],
    kept: Vec<f32>,
    extremes: [Vec<f32>; 2],
}

impl MixedDomainCpu {
    /// Builds the stepper, or says why `setup` needs the split form. Call inside the rayon
    /// pool that will run it.
    pub fn new(mut setup: AcousticSetup) -> Result<Self, &'static str> {
        if let Some(reason) = unsupported_reason(&setup) {
            return Err(reason);
        }
        let dims = Dims::new(setup.shape, setup.ndim);
        let tables = Tables::new(&setup, &dims).ok_or("the medium is heterogeneous")?;
        let plans = Plans::new(&dims);
        let grid = forms_grid_pressure(&setup);
        let spectral_sensors = (!grid).then(|| SpectralSensors::new(&setup.sensor_points, &dims));
        let sensors = setup.sensor_points.len();
        let workers = Workers::new(&dims, &plans, if grid { 0 } else { sensors });
        let zeroed = |len: usize| crate::cpu::huge_pages::zeroed::<Complex32>(len);
        let field = |axis: usize| match axis {
            _ if axis >= dims.ndim => Vec::new(),
            0 => zeroed(dims.x_domain_len()),
            _ => zeroed(dims.half_len()),
        };
        let n = dims.points();
        let extremes = if setup.whole_grid_extremes.pressure {
            [vec![f32::NEG_INFINITY; n], vec![f32::INFINITY; n]]
        } else {
            [Vec::new(), Vec::new()]
        };
        let pressure_source = setup.pressure_source.take().map(|source| PressureSource {
            correction: (source.injection == SourceInjection::Additive)
                .then(|| Tables::source_kappa(&setup, &dims)),
            source,
            grid: vec![0.0; n],
            spectrum: zeroed(dims.half_len()),
            active: false,
        });
        Ok(Self {
            pressure_source,
            tables,
            plans,
            workers,
            spectral_sensors,
            grid: grid.then(|| GridPressure {
                pressure: vec![0.0; n],
                work: zeroed(dims.half_len()),
            }),
            spectra: [zeroed(dims.half_len()), zeroed(dims.half_len())],
            current: 0,
            step_formed: false,
            velocity: [field(0), field(1), field(2)],
            density: [field(0), field(1), field(2)],
            spectrum_pairs: ConjugatePairs::spectrum(&dims),
            domain_pairs: (0..dims.ndim)
                .map(|axis| match axis {
                    0 => ConjugatePairs::x_domain(&dims),
                    _ => ConjugatePairs::line_domain(&dims, axis),
                })
                .collect(),
            divergence_spectrum: if absorbing(&setup) {
                zeroed(dims.half_len())
            } else {
                Vec::new()
            },
            initial_pressure: setup.initial_pressure.take(),
            samples: vec![0.0; sensors],
            sums: vec![Complex64::default(); sensors],
            cw_sums: [vec![0.0; sensors], vec![0.0; sensors]],
            kept: if setup.keep_pressure_field {
                vec![0.0; n]
            } else {
                Vec::new()
            },
            extremes,
            sensor_points: std::mem::take(&mut setup.sensor_points),
            dims,
        })
    }

    fn unsupported(what: &str) -> DeviceError {
        DeviceError::Unsupported {
            device: DeviceKind::Cpu,
            reason: format!("the mixed-domain stepper does not record {what}"),
        }
    }
}

impl MixedDomainBackend for MixedDomainCpu {
    fn transform_initial_pressure(&mut self) {
        let p0 = self
            .initial_pressure
            .take()
            .expect("transform_initial_pressure needs an initial pressure");
        let current = self.current;
        let Self {
            dims,
            tables,
            plans,
            workers,
            spectra,
            ..
        } = self;
        Passes::transforms(*dims, tables, plans, workers).forward_real(&p0, &mut spectra[current]);
    }

    fn transform_pressure_source(&mut self, step: usize) {
        let Self {
            dims,
            tables,
            plans,
            workers,
            pressure_source,
            ..
        } = self;
        let Some(ps) = pressure_source.as_mut() else {
            return;
        };
        ps.active = ps.source.active(step);
        if !ps.active {
            return;
        }
        // The grid is zero but at the source points, which every step overwrites.
        for (k, &i) in ps.source.indices.iter().enumerate() {
            ps.grid[i] = ps.source.value(step, k);
        }
        Passes::transforms(*dims, tables, plans, workers).forward_real(&ps.grid, &mut ps.spectrum);
        if let Some(correction) = &ps.correction {
            ps.spectrum
                .par_iter_mut()
                .zip(correction.par_iter())
                .for_each(|(v, &c)| *v *= c);
        }
    }

    fn axis_pass(&mut self, axis: usize, pass: AxisPass) {
        let Self {
            dims,
            tables,
            plans,
            workers,
            spectral_sensors,
            spectra,
            current,
            velocity,
            density,
            pressure_source,
            divergence_spectrum,
            ..
        } = self;
        let [first, second] = spectra;
        let (spectrum, next_spectrum) = if *current == 0 {
            (&*first, second)
        } else {
            (&*second, first)
        };
        let fields = PassFields {
            velocity: SharedMut::new(&mut velocity[axis]),
            density: SharedMut::new(&mut density[axis]),
            next_spectrum: SharedMut::new(next_spectrum),
            divergence_spectrum: (!divergence_spectrum.is_empty() && pass == AxisPass::Step)
                .then(|| SharedMut::new(divergence_spectrum)),
        };
        let passes = Passes {
            dims: *dims,
            tables,
            plans,
            workers,
            sensors: spectral_sensors.as_ref(),
            pressure_source: pressure_source
                .as_ref()
                .filter(|ps| ps.active && pass == AxisPass::Step)
                .map(|ps| &ps.spectrum[..]),
        };
        match axis {
            0 => passes.along_x(pass, spectrum, &fields),
            _ => passes.along_lines(axis, pass, spectrum, &fields),
        }
        if pass == AxisPass::Step {
            self.step_formed = true;
        }
    }

    fn form_pressure(&mut self, whole: WholeGrid) {
        if self.step_formed {
            self.current = 1 - self.current;
            self.step_formed = false;
            if let Some(absorption) = &self.tables.absorption {
                add_absorption_terms(
                    &mut self.spectra[self.current],
                    &self.divergence_spectrum,
                    absorption,
                );
            }
        }
        self.spectrum_pairs.restore(&mut self.spectra[self.current]);
        for (axis, pairs) in self.domain_pairs.iter().enumerate() {
            pairs.restore(&mut self.velocity[axis]);
            pairs.restore(&mut self.density[axis]);
        }
        let Some(grid) = self.grid.as_mut() else {
            self.workers.take_sensor_sums(&mut self.sums);
            let c2 = self.tables.c0_squared as f64;
            for (s, v) in self.samples.iter_mut().zip(&self.sums) {
                *s = (v.re * c2) as f32;
            }
            return;
        };
        let passes = Passes::transforms(self.dims, &self.tables, &self.plans, &self.workers);
        passes.inverse_real(
            &self.spectra[self.current],
            &mut grid.work,
            &mut grid.pressure,
        );
        let p = &grid.pressure;
        for (s, &i) in self.samples.iter_mut().zip(&self.sensor_points) {
            *s = p[i];
        }
        if whole.keep {
            self.kept.copy_from_slice(p);
        }
        if whole.extremes {
            let [max, min] = &mut self.extremes;
            max.par_iter_mut()
                .zip(min.par_iter_mut())
                .zip(p.par_iter())
                .for_each(|((hi, lo), &v)| {
                    *hi = hi.max(v);
                    *lo = lo.min(v);
                });
        }
    }
}

/// F{p} = c0^2 F{rho} + tau_term F{div u} - eta_term F{rho}, from `spectrum` holding
/// c0^2 F{rho} (k-Wave's equation of state with absorption, in k-space).
fn add_absorption_terms(spectrum: &mut [Complex32], divergence: &[Complex32], a: &Absorption) {
    match a {
        Absorption::PowerLaw {
            c0_squared_tau_rho0,
            eta,
            nabla1,
            nabla2,
        } => spectrum
            .par_iter_mut()
            .zip(divergence.par_iter())
            .zip(nabla1.par_iter().zip(nabla2.par_iter()))
            .for_each(|((p, &div), (&n1, &n2))| {
                *p = *p - *p * (eta * n2) + div * (c0_squared_tau_rho0 * n1);
            }),
        Absorption::Stokes {
            c0_squared_tau_rho0,
        } => spectrum
            .par_iter_mut()
            .zip(divergence.par_iter())
            .for_each(|(p, &div)| *p += div * *c0_squared_tau_rho0),
    }
}

impl AcousticState for MixedDomainCpu {
    fn end_step(&mut self, cw: Option<(f64, f64)>) {
        if let Some(weights) = cw {
            super::add_cw_terms(&mut self.cw_sums, &self.samples, weights);
        }
    }

    fn sample_capacity(&self) -> usize {
        1
    }

    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError> {
        Ok(Samples {
            steps: 1,
            pressure: &self.samples,
            velocity: [&[], &[], &[]],
        })
    }

    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        Ok((self.cw_sums[0].clone(), self.cw_sums[1].clone()))
    }

    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError> {
        out.copy_from_slice(&self.kept);
        Ok(())
    }

    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError> {
        max.copy_from_slice(&self.extremes[0]);
        min.copy_from_slice(&self.extremes[1]);
        Ok(())
    }

    fn velocity_extremes(
        &mut self,
        _: usize,
        _: &mut [f32],
        _: &mut [f32],
    ) -> Result<(), DeviceError> {
        Err(Self::unsupported("velocity"))
    }

    fn velocity_line(
        &mut self,
        _: usize,
        _: usize,
        _: usize,
        _: &mut [f32],
    ) -> Result<(), DeviceError> {
        Err(Self::unsupported("velocity"))
    }

    fn velocity_field(&mut self, _: usize, _: &mut [f32]) -> Result<(), DeviceError> {
        Err(Self::unsupported("velocity"))
    }

    /// The root mean square of rho over the grid, from F{p} (Parseval).
    fn density_magnitude(&mut self) -> Result<f32, DeviceError> {
        let d = self.dims;
        let spectrum = &self.spectra[self.current];
        let sum: f64 = spectrum
            .par_chunks(d.nxh)
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(kx, v)| {
                        let weight = if d.self_conjugate_kx(kx) { 1.0 } else { 2.0 };
                        weight * v.norm_sqr() as f64
                    })
                    .sum::<f64>()
            })
            .sum();
        let rms = sum.sqrt() / d.points() as f64 / self.tables.c0_squared as f64;
        Ok(if rms.is_finite() {
            rms as f32
        } else {
            f32::INFINITY
        })
    }

    fn bytes_allocated(&self) -> usize {
        let complex: usize = self
            .spectra
            .iter()
            .chain(&self.velocity)
            .chain(&self.density)
            .chain([&self.divergence_spectrum])
            .map(Vec::len)
            .sum::<usize>()
            + self.grid.as_ref().map_or(0, |g| g.work.len());
        let real = self.grid.as_ref().map_or(0, |g| g.pressure.len())
            + self.kept.len()
            + self.extremes.iter().map(Vec::len).sum::<usize>()
            + self.initial_pressure.as_ref().map_or(0, Vec::len)
            + self.pressure_source.as_ref().map_or(0, |ps| {
                ps.grid.len() + 2 * ps.spectrum.len() + ps.correction.as_ref().map_or(0, Vec::len)
            })
            + self.samples.len();
        complex * 8
            + real * 4
            + self.tables.bytes()
            + self.workers.bytes()
            + self
                .spectral_sensors
                .as_ref()
                .map_or(0, SpectralSensors::bytes)
            + self.sensor_points.len() * 8
            + self.sums.len() * 16
            + self.spectrum_pairs.bytes()
            + self
                .domain_pairs
                .iter()
                .map(ConjugatePairs::bytes)
                .sum::<usize>()
            + self.cw_sums.iter().map(|s| s.len() * 8).sum::<usize>()
    }
}
