//! Helpers that build acoustic solver inputs for the validation cases and read results back.

use ferrowave_solvers::acoustic::{
    Grid, Medium, Plan, Pml, Property, Record, Sensor, SensorData, Simulation, Sources, TimeSpec,
};

/// A lossless, linear medium with one sound speed and density.
pub fn homogeneous(c0: f64, rho0: f64) -> Medium {
    Medium {
        sound_speed: Property::Uniform(c0),
        density: Property::Uniform(rho0),
        density_staggered: None,
        absorption: None,
        nonlinearity: None,
    }
}

/// Evaluates `f` at every grid point (coordinates in metres from point (0, 0, 0)), x fastest.
pub fn sample(grid: &Grid, f: impl Fn([f64; 3]) -> f64) -> Vec<f32> {
    (0..grid.num_points())
        .map(|i| {
            let c = grid.coords(i);
            f([
                c[0] as f64 * grid.spacing_m[0],
                c[1] as f64 * grid.spacing_m[1],
                c[2] as f64 * grid.spacing_m[2],
            ]) as f32
        })
        .collect()
}

/// An initial-value problem: p0 given (not smoothed), zero initial velocity, pressure
/// recorded at `sensors` from step 0.
pub fn initial_value_problem(
    grid: Grid,
    medium: Medium,
    pml: Pml,
    dt_s: f64,
    steps: usize,
    p0: Vec<f32>,
    sensors: Vec<usize>,
) -> Simulation {
    Simulation {
        grid,
        medium,
        pml,
        time: TimeSpec {
            dt_s: Some(dt_s),
            steps: Some(steps),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: false,
            ..Default::default()
        },
        sensor: Sensor {
            points: sensors,
            record: Record {
                p: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
    }
}

/// Plans and runs on two threads, panicking with the solver's message on failure.
pub fn run(sim: &Simulation) -> SensorData {
    let plan = Plan::new(sim, 2).unwrap_or_else(|e| panic!("plan: {e}"));
    plan.run(&mut ()).unwrap_or_else(|e| panic!("run: {e}")).0
}

/// The pressure series of sensor `j` (sample n = p(n dt)), in f64.
pub fn pressure_series(data: &SensorData, j: usize) -> Vec<f64> {
    let p = data.p.as_ref().expect("pressure was recorded");
    p.row(j).iter().map(|&v| v as f64).collect()
}
