//! Lid-driven cavity (2D): the unit square, no-slip walls, the lid y = 1 moving at speed 1
//! along +x, fluid at rest at t = 0. Per sample the Reynolds number Re = U L / nu is drawn
//! uniformly from [reynolds-min, reynolds-max]; the snapshots show the spin-up of the
//! primary vortex from rest (the flow is steady at long times for Re up to ~ 1000).
//!
//! Solver: `fluid::mac` (staggered grid, third-order upwind advection, SSP-RK3 with a
//! projection per stage, multigrid-preconditioned CG pressure solve).

use super::{Attribute, GenerateError, Generator, SampleArray, SampleRng, SharedArray};
use crate::fluid::mac::{
    stack_velocity_2d, stacked_velocity_mask_2d, AxisBoundary, MacGrid, MacOptions, MacSolver,
    Side, StaggeredVelocity,
};
use rand::Rng;

/// Options of the cavity dataset (CLI: `ferrowave generate cavity --<field-name>`).
#[derive(Clone, Debug, PartialEq)]
pub struct CavityParameters {
    /// Cells per side of the unit cavity (`--resolution`). The data are stored on the solve
    /// grid: staggered values cannot be subsampled without moving them, so there is no
    /// `solve-resolution`.
    pub resolution: usize,
    /// Number of intervals T between stored snapshots (`--time-steps`): T + 1 snapshots,
    /// t = 0 first.
    pub time_steps: usize,
    /// Time between snapshots in L / U (`--snapshot-interval`).
    pub snapshot_interval: f64,
    /// Lower end of the Reynolds number range (`--reynolds-min`).
    pub reynolds_min: f64,
    /// Upper end of the Reynolds number range (`--reynolds-max`).
    pub reynolds_max: f64,
    /// Advective Courant number of the solver's time step (`--cfl`).
    pub cfl: f64,
    /// max |div u| after every projection, in U / L (`--divergence-tolerance`).
    pub divergence_tolerance: f64,
}

impl Default for CavityParameters {
    fn default() -> Self {
        Self {
            resolution: 64,
            time_steps: 50,
            snapshot_interval: 0.2,
            reynolds_min: 100.0,
            reynolds_max: 1000.0,
            cfl: 0.5,
            divergence_tolerance: 1e-6,
        }
    }
}

/// The cavity dataset.
#[derive(Clone, Debug)]
pub struct CavityGenerator {
    parameters: CavityParameters,
    grid: MacGrid,
}

pub(crate) fn parameter(name: &'static str, reason: impl Into<String>) -> GenerateError {
    GenerateError::Parameter {
        name,
        reason: reason.into(),
    }
}

pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<(), GenerateError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(parameter(
            name,
            format!("must be a positive number, got {value}"),
        ))
    }
}

