//! The benchmark problems, shared by the CPU and GPU benchmarks.

use ferrowave_solvers::acoustic::*;
use std::time::Instant;

/// Progress that starts the clock once the warm-up steps are done.
pub struct Timer {
    pub start: Option<Instant>,
    pub warmup: usize,
}

impl Progress for Timer {
    fn update(&mut self, done: usize, _total: usize) {
        if done == self.warmup {
            self.start = Some(Instant::now());
        }
    }
}

/// The issues' problem: 3D homogeneous water (1500 m/s, 1000 kg/m³), dx 0.1 mm, lossless,
/// PML 10 points inside (alpha 2), CFL 0.3, a smoothed p0 ball of radius 4 points at the
/// centre and two point sensors recording p; `steps` steps on an n³ grid.
pub fn problem(n: usize, steps: usize) -> Simulation {
    let grid = Grid::new(&[n, n, n], &[1e-4; 3]).unwrap();
    let mut p0 = vec![0.0f32; grid.num_points()];
    let c = n as f64 / 2.0;
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                let r2 = (x as f64 - c).powi(2) + (y as f64 - c).powi(2) + (z as f64 - c).powi(2);
                if r2 <= 16.0 {
                    p0[grid.index(x, y, z)] = 1.0;
                }
            }
        }
    }
    let sensors = vec![
        grid.index(n / 4, n / 2, n / 2),
        grid.index(n / 2, 3 * n / 4, n / 2),
    ];
    Simulation {
        medium: Medium {
            sound_speed: Property::Uniform(1500.0),
            density: Property::Uniform(1000.0),
            density_staggered: None,
            absorption: None,
            nonlinearity: None,
        },
        pml: Pml {
            size: [10; 3],
            alpha: [2.0; 3],
            inside: true,
        },
        time: TimeSpec {
            cfl: 0.3,
            steps: Some(steps),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(p0),
            smooth_initial_pressure: true,
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
        grid,
    }
}

/// `problem` in absorbing water: 0.5 dB/(MHz^y cm), y = 1.5 (a homogeneous absorbing medium,
/// which the CPU runs in the mixed-domain form too).
pub fn homogeneous_absorbing(n: usize, steps: usize) -> Simulation {
    let mut sim = problem(n, steps);
    sim.medium.absorption = Some(Absorption {
        alpha_coeff_db: Property::Uniform(0.5),
        alpha_power: 1.5,
        stokes: false,
    });
    sim
}

/// The heterogeneous absorbing variant: a skull-like shell (c 2800 m/s, rho 1850 kg/m³,
/// 8 dB/(MHz^y cm)) around soft tissue (1540 m/s, 1040 kg/m³, 0.6 dB/(MHz^y cm)), y = 1.43,
/// in water (0.002 dB/(MHz^y cm)); the p0 ball and sensors as `problem`.
pub fn heterogeneous_absorbing(n: usize, steps: usize) -> Simulation {
    let mut sim = problem(n, steps);
    let grid = sim.grid.clone();
    let c = n as f64 / 2.0;
    let (inner, outer) = (0.30 * n as f64, 0.36 * n as f64);
    let (mut speed, mut density, mut alpha) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..grid.num_points() {
        let [x, y, z] = grid.coords(i);
        let r = ((x as f64 - c).powi(2) + (y as f64 - c).powi(2) + (z as f64 - c).powi(2)).sqrt();
        let (s, d, a) = if r < inner {
            (1540.0, 1040.0, 0.6)
        } else if r < outer {
            (2800.0, 1850.0, 8.0)
        } else {
            (1500.0, 1000.0, 0.002)
        };
        speed.push(s);
        density.push(d);
        alpha.push(a);
    }
    sim.medium = Medium {
        sound_speed: Property::Map(speed),
        density: Property::Map(density),
        density_staggered: None,
        absorption: Some(Absorption {
            alpha_coeff_db: Property::Map(alpha),
            alpha_power: 1.43,
            stokes: false,
        }),
        nonlinearity: None,
    };
    sim
}
