//! The plan: a `Simulation` checked and turned into plain data every backend can execute.

use super::error::{invalid, SolverError};
use super::grid_map::GridMap;
use super::input::{ContinuousWave, Property, Record, Simulation};
use super::non_staggered::NonStaggered;
use super::recorder::Recorder;
use super::sources::{self, Target};
use super::{materials, memory, pml, stability};
use ferrowave_kernels::cpu::estimate_bytes;
use ferrowave_kernels::device::{gpu_acoustic_bytes, gpu_mixed_domain_bytes};
use ferrowave_kernels::setup::{AcousticSetup, Extremes};
use ferrowave_kernels::DeviceKind;
use ferrowave_kernels::{PassTuning, StepForm};

/// What `ferrowave check` prints and result files carry.
#[derive(Clone, Debug)]
pub struct PlanSummary {
    pub ndim: usize,
    /// The user's grid (x first).
    pub shape: Vec<usize>,
    /// The grid the solver steps: the user's, or larger by an outside PML.
    pub simulation_shape: Vec<usize>,
    pub spacing_m: Vec<f64>,
    pub dt_s: f64,
    pub steps: usize,
    pub c_ref_m_s: f64,
    pub c_min_m_s: f64,
    pub c_max_m_s: f64,
    /// c_max dt / min(dx).
    pub cfl: f64,
    pub pml_size: Vec<usize>,
    pub pml_alpha: Vec<f64>,
    pub pml_inside: bool,
    pub absorbing: bool,
    pub nonlinear: bool,
    pub sensors: usize,
    /// First recorded step (0-based).
    pub record_start_step: usize,
    /// The CW frequency and window, when CW amplitude and phase are recorded.
    pub cw: Option<ContinuousWave>,
    pub threads: usize,
    /// The form of the step on the CPU, and why (`StepForm::describe`).
    pub cpu_step: String,
    /// Estimated peak memory of the run on the CPU, bytes.
    pub memory_bytes: u64,
}

pub struct Plan {
    pub(crate) setup: AcousticSetup,
    /// Apply k-Wave's p0 smoothing when the run starts.
    pub(crate) smooth_initial_pressure: bool,
    pub(crate) map: GridMap,
    pub(crate) record: Record,
    pub(crate) record_start: usize,
    pub(crate) sources_end: usize,
    /// Run the split form even where the mixed-domain form applies.
    pub(crate) split_forced: bool,
    /// The shape of the GPU mixed-domain passes (the built-in one unless set).
    pub(crate) pass_tuning: PassTuning,
    /// Host memory of the recording, and of the p0 smoothing (which peaks before the run).
    recording_bytes: u64,
    smoothing_bytes: u64,
    /// Host memory of a run on a GPU backend, bytes.
    gpu_host_bytes: u64,
    summary: PlanSummary,
}

/// Peak host memory of a CPU run: the stepper and the recording, or the p0 smoothing before
/// them if that is larger.
fn cpu_memory_bytes(
    setup: &AcousticSetup,
    threads: usize,
    form: StepForm,
    recording_bytes: u64,
    smoothing_bytes: u64,
) -> u64 {
    (estimate_bytes(setup, threads, form) as u64 + recording_bytes).max(smoothing_bytes)
}

fn check_property(
    p: &Property,
    points: usize,
    name: &str,
    allow_zero: bool,
) -> Result<(), SolverError> {
    if let Property::Map(m) = p {
        if m.len() != points {
            return Err(invalid(format!(
                "{name}: map has {} values, the grid {points}",
                m.len()
            )));
        }
    }
    let (lo, hi) = (p.min(), p.max());
    if !lo.is_finite() || !hi.is_finite() || lo < 0.0 || (!allow_zero && lo <= 0.0) {
        return Err(invalid(format!(
            "{name} must be {} and finite (range {lo} .. {hi})",
            if allow_zero {
                "non-negative"
            } else {
                "positive"
            }
        )));
    }
    Ok(())
}