/// Checks min <= max, both positive.
pub(crate) fn check_range(
    min_name: &'static str,
    min: f64,
    max_name: &'static str,
    max: f64,
) -> Result<(), GenerateError> {
    check_positive(min_name, min)?;
    check_positive(max_name, max)?;
    if min > max {
        return Err(parameter(
            max_name,
            format!("must be >= --{min_name} ({min}), got {max}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_solver(cfl: f64, tolerance: f64) -> Result<(), GenerateError> {
    if !(cfl > 0.0 && cfl <= 1.0) {
        return Err(parameter("cfl", format!("must be in (0, 1], got {cfl}")));
    }
    check_positive("divergence-tolerance", tolerance)
}

/// Draws uniformly from [min, max] (min when they are equal).
pub(crate) fn uniform(rng: &mut SampleRng, min: f64, max: f64) -> f64 {
    if min < max {
        rng.random_range(min..=max)
    } else {
        min
    }
}

/// The shared coordinate arrays of a 2D grid and the snapshot times.
pub(crate) fn grid_arrays(grid: &MacGrid, time_steps: usize, interval: f64) -> Vec<SharedArray> {
    let [nx, ny, _] = grid.cells();
    let h = grid.spacing();
    let faces = |n: usize, h: f64| (0..=n).map(|i| i as f64 * h).collect::<Vec<_>>();
    let cells = |n: usize, h: f64| (0..n).map(|i| (i as f64 + 0.5) * h).collect::<Vec<_>>();
    vec![
        SharedArray {
            name: "time",
            shape: vec![time_steps + 1],
            data: (0..=time_steps).map(|s| s as f64 * interval).collect(),
        },
        SharedArray {
            name: "x_faces",
            shape: vec![nx + 1],
            data: faces(nx, h[0]),
        },
        SharedArray {
            name: "x_cells",
            shape: vec![nx],
            data: cells(nx, h[0]),
        },
        SharedArray {
            name: "y_faces",
            shape: vec![ny + 1],
            data: faces(ny, h[1]),
        },
        SharedArray {
            name: "y_cells",
            shape: vec![ny],
            data: cells(ny, h[1]),
        },
        SharedArray {
            name: "velocity_mask",
            shape: vec![2, ny + 1, nx + 1],
            data: stacked_velocity_mask_2d(grid),
        },
    ]
}

/// The layout text stored as an attribute.
pub(crate) const VELOCITY_LAYOUT: &str =
    "velocity[..., 0, j, i] = u at x-face (x_faces[i], y_cells[j]) for j < ny, i <= nx; \
velocity[..., 1, j, i] = v at y-face (x_cells[i], y_faces[j]) for j <= ny, i < nx; \
the other entries (u row j = ny, v column i = nx) are padding, 0 (velocity_mask = 0); \
pressure[..., j, i] at the cell centre (x_cells[i], y_cells[j])";

/// Working memory of a 2D MAC solve of nx x ny cells plus the stored snapshots.
pub(crate) fn working_bytes_2d(nx: usize, ny: usize, snapshots: usize) -> usize {
    let padded_faces = (nx + 5) * (ny + 5);
    let padded_cells = (nx + 2) * (ny + 2);
    // Velocity, stage start and rate (2 components each); face kinds; the multigrid
    // levels (x, b, r, 6 weights, diag: 10 values per cell, 4/3 over the levels) and the
    // outer CG (6 vectors) and solver pressure buffers (2).
    let solver = 3 * 2 * padded_faces * 8 + 2 * padded_faces + padded_cells * 8 * (14 + 6 + 2);
    let snapshot_values = 2 * (nx + 1) * (ny + 1) + nx * ny;
    let stored = snapshots * snapshot_values * (8 + 4);
    solver + stored
}

impl CavityGenerator {
    pub fn new(parameters: CavityParameters) -> Result<Self, GenerateError> {
        let p = &parameters;
        if p.resolution < 8 {
            return Err(parameter(
                "resolution",
                format!("must be >= 8, got {}", p.resolution),
            ));
        }
        if p.time_steps == 0 {
            return Err(parameter("time-steps", "must be >= 1"));
        }
        check_positive("snapshot-interval", p.snapshot_interval)?;
        check_range(
            "reynolds-min",
            p.reynolds_min,
            "reynolds-max",
            p.reynolds_max,
        )?;
        check_solver(p.cfl, p.divergence_tolerance)?;
        let n = p.resolution;
        let lid = AxisBoundary::Bounded {
            low: Side::NoSlip {
                wall_velocity: [0.0; 3],
            },
            high: Side::NoSlip {
                wall_velocity: [1.0, 0.0, 0.0],
            },
        };
        let grid = MacGrid::new_2d([n, n], [1.0 / n as f64; 2], [AxisBoundary::WALLS, lid])
            .map_err(|e| parameter("resolution", e.to_string()))?;
        Ok(Self { parameters, grid })
    }

    pub fn parameters(&self) -> &CavityParameters {
        &self.parameters
    }

    /// Solves one cavity flow at Reynolds number `reynolds`; returns the stacked velocity
    /// snapshots and the pressure snapshots (f64).
    pub fn solve(&self, reynolds: f64) -> Result<(Vec<f64>, Vec<f64>), GenerateError> {
        let p = &self.parameters;
        let n = p.resolution;
        let options = MacOptions {
            viscosity: 1.0 / reynolds,
            cfl: p.cfl,
            divergence_tolerance: p.divergence_tolerance,
        };
        let rest = StaggeredVelocity::zeros(&self.grid);
        let mut solver = MacSolver::new(self.grid.clone(), &rest, options).map_err(solver_error)?;
        record(
            &mut solver,
            p.time_steps,
            p.snapshot_interval,
            2 * (n + 1) * (n + 1),
            n * n,
        )
    }
}

pub(crate) fn solver_error(e: crate::fluid::mac::MacError) -> GenerateError {
    GenerateError::Solver(e.to_string())
}

/// Advances `solver` through the snapshot times t = s * interval (s = 0..=time_steps,
/// relative to its current time) and stores the stacked velocity and the pressure at each.
pub(crate) fn record(
    solver: &mut MacSolver,
    time_steps: usize,
    interval: f64,
    velocity_len: usize,
    pressure_len: usize,
) -> Result<(Vec<f64>, Vec<f64>), GenerateError> {
    let start = solver.time();
    let mut velocity = vec![0.0; (time_steps + 1) * velocity_len];
    let mut pressure = vec![0.0; (time_steps + 1) * pressure_len];
    let mut current = StaggeredVelocity::zeros(solver.grid());
    for s in 0..=time_steps {
        solver
            .advance_to(start + s as f64 * interval)
            .map_err(solver_error)?;
        solver.velocity_into(&mut current);
        let range = s * velocity_len..(s + 1) * velocity_len;
        stack_velocity_2d(solver.grid(), &current, &mut velocity[range]);
        let p = solver.pressure().map_err(solver_error)?;
        pressure[s * pressure_len..(s + 1) * pressure_len].copy_from_slice(&p.values);
    }
    Ok((velocity, pressure))
}

impl Generator for CavityGenerator {
    fn problem(&self) -> &'static str {
        "cavity"
    }

    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        let p = &self.parameters;
        vec![
            ("resolution", Attribute::Int(p.resolution as i64)),
            ("time_steps", Attribute::Int(p.time_steps as i64)),
            ("snapshot_interval", Attribute::Float(p.snapshot_interval)),
            ("reynolds_min", Attribute::Float(p.reynolds_min)),
            ("reynolds_max", Attribute::Float(p.reynolds_max)),
            ("cavity_size", Attribute::Float(1.0)),
            ("lid_velocity", Attribute::Float(1.0)),
            ("cfl", Attribute::Float(p.cfl)),
            ("divergence_tolerance", Attribute::Float(p.divergence_tolerance)),
            ("velocity_layout", Attribute::Text(VELOCITY_LAYOUT.into())),
            (
                "scheme",
                Attribute::Text(
                    "MAC grid; third-order upwind-biased advection, second-order viscous and pressure \
                     stencils; SSP-RK3 with a pressure projection per stage (multigrid-preconditioned CG); \
                     CFL-limited adaptive dt; pressure = solution of the pressure Poisson equation for the \
                     stored velocity, zero mean"
                        .into(),
                ),
            ),
        ]
    }

    fn sample_arrays(&self) -> Vec<SampleArray> {
        let n = self.parameters.resolution;
        let t = self.parameters.time_steps + 1;
        vec![
            SampleArray {
                name: "velocity",
                shape: vec![t, 2, n + 1, n + 1],
            },
            SampleArray {
                name: "pressure",
                shape: vec![t, n, n],
            },
            SampleArray {
                name: "reynolds",
                shape: vec![],
            },
        ]
    }

    fn shared_arrays(&self) -> Vec<SharedArray> {
        grid_arrays(
            &self.grid,
            self.parameters.time_steps,
            self.parameters.snapshot_interval,
        )
    }

    fn working_bytes(&self) -> usize {
        let n = self.parameters.resolution;
        working_bytes_2d(n, n, self.parameters.time_steps + 1)
    }

    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let p = &self.parameters;
        let reynolds = uniform(rng, p.reynolds_min, p.reynolds_max);
        let (velocity, pressure) = self.solve(reynolds)?;
        Ok(vec![
            super::to_f32(&velocity),
            super::to_f32(&pressure),
            vec![reynolds as f32],
        ])
    }
}
