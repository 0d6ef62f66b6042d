//! Runs that cannot be stable are refused before they start; runs that go unstable stop with
//! the step and a reason. (Runs that do not fit in memory: tests/cli.rs, which sets
//! FERROWAVE_MEMORY_LIMIT_MIB for a child process only.)

use ferrowave_solvers::acoustic::*;

fn pulse_1d(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (-((i as f32 - n as f32 / 2.0) / 3.0).powi(2)).exp())
        .collect()
}

fn simulation(n: usize) -> Simulation {
    Simulation {
        grid: Grid::new(&[n], &[1e-4]).unwrap(),
        medium: Medium {
            sound_speed: Property::Uniform(1500.0),
            density: Property::Uniform(1000.0),
            density_staggered: None,
            absorption: None,
            nonlinearity: None,
        },
        pml: Pml::kwave_default(1),
        time: TimeSpec {
            steps: Some(400),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(pulse_1d(n)),
            ..Default::default()
        },
        sensor: Sensor {
            points: vec![n / 2],
            record: Record {
                p: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
    }
}

#[test]
fn a_time_step_beyond_the_k_space_limit_is_refused_before_running() {
    let mut sim = simulation(256);
    let mut c = vec![1500.0f32; 256];
    c[100..140].fill(3000.0);
    sim.medium.sound_speed = Property::Map(c);
    sim.c_ref_m_s = Some(1500.0);
    sim.time.dt_s = Some(5e-8);
    let error = Plan::new(&sim, 1).err().expect("refused");
    let text = error.to_string();
    assert!(text.contains("stability limit"), "{text}");
}

#[test]
fn runaway_absorption_stops_with_the_step_and_a_reason() {
    let mut sim = simulation(256);
    sim.medium.absorption = Some(Absorption {
        alpha_coeff_db: Property::Uniform(500.0),
        alpha_power: 1.5,
        stokes: false,
    });
    sim.time.cfl = 0.9;
    let plan = Plan::new(&sim, 1).expect("plan");
    match plan.run(&mut ()) {
        Err(SolverError::Unstable { step, reason }) => {
            assert!(step > 0 && step < 400, "step {step}");
            assert!(!reason.is_empty());
        }
        other => panic!("expected an unstable run, got {:?}", other.map(|_| ())),
    }
}

/// The mixed-domain form watches its fields too: a source strong enough to overflow float32
/// stops the run with the step and a reason instead of writing infinities.
#[test]
fn an_overflowing_source_stops_a_mixed_domain_run_with_a_reason() {
    let mut sim = simulation(128);
    sim.sources.initial_pressure = None;
    sim.sources.pressure = Some(TimeVaryingSource {
        points: vec![40],
        signals: vec![3e38; 50],
        per_point: false,
        length: 50,
        mode: SourceMode::Additive,
        units: SignalUnits::Physical,
    });
    let plan = Plan::new(&sim, 1).expect("plan");
    assert!(
        plan.summary().cpu_step.starts_with("mixed-domain"),
        "{}",
        plan.summary().cpu_step
    );
    match plan.run(&mut ()) {
        Err(SolverError::Unstable { step, reason }) => {
            assert!(step < 400, "step {step}");
            assert!(reason.contains("NaN or infinite"), "{reason}");
        }
        other => panic!("expected an unstable run, got {:?}", other.map(|_| ())),
    }
}
