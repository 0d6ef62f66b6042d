//! The time loop: drives a backend step by step, records, watches stability.

use super::error::SolverError;
use super::non_staggered::NonStaggered;
use super::output::{Field, RunStats, SensorData};
use super::plan::Plan;
use super::recorder::Recorder;
use super::smoothing::smooth_like_kwave;
use super::stability::Watch;
use super::step::{Schedule, Stepper};
use ferrowave_kernels::cpu::mixed::MixedDomainCpu;
use ferrowave_kernels::cpu::{flush_subnormals_to_zero, CpuAcoustic};
use ferrowave_kernels::device::{open_gpu_acoustic, open_gpu_mixed_domain};
use ferrowave_kernels::{DeviceKind, Samples, StepForm, WholeGrid};
use ndarray::{IxDyn, ShapeBuilder};
use std::time::Instant;

/// Receives progress once per step.
pub trait Progress {
    fn update(&mut self, steps_done: usize, steps_total: usize);
}

/// No progress reporting.
impl Progress for () {
    fn update(&mut self, _: usize, _: usize) {}
}

/// Steps between checks of the whole field for NaN and runaway growth.
const FIELD_CHECK_INTERVAL: usize = 16;

impl Plan {
    /// Runs the simulation on the CPU backend with the plan's thread count.
    pub fn run(
        self,
        progress: &mut (dyn Progress + Send),
    ) -> Result<(SensorData, RunStats), SolverError> {
        self.run_on(DeviceKind::Cpu, progress)
    }

    /// Runs the simulation on `device`. The CPU uses the plan's thread count; a GPU backend
    /// refuses, before allocating, a run that does not fit in its free memory.
    pub fn run_on(
        self,
        device: DeviceKind,
        progress: &mut (dyn Progress + Send),
    ) -> Result<(SensorData, RunStats), SolverError> {
        self.check_memory_on(device)?;
        let threads = self.summary().threads;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .start_handler(|_| flush_subnormals_to_zero())
            .build()
            .map_err(|e| SolverError::Threads {
                threads,
                reason: e.to_string(),
            })?;
        pool.install(|| self.execute(device, progress, threads))
    }