/// dt and the number of steps as k-Wave's makeTime chooses them, unless given.
fn time_axis(sim: &Simulation, c_min: f64, c_max: f64) -> Result<(f64, usize), SolverError> {
    let t = &sim.time;
    let grid = &sim.grid;
    let spacing = &grid.spacing_m[..grid.ndim];
    let dt = match t.dt_s {
        Some(dt) if dt.is_finite() && dt > 0.0 => dt,
        Some(dt) => return Err(invalid(format!("time.dt_s must be positive (got {dt})"))),
        None => {
            if !(t.cfl.is_finite() && t.cfl > 0.0) {
                return Err(invalid(format!(
                    "time.cfl must be positive (got {})",
                    t.cfl
                )));
            }
            t.cfl * spacing.iter().cloned().fold(f64::INFINITY, f64::min) / c_max
        }
    };
    let steps = match (t.steps, t.end_time_s) {
        (Some(0), _) => return Err(invalid("time.steps must be at least 1")),
        (Some(n), _) => n,
        (None, Some(end)) if end.is_finite() && end > 0.0 => (end / dt).floor() as usize + 1,
        (None, Some(end)) => {
            return Err(invalid(format!(
                "time.end_time_s must be positive (got {end})"
            )))
        }
        (None, None) => {
            let diagonal = (0..grid.ndim)
                .map(|a| (grid.shape[a] as f64 * grid.spacing_m[a]).powi(2))
                .sum::<f64>()
                .sqrt();
            (diagonal / c_min / dt).floor() as usize + 1
        }
    };
    Ok((dt, steps))
}

/// Peak bytes per grid point of k-Wave's p0 smoothing: the complex f64 spectrum, the f64
/// result and the f32 output beside the input.
pub(crate) const SMOOTHING_BYTES_PER_POINT: u64 = 16 + 8 + 4 + 4;

/// Refuses an allocation of `bytes` that would not fit in the available memory.
fn check_fits(bytes: u64) -> Result<(), SolverError> {
    match memory::available_bytes() {
        Some(available) if bytes > available => Err(SolverError::OutOfMemory {
            needed_mib: memory::mib(bytes),
            available_mib: memory::mib(available),
        }),
        _ => Ok(()),
    }
}

