//! `MixedDomainCuda`: the mixed-domain form of the step (see `crate::cpu::mixed`, whose
//! arithmetic it repeats) on one CUDA device: one kernel per axis pass, each block holding a
//! tile of lines in shared memory through the four 1D transforms of the pass
//! (kernels/cuda/mixed.cu, with the Stockham FFT of kernels/cuda/line_fft.cuh).
//!
//! Layouts (complex f32): F{p} (current and next), F{div u}, F{S}: `[kz][ky][kx < nxh]`;
//! mixed domain x: `[kz < nzh][ky][x]` (full x lines for half of the (ky, kz) plane); mixed
//! domains y and z: `[kz][y][kx < nxh]` and `[z][ky][kx < nxh]`, F{p}'s layout, so a y or z
//! block takes a tile of adjacent kx columns and every load and store is coalesced along kx.
//!
//! Launches per lossless step with few sensors: ndim passes, 1 + ndim conjugate-pair
//! restores (F{p}, one per mixed domain), 2 sensor kernels. FFTs per step: 4 per line and
//! axis in shared memory (12 1D transforms per point in 3D), no 3D transform; whole-grid
//! records, many sensors or absorption add one cuFFT C2R of F{p} (plus a copy, as C2R
//! destroys its input), absorption a k-space kernel, a pressure source one R2C per step.
//!
//! Memory traffic per point and step (3D, lossless, few sensors): a half-spectrum array or a
//! mixed domain is about N/2 complex values, 4 B per point. Per pass: read F{p} (4), read
//! and write u_i and rho_i (16), write (x) or read and add (y, z) the next F{p} (4 or 8);
//! kappa is computed from per-axis k^2 tables, not read: x 24, y 28, z 28, so 80 B per point
//! per step, plus 4 for the sensor sums' read of F{p}: about 84 (the split form moves about
//! 410). The pair restores touch O(N^(2/3)) values.
//!
//! Shared memory per block: tile x line x 16 B (the lines and the FFT's ping-pong scratch),
//! at most 48 KB, so no opt-in: 128-point lines take tiles of 16 (32 KB), 256 of 8 (32 KB),
//! 384 of 8 (48 KB); 32 to 256 threads per block. Lengths, tiles and radices are
//! compile-time constants (mixed.cu is compiled with NVRTC for the run's grid). Axes with a
//! prime factor above 7 or longer than 3072 points are refused.

mod args;
mod estimate;
mod line_check;
mod lines;
mod pairs;
mod sensors;

pub use estimate::estimate_mixed_domain_bytes;
pub use line_check::LineFft;

use super::backend::skip_overwritten_points;
use super::deferred::DeferredError;
use super::driver::{describe, failed, open_first_device};
use super::fft::GridFft;
use super::memory::{DeviceMemory, Sizes};
use super::params::{Launch, Scene, SourceArg, SOURCE_ADDITIVE};
use super::program::{function, launch, launch_blocks, launch_with, load_module, Kernels};
use crate::catalogue::{AcousticState, AxisPass, MixedDomainBackend, Samples, WholeGrid};
use crate::cpu::mixed::layout::Dims;
use crate::cpu::mixed::tables::{Absorption, Tables};
use crate::cpu::mixed::{absorbing, forms_grid_pressure, unsupported_reason};
use crate::device::{DeviceError, DeviceKind};
use crate::kspace;
use crate::setup::{AcousticSetup, PointSource, SourceInjection};
use crate::{PassShape, PassTuning};
use args::{PassArgs, StepArgs};
use cudarc::driver::sys::{CUdevice_attribute, CUfunction_attribute};
use cudarc::driver::{CudaContext, CudaFunction, CudaStream, LaunchConfig};
use lines::{LinePlan, MAX_LINE};
use std::sync::Arc;

/// The mixed-domain kernels: the shared-memory FFT and mixed.cu, compiled as one program.
const FFT_SOURCE: &str = include_str!("../../../cuda/line_fft.cuh");
const MIXED_SOURCE: &str = include_str!("../../../cuda/mixed.cu");