    fn execute(
        self,
        device: DeviceKind,
        progress: &mut (dyn Progress + Send),
        threads: usize,
    ) -> Result<(SensorData, RunStats), SolverError> {
        let started = Instant::now();
        let form = self.step_form(device);
        let steps = self.summary().steps;
        let dt = self.summary().dt_s;
        let Plan {
            mut setup,
            smooth_initial_pressure,
            map,
            record,
            record_start,
            sources_end,
            ..
        } = self;
        if smooth_initial_pressure {
            // k-Wave smooths p0 on the user's grid, before any outside PML is added.
            if let Some(p0) = setup.initial_pressure.take() {
                let user = &map.user;
                let smoothed = smooth_like_kwave(&map.crop(&p0), user.shape, user.ndim, true);
                drop(p0);
                setup.initial_pressure = Some(map.expand_fill(&smoothed, 0.0));
            }
        }
        let ndim = setup.ndim;
        let schedule = Schedule::new(&setup);
        let has_initial_pressure = setup.initial_pressure.is_some();
        let sensors = setup.sensor_points.len();
        let mut recorder = Recorder::new(&record, record_start, steps, sensors, ndim, dt);
        let mut watch = Watch::new(sources_end);
        let mut non_staggered = record
            .u_non_staggered
            .then(|| NonStaggered::new(&setup.sensor_points, setup.shape, setup.spacing, ndim));
        let mut stepper = match (device, form) {
            (DeviceKind::Cpu, StepForm::MixedDomain) => Stepper::MixedDomain(
                Box::new(
                    MixedDomainCpu::new(setup)
                        .expect("the plan chose the mixed-domain form for this setup"),
                ),
                ndim,
            ),
            (DeviceKind::Cpu, StepForm::Split) => {
                Stepper::Split(Box::new(CpuAcoustic::new(setup)), schedule)
            }
            (gpu, StepForm::MixedDomain) => {
                Stepper::MixedDomain(open_gpu_mixed_domain(gpu, setup, &self.pass_tuning)?, ndim)
            }
            (gpu, StepForm::Split) => Stepper::Split(open_gpu_acoustic(gpu, setup)?, schedule),
        };
        // The non-staggered shift reads grid lines of u after each step, so samples are
        // taken every step then.
        let capacity = if non_staggered.is_some() {
            1
        } else {
            stepper.state().sample_capacity().max(1)
        };
        let mut first_untaken = 0;

        for n in 0..steps {
            let recording = n >= record_start;
            let pressure = WholeGrid {
                keep: record.p_final && n + 1 == steps,
                extremes: recording && (record.p_max_all || record.p_min_all),
            };
            let velocity = WholeGrid {
                keep: false,
                extremes: recording && (record.u_max_all || record.u_min_all),
            };
            if n == 0 && has_initial_pressure {
                stepper.initial_pressure(ndim, pressure, velocity);
            } else {
                stepper.advance(n, pressure, velocity);
            }
            let backend = stepper.state();
            backend.end_step(recorder.cw_weights(n));
            if n + 1 - first_untaken == capacity || n + 1 == steps {
                let samples = backend.take_samples()?;
                record_samples(
                    &samples,
                    first_untaken,
                    sensors,
                    ndim,
                    &mut watch,
                    &mut recorder,
                )?;
                first_untaken = n + 1;
            }
            if let Some(shift) = non_staggered.as_mut() {
                if n >= record_start {
                    for axis in 0..ndim {
                        recorder.non_staggered(n, axis, shift.sample(backend, axis)?);
                    }
                }
            }
            if n % FIELD_CHECK_INTERVAL == 0 || n + 1 == steps {
                watch.check_field(n, backend.density_magnitude()?)?;
            }
            progress.update(n + 1, steps);
        }

        let backend = stepper.state();
        let mut data = SensorData::default();
        let cw_sums = if recorder.wants_cw() {
            Some(backend.cw_sums()?)
        } else {
            None
        };
        recorder.finish(&mut data, cw_sums);
        let field = |values: Vec<f32>| -> Field {
            Field::from_shape_vec(IxDyn(map.user.dims()).f(), values)
                .expect("cropped field matches the user grid")
                .as_standard_layout()
                .into_owned()
        };
        let points = map.num_points();
        let mut buffer = vec![0.0; if record.any_whole_grid() { points } else { 0 }];
        let mut second = vec![0.0; if record.any_whole_grid() { points } else { 0 }];
        if record.p_final {
            backend.pressure_field(&mut buffer)?;
            data.p_final = Some(field(map.crop(&buffer)));
        }
        if record.u_final {
            let mut fields = Vec::with_capacity(ndim);
            for axis in 0..ndim {
                backend.velocity_field(axis, &mut buffer)?;
                fields.push(field(map.crop(&buffer)));
            }
            data.u_final = Some(fields);
        }
        if record.p_max_all || record.p_min_all {
            backend.pressure_extremes(&mut buffer, &mut second)?;
            data.p_max_all = record.p_max_all.then(|| field(map.crop(&buffer)));
            data.p_min_all = record.p_min_all.then(|| field(map.crop(&second)));
        }
        if record.u_max_all || record.u_min_all {
            let (mut max, mut min) = (Vec::new(), Vec::new());
            for axis in 0..ndim {
                backend.velocity_extremes(axis, &mut buffer, &mut second)?;
                max.push(field(map.crop(&buffer)));
                min.push(field(map.crop(&second)));
            }
            data.u_max_all = record.u_max_all.then_some(max);
            data.u_min_all = record.u_min_all.then_some(min);
        }
        let stats = RunStats {
            steps,
            dt_s: dt,
            wall_seconds: started.elapsed().as_secs_f64(),
            bytes_allocated: backend.bytes_allocated(),
            threads,
            device,
        };
        Ok((data, stats))
    }
}

/// Feeds a block of samples, whose first step is `first_step`, to the stability watch and
/// the recorder.
fn record_samples(
    samples: &Samples,
    first_step: usize,
    sensors: usize,
    ndim: usize,
    watch: &mut Watch,
    recorder: &mut Recorder,
) -> Result<(), SolverError> {
    for k in 0..samples.steps {
        let n = first_step + k;
        let row = k * sensors..(k + 1) * sensors;
        let p = &samples.pressure[row.clone()];
        watch.check_samples(n, p)?;
        recorder.pressure(n, p);
        if recorder.wants_velocity() {
            for axis in 0..ndim {
                recorder.velocity(n, axis, &samples.velocity[axis][row.clone()]);
            }
        }
    }
    Ok(())
}
