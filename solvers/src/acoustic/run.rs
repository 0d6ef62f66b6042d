//! The time loop: drives a backend step by step, records, watches stability.

use super::error::SolverError;
use super::non_staggered::NonStaggered;
use super::output::{Field, RunStats, SensorData};
use super::plan::Plan;
use super::recorder::Recorder;
use super::smoothing::smooth_like_kwave;
use super::stability::Watch;
use super::step::{self, Schedule};
use ferrowave_kernels::cpu::CpuAcoustic;
use ferrowave_kernels::{AcousticBackend, WholeGrid};
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
        self.check_memory()?;
        let threads = self.summary().threads;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| SolverError::Threads {
                threads,
                reason: e.to_string(),
            })?;
        pool.install(|| self.execute(progress, threads))
    }

    fn execute(
        self,
        progress: &mut (dyn Progress + Send),
        threads: usize,
    ) -> Result<(SensorData, RunStats), SolverError> {
        let started = Instant::now();
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
        let mut backend = CpuAcoustic::new(setup);

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
                step::initial_pressure(&mut backend, ndim, pressure, velocity);
            } else {
                step::advance(&mut backend, &schedule, n, pressure, velocity);
            }
            let p = backend.pressure_samples();
            watch.check_samples(n, p)?;
            recorder.pressure(n, p);
            if recorder.wants_velocity() {
                for axis in 0..ndim {
                    recorder.velocity(n, axis, backend.velocity_samples(axis));
                }
            }
            if let Some(shift) = non_staggered.as_mut() {
                if n >= record_start {
                    for axis in 0..ndim {
                        recorder.non_staggered(n, axis, shift.sample(&backend, axis));
                    }
                }
            }
            if n % FIELD_CHECK_INTERVAL == 0 || n + 1 == steps {
                watch.check_field(n, backend.density_magnitude())?;
            }
            progress.update(n + 1, steps);
        }

        let mut data = SensorData::default();
        recorder.finish(&mut data);
        let field = |values: Vec<f32>| -> Field {
            Field::from_shape_vec(IxDyn(map.user.dims()).f(), values)
                .expect("cropped field matches the user grid")
                .as_standard_layout()
                .into_owned()
        };
        if record.p_final {
            data.p_final = Some(field(map.crop(backend.pressure_field())));
        }
        if record.u_final {
            let mut buffer = vec![0.0; map.num_points()];
            data.u_final = Some(
                (0..ndim)
                    .map(|axis| {
                        backend.velocity_field(axis, &mut buffer);
                        field(map.crop(&buffer))
                    })
                    .collect(),
            );
        }
        let (p_max, p_min) = backend.pressure_extremes();
        data.p_max_all = record.p_max_all.then(|| field(map.crop(p_max)));
        data.p_min_all = record.p_min_all.then(|| field(map.crop(p_min)));
        let velocity_extremes = |pick_max: bool| -> Vec<Field> {
            (0..ndim)
                .map(|axis| {
                    let (max, min) = backend.velocity_extremes(axis);
                    field(map.crop(if pick_max { max } else { min }))
                })
                .collect()
        };
        data.u_max_all = record.u_max_all.then(|| velocity_extremes(true));
        data.u_min_all = record.u_min_all.then(|| velocity_extremes(false));
        let stats = RunStats {
            steps,
            dt_s: dt,
            wall_seconds: started.elapsed().as_secs_f64(),
            bytes_allocated: backend.bytes_allocated(),
            threads,
        };
        Ok((data, stats))
    }
}