/// Threads per block of the reduction and element-wise kernels.
const BLOCK: u32 = 256;

/// Most sensors mixed.cu's spectral sums hold (its MAX_SENSORS); the CPU's
/// `MAX_SPECTRAL_SENSORS` decides when p is formed on the grid instead.
const MAX_SPECTRAL_SENSORS: usize = 32;

/// Why `setup` cannot run on `MixedDomainCuda`, or None if it can. Needs no device.
pub fn mixed_domain_unsupported(setup: &AcousticSetup) -> Option<String> {
    if let Some(reason) = unsupported_reason(setup) {
        return Some(reason.to_string());
    }
    let dims = Dims::new(setup.shape, setup.ndim);
    if 2 * dims.half_len() >= i32::MAX as usize || dims.x_domain_len() >= i32::MAX as usize {
        return Some(format!(
            "the grid {:?} is larger than the CUDA backend's 2^31-element buffers",
            setup.shape
        ));
    }
    (0..setup.ndim).find_map(|axis| {
        LinePlan::new(&dims, axis).is_none().then(|| {
            format!(
                "axis {axis} has {} points: the CUDA mixed-domain passes need prime factors \
                 2, 3, 5 and 7 only and at most {MAX_LINE} points (a line and its scratch in \
                 48 KB of shared memory)",
                setup.shape[axis]
            )
        })
    })
}

/// The compile-time constants of mixed.cu for this run.
fn defines(plans: &[LinePlan]) -> Vec<String> {
    let mut out = vec!["-DFIXED_SIZES".to_string()];
    out.extend(args::layout_defines());
    for axis in 0..3 {
        match plans.get(axis) {
            Some(plan) => out.extend(plan.defines(axis)),
            None => out.extend([
                format!("-DLEN_{axis}=1u"),
                format!("-DTILE_{axis}=1u"),
                format!("-DRADICES_{axis}=0ull"),
            ]),
        }
    }
    out
}

/// Compiles the mixed-domain kernels for the grid `shape` with NVRTC, for tests without a
/// device: native code for compute capability `major.minor`. `Unavailable` when libnvrtc is
/// missing.
pub fn compile_mixed_kernels(
    shape: [usize; 3],
    ndim: usize,
    major: i32,
    minor: i32,
) -> Result<(), DeviceError> {
    // SAFETY: only attempts to dlopen the library by name.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Err(super::driver::unavailable(
            "the NVRTC library (libnvrtc.so) was not found",
        ));
    }
    let dims = Dims::new(shape, ndim);
    let plans: Vec<LinePlan> = (0..ndim)
        .map(|axis| LinePlan::new(&dims, axis))
        .collect::<Option<_>>()
        .ok_or_else(|| unsupported(format!("the grid {shape:?}")))?;
    super::program::compile_source(
        &format!("{FFT_SOURCE}\n{MIXED_SOURCE}"),
        "mixed.cu",
        super::program::Target::Native(major, minor),
        &defines(&plans),
    )
    .map(|_| ())
    .map_err(|e| failed("NVRTC could not compile kernels/cuda/mixed.cu", e))
}

fn unsupported(reason: impl Into<String>) -> DeviceError {
    DeviceError::Unsupported {
        device: DeviceKind::Cuda,
        reason: reason.into(),
    }
}

struct MixedKernels {
    passes: [CudaFunction; 3],
    restore_pairs: CudaFunction,
    absorption: CudaFunction,
    source_correction: CudaFunction,
    scale_grid: CudaFunction,
    sensor_sums: CudaFunction,
    sensor_finish: CudaFunction,
}

/// A list of conjugate pairs and the arrays it restores.
struct PairList {
    pairs: u64,
    count: usize,
    /// The arrays (0: none); F{p}'s list is given the current F{p} at each restore.
    data: [u64; 2],
}

/// The additive pressure source: its points and signal, F{S} and the correction table.
struct PressureSource {
    source: PointSource,
    arg: SourceArg,
    spectrum: u64,
    /// cos(c_ref dt |k| / 2) when k-space corrected, else 0.
    correction: u64,
    active: bool,
}

