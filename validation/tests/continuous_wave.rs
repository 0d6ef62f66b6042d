//! Steady-state (CW) amplitude and phase from a continuous sine pressure source in 1D.
//!
//! An additive pressure source scaled as k-Wave scales it (2 dt / (N c0 dx) with N = 1)
//! is a mass source that radiates a wave of the source's own amplitude in each direction:
//! p(x, t) = A sin(w (t - |x - xs| / c0)). The k-space scheme propagates it without
//! numerical dispersion (c_ref = c0), so the phase between two sensors is exactly
//! -w dx / c0. Tolerances: amplitude 1e-3 (measured 4e-6 .. 1e-5: float32 and the running
//! DFT over a window that is not a whole number of samples per period), phase 1e-3 rad
//! (measured < 1e-4). Dropping the k = 1 scaling (N = 3) or the time staggering of the
//! source would miss these by orders of magnitude.

use ferrowave_solvers::acoustic::*;
use ferrowave_validation::setup;
use std::f64::consts::PI;

#[test]
fn cw_amplitude_and_phase_of_a_plane_wave() {
    let (n, dx, c0, f, amplitude) = (512, 1e-4, 1500.0, 1e6, 2.0);
    let grid = Grid::new(&[n], &[dx]).unwrap();
    let dt = 0.3 * dx / c0;
    let steps = 900;
    let ramp = 3.0 / f;
    let signal: Vec<f32> = (0..steps)
        .map(|k| {
            let t = k as f64 * dt;
            let envelope = if t < ramp {
                0.5 - 0.5 * (PI * t / ramp).cos()
            } else {
                1.0
            };
            (amplitude * envelope * (2.0 * PI * f * t).sin()) as f32
        })
        .collect();
    let source_at = 100;
    let sensors = [150usize, 170, 60];
    let sim = Simulation {
        medium: setup::homogeneous(c0, 1000.0),
        pml: Pml::kwave_default(1),
        time: TimeSpec {
            dt_s: Some(dt),
            steps: Some(steps),
            ..Default::default()
        },
        sources: Sources {
            pressure: Some(TimeVaryingSource {
                points: vec![source_at],
                signals: signal,
                per_point: false,
                length: steps,
                mode: SourceMode::Additive,
                units: SignalUnits::Physical,
            }),
            ..Default::default()
        },
        sensor: Sensor {
            points: sensors.to_vec(),
            record: Record {
                cw: Some(ContinuousWave {
                    frequency_hz: f,
                    periods: 4.0,
                }),
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: None,
        grid,
    };
    let data = setup::run(&sim);
    let amp = data.cw_amplitude.unwrap();
    let phase = data.cw_phase.unwrap();
    for (j, &x) in sensors.iter().enumerate() {
        let error = (amp[j] as f64 - amplitude).abs() / amplitude;
        println!(
            "sensor at {x}: amplitude {} (error {error:.2e}), phase {}",
            amp[j], phase[j]
        );
        assert!(error < 1e-3, "amplitude at {x}: {}", amp[j]);
    }
    let wrap = |a: f64| (a + PI).rem_euclid(2.0 * PI) - PI;
    let k = 2.0 * PI * f / c0;
    for (a, b) in [(0, 1), (0, 2)] {
        let distance = (sensors[b] as f64 - source_at as f64).abs()
            - (sensors[a] as f64 - source_at as f64).abs();
        let measured = wrap(phase[b] as f64 - phase[a] as f64);
        let expected = wrap(-k * distance * dx);
        println!("phase {a}->{b}: {measured:.4} expected {expected:.4}");
        assert!(wrap(measured - expected).abs() < 1e-3);
    }
}