impl Plan {
    /// Checks `sim` and builds the plan for a run on `threads` threads (0: all cores).
    pub fn new(sim: &Simulation, threads: usize) -> Result<Self, SolverError> {
        let grid = &sim.grid;
        let ndim = grid.ndim;
        let points = grid.num_points();
        let medium = &sim.medium;
        check_property(&medium.sound_speed, points, "medium sound speed", false)?;
        check_property(&medium.density, points, "medium density", false)?;
        if let Some(sg) = &medium.density_staggered {
            for (a, p) in sg.iter().enumerate().take(ndim) {
                check_property(p, points, &format!("staggered density (axis {a})"), false)?;
            }
        }
        if let Some(a) = &medium.absorption {
            check_property(&a.alpha_coeff_db, points, "absorption alpha_coeff", true)?;
            if a.stokes && a.alpha_power != 2.0 {
                return Err(invalid(format!(
                    "Stokes absorption has alpha_power = 2 (got {})",
                    a.alpha_power
                )));
            }
            if !(a.alpha_power.is_finite() && a.alpha_power > 0.0 && a.alpha_power < 3.0) {
                return Err(invalid(format!(
                    "alpha_power must lie in (0, 3) (got {})",
                    a.alpha_power
                )));
            }
        }
        if let Some(b) = &medium.nonlinearity {
            check_property(b, points, "B/A", true)?;
        }
        for a in 0..ndim {
            let (size, alpha) = (sim.pml.size[a], sim.pml.alpha[a]);
            if sim.pml.inside && 2 * size >= grid.shape[a] {
                return Err(invalid(format!(
                    "the PML of axis {a} ({size} points each side) leaves no interior in {} points",
                    grid.shape[a]
                )));
            }
            if !(alpha.is_finite() && alpha >= 0.0) {
                return Err(invalid(format!(
                    "PML alpha of axis {a} must be non-negative (got {alpha})"
                )));
            }
        }

        let (c_min, c_max) = (medium.sound_speed.min(), medium.sound_speed.max());
        let c_ref = sim.c_ref_m_s.unwrap_or(c_max);
        if !(c_ref.is_finite() && c_ref > 0.0) {
            return Err(invalid(format!(
                "the reference sound speed must be positive (got {c_ref})"
            )));
        }
        let (dt, steps) = time_axis(sim, c_min, c_max)?;
        if medium.absorption.is_none() {
            if let Some(limit) = stability::time_step_limit(c_ref, c_max, &grid.spacing_m[..ndim]) {
                if dt > limit {
                    return Err(invalid(format!(
                        "dt = {dt:.4e} s exceeds the stability limit {limit:.4e} s of the k-space \
                         scheme with c_ref = {c_ref} m/s below max(c0) = {c_max} m/s; lower dt or \
                         raise the reference sound speed"
                    )));
                }
            }
        }

        let map = GridMap::new(grid, &sim.pml);
        let coefficients = materials::build(medium, &map, ndim, dt)?;

        let sensor = &sim.sensor;
        if let Some(&p) = sensor.points.iter().find(|&&p| p >= points) {
            return Err(invalid(format!(
                "sensor point index {p} is outside the grid of {points} points"
            )));
        }
        if sensor.record_start_step >= steps {
            return Err(invalid(format!(
                "sensor record_start_step {} is not before the last step ({steps} steps)",
                sensor.record_start_step
            )));
        }
        let record = &sensor.record;
        let wants_samples = record.p
            || record.p_max
            || record.p_min
            || record.p_rms
            || record.any_velocity()
            || record.u_non_staggered
            || record.cw.is_some();
        if wants_samples && sensor.points.is_empty() {
            return Err(invalid(
                "the sensor records per-point quantities but has no points",
            ));
        }
        if let Some(cw) = &record.cw {
            if !(cw.frequency_hz.is_finite() && cw.frequency_hz > 0.0 && cw.periods > 0.0) {
                return Err(invalid(
                    "the CW frequency and number of periods must be positive",
                ));
            }
            if cw.frequency_hz * dt >= 0.5 {
                return Err(invalid(format!(
                    "the CW frequency {} Hz is above the Nyquist frequency {} Hz of dt",
                    cw.frequency_hz,
                    0.5 / dt
                )));
            }
        }

        let sources = &sim.sources;
        let initial_pressure = match &sources.initial_pressure {
            None => None,
            Some(p0) => {
                if p0.len() != points {
                    return Err(invalid(format!(
                        "initial pressure has {} values, the grid {points}",
                        p0.len()
                    )));
                }
                if p0.iter().any(|v| !v.is_finite()) {
                    return Err(invalid("initial pressure holds NaN or infinite values"));
                }
                // Smoothed (if asked) at the start of the run, after the memory check.
                Some(map.expand_fill(p0, 0.0))
            }
        };
        let mut sources_end = 0;
        let pressure_source = match &sources.pressure {
            None => None,
            Some(s) => {
                sources::validate(s, points, "pressure source")?;
                sources_end = sources_end.max(s.length);
                Some(sources::build(
                    s,
                    Target::Pressure,
                    &map,
                    &coefficients.c0,
                    dt,
                ))
            }
        };
        let mut velocity_sources = [None, None, None];
        for (axis, slot) in velocity_sources.iter_mut().enumerate() {
            if let Some(s) = &sources.velocity[axis] {
                if axis >= ndim {
                    return Err(invalid(format!(
                        "velocity source on axis {axis} of a {ndim}D grid"
                    )));
                }
                sources::validate(s, points, &format!("velocity source (axis {axis})"))?;
                sources_end = sources_end.max(s.length);
                *slot = Some(sources::build(
                    s,
                    Target::Velocity(axis),
                    &map,
                    &coefficients.c0,
                    dt,
                ));
            }
        }

        let mut pml = [Vec::new(), Vec::new(), Vec::new()];
        let mut pml_staggered = [Vec::new(), Vec::new(), Vec::new()];
        for a in 0..3 {
            let (size, alpha) = if a < ndim {
                (sim.pml.size[a], sim.pml.alpha[a])
            } else {
                (0, 0.0)
            };
            let (r, s) = pml::profiles(map.shape[a], size, alpha, c_ref, grid.spacing_m[a], dt);
            pml[a] = r;
            pml_staggered[a] = s;
        }

        let setup = AcousticSetup {
            shape: map.shape,
            ndim,
            spacing: grid.spacing_m,
            dt,
            c_ref,
            pml,
            pml_staggered,
            dt_over_rho_staggered: coefficients.dt_over_rho_staggered,
            dt_rho0: coefficients.dt_rho0,
            c0_squared: coefficients.c0_squared,
            nonlinearity: coefficients.nonlinearity,
            absorption: coefficients.absorption,
            stokes: coefficients.stokes,
            initial_pressure,
            pressure_source,
            velocity_sources,
            sensor_points: sensor
                .points
                .iter()
                .map(|&p| map.to_simulation(p))
                .collect(),
            sample_velocity: record.any_velocity(),
            read_velocity_field: record.u_final || record.u_non_staggered,
            keep_pressure_field: record.p_final,
            whole_grid_extremes: Extremes {
                pressure: record.p_max_all || record.p_min_all,
                velocity: record.u_max_all || record.u_min_all,
            },
        };

        let threads = if threads == 0 {
            rayon::current_num_threads()
        } else {
            threads
        };
        let whole_grid_outputs = record.p_final as usize
            + if record.u_final { ndim } else { 0 }
            + record.p_max_all as usize
            + record.p_min_all as usize
            + if record.u_max_all { ndim } else { 0 }
            + if record.u_min_all { ndim } else { 0 };
        let finals = whole_grid_outputs * points * 4;
        let recording_bytes = (Recorder::estimate_bytes(
            record,
            sensor.record_start_step,
            steps,
            sensor.points.len(),
            ndim,
        ) + NonStaggered::estimate_bytes(sensor.points.len(), map.shape)
            + finals) as u64;
        let cpu_form = StepForm::for_setup(&setup, DeviceKind::Cpu);
        let smoothing = if sources.smooth_initial_pressure && sources.initial_pressure.is_some() {
            SMOOTHING_BYTES_PER_POINT * points as u64
        } else {
            0
        };
        let memory_bytes = cpu_memory_bytes(&setup, threads, cpu_form, recording_bytes, smoothing);
        // A GPU run keeps on the host the setup (coefficients, sources, p0) and what is
        // recorded; the fields live on the device.
        let gpu_host_bytes = (recording_bytes
            + setup.coefficient_bytes() as u64
            + 4 * points as u64 * setup.initial_pressure.is_some() as u64)
            .max(smoothing);
        let dims = |v: &[usize]| v[..ndim].to_vec();
        let summary = PlanSummary {
            ndim,
            shape: dims(&grid.shape),
            simulation_shape: dims(&map.shape),
            spacing_m: grid.spacing_m[..ndim].to_vec(),
            dt_s: dt,
            steps,
            c_ref_m_s: c_ref,
            c_min_m_s: c_min,
            c_max_m_s: c_max,
            cfl: c_max * dt
                / grid.spacing_m[..ndim]
                    .iter()
                    .cloned()
                    .fold(f64::INFINITY, f64::min),
            pml_size: dims(&sim.pml.size),
            pml_alpha: sim.pml.alpha[..ndim].to_vec(),
            pml_inside: sim.pml.inside,
            absorbing: medium.absorption.is_some(),
            nonlinear: medium.nonlinearity.is_some(),
            sensors: sensor.points.len(),
            record_start_step: sensor.record_start_step,
            cw: record.cw.clone(),
            threads,
            cpu_step: cpu_form.describe(&setup, DeviceKind::Cpu),
            memory_bytes,
        };
        Ok(Self {
            setup,
            smooth_initial_pressure: sources.smooth_initial_pressure,
            map,
            record: record.clone(),
            record_start: sensor.record_start_step,
            sources_end,
            split_forced: false,
            pass_tuning: PassTuning::default(),
            recording_bytes,
            smoothing_bytes: smoothing,
            gpu_host_bytes,
            summary,
        })
    }