/// How p reaches the sensors and the whole-grid records.
enum Pressure {
    /// Few sensors, no records: sums over F{p} with the phase tables, f64 sums per sensor.
    Spectral { phase: [u64; 3], sums: u64 },
    /// p on the grid (padded real view): an inverse real transform of a copy of F{p}.
    Grid { grid: u64 },
}

pub struct MixedDomainCuda {
    // Declaration order is drop order: the plans go before the memory they use.
    fft: GridFft,
    kernels: MixedKernels,
    split_kernels: Kernels,
    memory: DeviceMemory,
    stream: Arc<CudaStream>,
    _ctx: Arc<CudaContext>,
    dims: Dims,
    plans: Vec<LinePlan>,
    /// Per axis, the pass arguments but for those set per call.
    passes: Vec<PassArgs>,
    /// Sensors, samples, CW sums and records, for the split form's kernels.
    scene: Scene,
    sizes: Sizes,
    spectra: [u64; 2],
    current: usize,
    step_formed: bool,
    divergence: u64,
    absorption: Option<StepArgs>,
    spectrum_pairs: PairList,
    domain_pairs: Vec<PairList>,
    initial_pressure: Option<Vec<f32>>,
    pressure_source: Option<PressureSource>,
    pressure: Pressure,
    keep: bool,
    extremes: bool,
    filled: usize,
    host_samples: Vec<f32>,
    error: DeferredError,
}

impl MixedDomainCuda {
    /// Opens CUDA device 0 and uploads the run; refuses what the mixed-domain passes cannot
    /// run, and, before allocating, a run that needs more than the device's free memory.
    pub fn new(setup: AcousticSetup) -> Result<Self, DeviceError> {
        Self::with_tuning(setup, &PassTuning::default())
    }

    /// As `new`, with the axis passes' blocks shaped by `tuning` (for the device check's
    /// sweep); a tile above 48 KB of shared memory takes the card's opt-in, up to its limit.
    pub fn with_tuning(mut setup: AcousticSetup, tuning: &PassTuning) -> Result<Self, DeviceError> {
        if let Some(reason) = mixed_domain_unsupported(&setup) {
            return Err(unsupported(format!("the mixed-domain form: {reason}")));
        }
        let ndim = setup.ndim;
        let dims = Dims::new(setup.shape, ndim);
        let tables = Tables::new(&setup, &dims).ok_or_else(|| unsupported("heterogeneous"))?;
        let ctx = open_first_device()?;
        let shared_limit = if tuning.max_tile.is_some() {
            let optin = CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN;
            let bytes = ctx
                .attribute(optin)
                .map_err(|e| failed("shared memory opt-in limit", e))?;
            usize::try_from(bytes).unwrap_or(0)
        } else {
            lines::SHARED_BYTES
        };
        let plans: Vec<LinePlan> = (0..ndim)
            .map(|axis| {
                LinePlan::tuned(&dims, axis, tuning, shared_limit)
                    .expect("checked by mixed_domain_unsupported")
            })
            .collect();
        let stream = ctx.default_stream();
        let (device, free, _) = describe(&ctx)?;
        let fft = GridFft::new(setup.shape, ndim, &stream)?;
        let needed = (estimate::bytes_without_fft(&setup) + fft.work_bytes) as u64;
        if needed > free {
            return Err(DeviceError::OutOfMemory {
                device,
                needed_bytes: needed,
                available_bytes: free,
            });
        }
        let split_kernels = Kernels::load(&ctx)?;
        let module = load_module(
            &ctx,
            &format!("{FFT_SOURCE}\n{MIXED_SOURCE}"),
            "kernels/cuda/mixed.cu",
            &defines(&plans),
        )?;
        let kernels = MixedKernels {
            passes: [
                function(&module, "mixed_pass_x")?,
                function(&module, "mixed_pass_y")?,
                function(&module, "mixed_pass_z")?,
            ],
            restore_pairs: function(&module, "mixed_restore_pairs")?,
            absorption: function(&module, "mixed_absorption")?,
            source_correction: function(&module, "mixed_source_correction")?,
            scale_grid: function(&module, "mixed_scale_grid")?,
            sensor_sums: function(&module, "mixed_sensor_sums")?,
            sensor_finish: function(&module, "mixed_sensor_finish")?,
        };
        for (plan, kernel) in plans.iter().zip(&kernels.passes) {
            if plan.shared_bytes > lines::SHARED_BYTES {
                let opt_in = CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
                kernel
                    .set_attribute(opt_in, plan.shared_bytes as i32)
                    .map_err(|e| failed("shared memory opt-in", e))?;
            }
        }
        let sizes = Sizes::new(&setup);
        let half = dims.half_len();
        let n = dims.points();
        let mut memory = DeviceMemory::new(stream.clone(), device, free);

        let spectra = [memory.zeroed(half * 8)?, memory.zeroed(half * 8)?];
        if fft.work_bytes > 0 {
            let work = memory.zeroed(fft.work_bytes)?;
            fft.set_work_area(work)?;
        }
        // k^2 per axis over the whole axis: the pass kernels compute kappa from them.
        let mut k_squared = [0u64; 3];
        for (axis, table) in k_squared.iter_mut().enumerate() {
            let squares: Vec<f32> = kspace::wavenumbers(setup.shape[axis], setup.spacing[axis])
                .iter()
                .map(|k| (k * k) as f32)
                .collect();
            *table = memory.upload(&squares)?;
        }
        let divergence = if absorbing(&setup) {
            memory.zeroed(half * 8)?
        } else {
            0
        };
        let rho_scale = 1.0 / (ndim as f32 * tables.c0_squared);
        let mut passes = Vec::with_capacity(ndim);
        let mut domain_pairs = Vec::with_capacity(ndim);
        for (axis, plan) in plans.iter().enumerate() {
            let field_len = if axis == 0 { dims.x_domain_len() } else { half };
            let (u, rho) = (memory.zeroed(field_len * 8)?, memory.zeroed(field_len * 8)?);
            let dtr = tables.dt_over_rho[axis];
            passes.push(PassArgs {
                u,
                rho,
                k_squared,
                gradient: memory.upload(&tables.gradient[axis])?,
                divergence_factor: memory.upload(&tables.divergence[axis])?,
                pml: memory.upload(&setup.pml[axis])?,
                pml_staggered: memory.upload(&setup.pml_staggered[axis])?,
                twiddles: memory.upload(&plan.twiddles)?,
                radices: plan.radix_code,
                nx: dims.nx as u32,
                ny: dims.ny as u32,
                nz: dims.nz as u32,
                nxh: dims.nxh as u32,
                len: plan.len as u32,
                tile: plan.tile as u32,
                lines: plan.lines as u32,
                dt_over_rho: dtr,
                dt_rho0: tables.dt_rho0,
                c0_squared: tables.c0_squared,
                inverse_scale: tables.inverse_scale[axis],
                rho_scale: rho_scale * tables.inverse_scale[axis],
                half_dt_over_rho: 0.5 * dtr,
                axis_points: plan.len as f32,
                half_c_ref_dt: (0.5 * setup.c_ref * setup.dt) as f32,
                ..Default::default()
            });
            let list = pairs::domain(&dims, axis);
            domain_pairs.push(PairList {
                count: list.len() / 2,
                pairs: memory.upload(&list)?,
                data: [u, rho],
            });
        }
        let list = pairs::spectrum(&dims);
        let spectrum_pairs = PairList {
            count: list.len() / 2,
            pairs: memory.upload(&list)?,
            data: [0, 0],
        };
        let absorption = match &tables.absorption {
            Some(Absorption::PowerLaw {
                c0_squared_tau_rho0,
                eta,
                nabla1,
                nabla2,
            }) => Some(StepArgs {
                divergence,
                table: [memory.upload(nabla1)?, memory.upload(nabla2)?],
                power_law: 1,
                eta: *eta,
                tau_term: *c0_squared_tau_rho0,
                count: half as u32,
                ..Default::default()
            }),
            Some(Absorption::Stokes {
                c0_squared_tau_rho0,
            }) => Some(StepArgs {
                divergence,
                tau_term: *c0_squared_tau_rho0,
                count: half as u32,
                ..Default::default()
            }),
            None => None,
        };
        let pressure_source = match setup.pressure_source.take() {
            Some(source) => {
                let mut indices: Vec<u32> = source.indices.iter().map(|&i| i as u32).collect();
                // The CPU writes the points in order: a repeated point keeps its last value.
                skip_overwritten_points(&mut indices);
                let arg = SourceArg {
                    index: memory.upload(&indices)?,
                    signal: memory.upload(&source.signals)?,
                    count: indices.len() as u32,
                    per_point: source.per_point as u32,
                    length: source.length as u32,
                    mode: SOURCE_ADDITIVE,
                };
                let spectrum = memory.zeroed(half * 8)?;
                let correction = if source.injection == SourceInjection::Additive {
                    memory.upload(&Tables::source_kappa(&setup, &dims))?
                } else {
                    0
                };
                Some(PressureSource {
                    source,
                    arg,
                    spectrum,
                    correction,
                    active: false,
                })
            }
            None => None,
        };
        let sensors = sizes.sensors;
        let pressure = if forms_grid_pressure(&setup) {
            Pressure::Grid {
                grid: memory.zeroed(half * 8)?,
            }
        } else {
            if sensors > MAX_SPECTRAL_SENSORS {
                return Err(unsupported(format!(
                    "{sensors} sensors summed from F{{p}}: mixed.cu holds {MAX_SPECTRAL_SENSORS}"
                )));
            }
            let tables = sensors::phase_tables(&setup.sensor_points, &dims);
            Pressure::Spectral {
                phase: [
                    memory.upload(&tables[0])?,
                    memory.upload(&tables[1])?,
                    memory.upload(&tables[2])?,
                ],
                sums: memory.zeroed(sensors * 8)?,
            }
        };
        let sensor_points: Vec<u32> = setup.sensor_points.iter().map(|&i| i as u32).collect();
        let mut scene = Scene {
            nx: dims.nx as u32,
            ny: dims.ny as u32,
            nz: dims.nz as u32,
            nxh: dims.nxh as u32,
            pitch: (2 * dims.nxh) as u32,
            ndim: ndim as u32,
            points: n as u32,
            spectrum: half as u32,
            sensor_count: sensors as u32,
            channels: 1,
            sensors: memory.upload(&sensor_points)?,
            samples: memory.zeroed(sizes.capacity * sensors * 4)?,
            cw: memory.zeroed(2 * sensors * 8)?,
            ..Default::default()
        };
        if setup.keep_pressure_field {
            scene.kept = memory.zeroed(n * 4)?;
        }
        if setup.whole_grid_extremes.pressure {
            scene.p_max = memory.zeroed(n * 4)?;
            scene.p_min = memory.zeroed(n * 4)?;
        }
        scene.magnitude = memory.zeroed(4)?;

        let backend = Self {
            fft,
            kernels,
            split_kernels,
            memory,
            stream,
            _ctx: ctx,
            dims,
            plans,
            passes,
            scene,
            sizes,
            spectra,
            current: 0,
            step_formed: false,
            divergence,
            absorption,
            spectrum_pairs,
            domain_pairs,
            initial_pressure: setup.initial_pressure.take(),
            pressure_source,
            pressure,
            keep: setup.keep_pressure_field,
            extremes: setup.whole_grid_extremes.pressure,
            filled: 0,
            host_samples: Vec::new(),
            error: DeferredError::default(),
        };
        if backend.extremes {
            // Running extremes start at (-inf, +inf), as the CPU's.
            backend.fill(backend.scene.p_max, f32::NEG_INFINITY)?;
            backend.fill(backend.scene.p_min, f32::INFINITY)?;
        }
        backend
            .stream
            .synchronize()
            .map_err(|e| failed("device setup", e))?;
        Ok(backend)
    }