    /// Runs the split form even where the mixed-domain form applies (to compare the two).
    pub fn force_split_form(&mut self) {
        self.split_forced = true;
        self.summary.cpu_step = self.step_description(DeviceKind::Cpu);
        self.summary.memory_bytes = cpu_memory_bytes(
            &self.setup,
            self.summary.threads,
            StepForm::Split,
            self.recording_bytes,
            self.smoothing_bytes,
        );
    }

    /// Shapes the GPU mixed-domain passes' blocks by `tuning` (the device check's sweep);
    /// results do not change, only the speed.
    pub fn set_pass_tuning(&mut self, tuning: PassTuning) {
        self.pass_tuning = tuning;
    }

    /// The form of the step on `device`.
    pub fn step_form(&self, device: DeviceKind) -> StepForm {
        if self.split_forced {
            StepForm::Split
        } else {
            StepForm::for_setup(&self.setup, device)
        }
    }

    /// The form of the step on `device`, and why: the `step` line of `check` and `run`.
    pub fn step_description(&self, device: DeviceKind) -> String {
        self.step_form(device).describe(&self.setup, device)
    }

    pub fn summary(&self) -> &PlanSummary {
        &self.summary
    }

    /// The plain-data setup a backend executes.
    pub fn setup(&self) -> &AcousticSetup {
        &self.setup
    }

    /// Refuses the run, before anything is allocated, if it would not fit in memory.
    pub fn check_memory(&self) -> Result<(), SolverError> {
        check_fits(self.summary.memory_bytes)
    }

    /// Host memory of a run on `device`, bytes.
    pub fn host_bytes(&self, device: DeviceKind) -> u64 {
        match device {
            DeviceKind::Cpu => self.summary.memory_bytes,
            _ => self.gpu_host_bytes,
        }
    }

    /// Device memory the backend of GPU `device` would allocate (the CUDA context aside).
    pub fn device_bytes(&self, device: DeviceKind) -> Result<u64, SolverError> {
        Ok(match self.step_form(device) {
            StepForm::Split => gpu_acoustic_bytes(device, &self.setup)?,
            StepForm::MixedDomain => gpu_mixed_domain_bytes(device, &self.setup)?,
        })
    }

    /// Refuses a run on `device` that would not fit in host memory. The GPU backends check
    /// their own memory when they open, before allocating.
    pub fn check_memory_on(&self, device: DeviceKind) -> Result<(), SolverError> {
        check_fits(self.host_bytes(device))
    }
}