    fn fill(&self, address: u64, value: f32) -> Result<(), DeviceError> {
        let args = Launch {
            w_re: value as f64,
            output: [address, 0, 0],
            count: self.sizes.points as u32,
            ..Default::default()
        };
        launch(
            &self.stream,
            &self.split_kernels.fill,
            self.sizes.points,
            &self.scene,
            &args,
        )
    }

    /// Launches a `StepArgs` kernel over `items` items (one thread each).
    fn step_kernel(
        &self,
        kernel: &CudaFunction,
        items: usize,
        args: &StepArgs,
    ) -> Result<(), DeviceError> {
        if items == 0 {
            return Ok(());
        }
        let config = LaunchConfig {
            grid_dim: ((items as u64).div_ceil(BLOCK as u64) as u32, 1, 1),
            block_dim: (BLOCK, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: mixed.cu's StepArgs kernels take StepArgs by value; its addresses are live
        // allocations of this backend sized for the grid.
        unsafe { launch_with(&self.stream, kernel, config, args) }
    }

    fn run_transform_initial_pressure(&mut self) -> Result<(), DeviceError> {
        let p0 = self
            .initial_pressure
            .take()
            .expect("transform_initial_pressure needs an initial pressure");
        // The padded real view of cuFFT's in-place transform: rows of 2 nxh floats.
        let (nx, pitch) = (self.dims.nx, 2 * self.dims.nxh);
        let mut padded = vec![0.0f32; pitch * self.dims.ny * self.dims.nz];
        for (row, values) in padded.chunks_exact_mut(pitch).zip(p0.chunks_exact(nx)) {
            row[..nx].copy_from_slice(values);
        }
        let spectrum = self.spectra[self.current];
        self.memory.write(spectrum, &padded)?;
        self.fft.forward(spectrum)
    }

    fn run_transform_pressure_source(&mut self, step: usize) -> Result<(), DeviceError> {
        let Some(ps) = self.pressure_source.as_mut() else {
            return Ok(());
        };
        ps.active = ps.source.active(step);
        if !ps.active {
            return Ok(());
        }
        let (spectrum, correction, arg) = (ps.spectrum, ps.correction, ps.arg);
        self.memory.clear(spectrum, self.dims.half_len() * 8)?;
        let args = Launch {
            output: [spectrum, 0, 0],
            source: arg,
            step: step as u32,
            ..Default::default()
        };
        launch(
            &self.stream,
            &self.split_kernels.scatter_source,
            arg.count as usize,
            &self.scene,
            &args,
        )?;
        self.fft.forward(spectrum)?;
        if correction != 0 {
            let args = StepArgs {
                spectrum,
                table: [correction, 0],
                count: self.dims.half_len() as u32,
                ..Default::default()
            };
            self.step_kernel(&self.kernels.source_correction, self.dims.half_len(), &args)?;
        }
        Ok(())
    }

    fn run_axis_pass(&mut self, axis: usize, pass: AxisPass) -> Result<(), DeviceError> {
        let step = pass == AxisPass::Step;
        let source = self
            .pressure_source
            .as_ref()
            .filter(|ps| ps.active && step)
            .map_or(0, |ps| ps.spectrum);
        let args = PassArgs {
            spectrum: self.spectra[self.current],
            next: self.spectra[1 - self.current],
            divergence: if step { self.divergence } else { 0 },
            source,
            initial: (!step) as u32,
            ..self.passes[axis]
        };
        let plan = &self.plans[axis];
        let config = LaunchConfig {
            grid_dim: (plan.blocks as u32, 1, 1),
            block_dim: (plan.threads as u32, 1, 1),
            shared_mem_bytes: plan.shared_bytes as u32,
        };
        // SAFETY: the pass kernels take PassArgs by value; its addresses are live allocations
        // of this backend sized for the grid, and the shared memory is the plan's tile.
        unsafe { launch_with(&self.stream, &self.kernels.passes[axis], config, &args) }?;
        if step {
            self.step_formed = true;
        }
        Ok(())
    }

    /// The shape of each axis pass's launch.
    pub fn pass_shapes(&self) -> Vec<PassShape> {
        self.plans
            .iter()
            .map(|plan| PassShape {
                tile: plan.tile,
                shared_bytes: plan.shared_bytes,
                threads: plan.threads,
                blocks: plan.blocks,
            })
            .collect()
    }

    fn restore(&self, list: &PairList, data: [u64; 2]) -> Result<(), DeviceError> {
        let args = StepArgs {
            data,
            pairs: list.pairs,
            count: list.count as u32,
            ..Default::default()
        };
        self.step_kernel(&self.kernels.restore_pairs, list.count, &args)
    }

    fn run_form_pressure(&mut self, whole: WholeGrid) -> Result<(), DeviceError> {
        let half = self.dims.half_len();
        if self.step_formed {
            self.current = 1 - self.current;
            self.step_formed = false;
            if let Some(absorption) = &self.absorption {
                let args = StepArgs {
                    spectrum: self.spectra[self.current],
                    ..*absorption
                };
                self.step_kernel(&self.kernels.absorption, half, &args)?;
            }
        }
        let spectrum = self.spectra[self.current];
        self.restore(&self.spectrum_pairs, [spectrum, 0])?;
        for list in &self.domain_pairs {
            self.restore(list, list.data)?;
        }
        let sensors = self.sizes.sensors;
        match self.pressure {
            Pressure::Grid { grid } => {
                self.memory.copy(grid, spectrum, half * 8)?;
                self.fft.inverse(grid)?;
                let args = StepArgs {
                    grid,
                    kept: self.scene.kept,
                    p_max: self.scene.p_max,
                    p_min: self.scene.p_min,
                    keep: (whole.keep && self.keep) as u32,
                    extremes: (whole.extremes && self.extremes) as u32,
                    nx: self.dims.nx as u32,
                    pitch: 2 * self.dims.nxh as u32,
                    norm: 1.0 / self.dims.points() as f32,
                    count: self.dims.points() as u32,
                    ..Default::default()
                };
                self.step_kernel(&self.kernels.scale_grid, self.dims.points(), &args)?;
                if sensors > 0 {
                    let args = Launch {
                        input: [grid, 0, 0, 0, 0, 0],
                        filled: self.filled as u32,
                        ..Default::default()
                    };
                    launch(
                        &self.stream,
                        &self.split_kernels.sample_pressure,
                        sensors,
                        &self.scene,
                        &args,
                    )?;
                }
            }
            Pressure::Spectral { phase, sums } if sensors > 0 => {
                let args = StepArgs {
                    spectrum,
                    phase,
                    sums,
                    samples: self.scene.samples,
                    sensor_count: sensors as u32,
                    filled: self.filled as u32,
                    nxh: self.dims.nxh as u32,
                    ny: self.dims.ny as u32,
                    count: half as u32,
                    ..Default::default()
                };
                // A few elements per thread: enough blocks to fill the device, few atomics.
                let blocks = half.div_ceil(BLOCK as usize * 8).clamp(1, 1024) as u32;
                let config = LaunchConfig {
                    grid_dim: (blocks, 1, 1),
                    block_dim: (BLOCK, 1, 1),
                    shared_mem_bytes: 0,
                };
                // SAFETY: as in `step_kernel`; the kernel's reduction assumes BLOCK threads.
                unsafe { launch_with(&self.stream, &self.kernels.sensor_sums, config, &args) }?;
                self.step_kernel(&self.kernels.sensor_finish, sensors, &args)?;
            }
            Pressure::Spectral { .. } => {}
        }
        Ok(())
    }

    fn run_end_step(&mut self, cw: Option<(f64, f64)>) -> Result<(), DeviceError> {
        if let (Some((w_re, w_im)), true) = (cw, self.sizes.sensors > 0) {
            let args = Launch {
                w_re,
                w_im,
                filled: self.filled as u32,
                keep: 1,
                ..Default::default()
            };
            launch(
                &self.stream,
                &self.split_kernels.end_step,
                self.sizes.sensors,
                &self.scene,
                &args,
            )?;
        }
        self.filled += 1;
        Ok(())
    }

    fn velocity_unsupported() -> DeviceError {
        unsupported("the mixed-domain stepper does not record the velocity")
    }

    fn download_field(&self, address: u64, out: &mut [f32]) -> Result<(), DeviceError> {
        self.error.check()?;
        self.memory.download_field(address, self.sizes.points, out)
    }
}

impl MixedDomainBackend for MixedDomainCuda {
    fn transform_initial_pressure(&mut self) {
        if self.error.is_clear() {
            let result = self.run_transform_initial_pressure();
            self.error.keep(result);
        }
    }

    fn transform_pressure_source(&mut self, step: usize) {
        if self.error.is_clear() {
            let result = self.run_transform_pressure_source(step);
            self.error.keep(result);
        }
    }

    fn axis_pass(&mut self, axis: usize, pass: AxisPass) {
        if self.error.is_clear() {
            let result = self.run_axis_pass(axis, pass);
            self.error.keep(result);
        }
    }

    fn form_pressure(&mut self, whole: WholeGrid) {
        if self.error.is_clear() {
            let result = self.run_form_pressure(whole);
            self.error.keep(result);
        }
    }
}

impl AcousticState for MixedDomainCuda {
    fn end_step(&mut self, cw: Option<(f64, f64)>) {
        if self.error.is_clear() {
            let result = self.run_end_step(cw);
            self.error.keep(result);
        }
    }

    fn sample_capacity(&self) -> usize {
        self.sizes.capacity
    }

    fn take_samples(&mut self) -> Result<Samples<'_>, DeviceError> {
        self.error.check()?;
        let values = self.filled * self.sizes.sensors;
        self.host_samples.resize(values, 0.0);
        self.memory
            .download(self.scene.samples, &mut self.host_samples)?;
        let steps = self.filled;
        self.filled = 0;
        Ok(Samples {
            steps,
            pressure: &self.host_samples[..values],
            velocity: [&[], &[], &[]],
        })
    }

    fn cw_sums(&mut self) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        self.error.check()?;
        self.memory.cw_sums(self.scene.cw, self.sizes.sensors)
    }

    fn pressure_field(&mut self, out: &mut [f32]) -> Result<(), DeviceError> {
        self.download_field(self.scene.kept, out)
    }

    fn pressure_extremes(&mut self, max: &mut [f32], min: &mut [f32]) -> Result<(), DeviceError> {
        self.download_field(self.scene.p_max, max)?;
        self.download_field(self.scene.p_min, min)
    }

    fn velocity_extremes(
        &mut self,
        _: usize,
        _: &mut [f32],
        _: &mut [f32],
    ) -> Result<(), DeviceError> {
        Err(Self::velocity_unsupported())
    }

    fn velocity_line(
        &mut self,
        _: usize,
        _: usize,
        _: usize,
        _: &mut [f32],
    ) -> Result<(), DeviceError> {
        Err(Self::velocity_unsupported())
    }

    fn velocity_field(&mut self, _: usize, _: &mut [f32]) -> Result<(), DeviceError> {
        Err(Self::velocity_unsupported())
    }

    /// max |re|, |im| over the current F{p} (infinite when a value is not finite), by the
    /// split form's reduction over F{p} seen as 2 (nx/2 + 1) ny nz floats.
    fn density_magnitude(&mut self) -> Result<f32, DeviceError> {
        self.error.check()?;
        self.memory.clear(self.scene.magnitude, 4)?;
        let floats = 2 * self.dims.half_len();
        let scene = Scene {
            rho: [self.spectra[self.current], 0, 0],
            ndim: 1,
            points: floats as u32,
            ..self.scene
        };
        let blocks = floats.div_ceil(BLOCK as usize).min(4096) as u32;
        launch_blocks(
            &self.stream,
            &self.split_kernels.density_magnitude,
            blocks,
            &scene,
            &Launch::default(),
        )?;
        let mut bits = [0u32];
        self.memory.download(self.scene.magnitude, &mut bits)?;
        Ok(f32::from_bits(bits[0]))
    }

    fn bytes_allocated(&self) -> usize {
        self.memory.bytes()
    }
}
