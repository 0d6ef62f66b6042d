//! Flow past a cylinder in a 2D channel (Kármán vortex street).
//!
//! Channel [0, L] x [0, H], H = 1 (lengths in H, times in H / U): uniform inflow U = 1 at
//! x = 0, convective outflow with p = 0 at x = L, free-slip walls y = 0 and y = H (a
//! confined channel without wall boundary layers). The cylinder is a stair-step set of
//! solid cells (cell centres inside the circle), no-slip by zero velocity on the faces
//! touching them. Per sample: Reynolds number Re = U D / nu, diameter D and centre drawn
//! uniformly from their ranges. The flow starts from the uniform stream plus a transverse
//! velocity kick behind the cylinder (to start the shedding), is simulated for
//! `spin-up-time`, and then recorded: t = 0 is the end of the spin-up.

use super::cavity::{
    check_positive, check_range, check_solver, grid_arrays, parameter, record, solver_error,
    uniform, working_bytes_2d, VELOCITY_LAYOUT,
};
use super::{Attribute, GenerateError, Generator, SampleArray, SampleRng, SharedArray};
use crate::fluid::mac::{AxisBoundary, MacGrid, MacOptions, MacSolver, Side, StaggeredVelocity};

/// Options of the cylinder dataset (CLI: `ferrowave generate cylinder --<field-name>`).
#[derive(Clone, Debug, PartialEq)]
pub struct CylinderParameters {
    /// Cells across the channel height H (`--resolution`); the channel has
    /// round(channel-length * resolution) cells along x. Stored on the solve grid (no
    /// `solve-resolution`: staggered values cannot be subsampled without moving them).
    pub resolution: usize,
    /// Channel length L in H (`--channel-length`).
    pub channel_length: f64,
    /// Number of intervals T between stored snapshots (`--time-steps`).
    pub time_steps: usize,
    /// Time between snapshots in H / U (`--snapshot-interval`).
    pub snapshot_interval: f64,
    /// Time simulated before the first snapshot, in H / U (`--spin-up-time`).
    pub spin_up_time: f64,
    /// Reynolds number U D / nu range (`--reynolds-min`, `--reynolds-max`).
    pub reynolds_min: f64,
    pub reynolds_max: f64,
    /// Cylinder diameter range in H (`--diameter-min`, `--diameter-max`).
    pub diameter_min: f64,
    pub diameter_max: f64,
    /// Range of the cylinder centre's x in H (`--centre-x-min`, `--centre-x-max`).
    pub centre_x_min: f64,
    pub centre_x_max: f64,
    /// Range of the cylinder centre's y in H (`--centre-y-min`, `--centre-y-max`).
    pub centre_y_min: f64,
    pub centre_y_max: f64,
    /// Advective Courant number of the solver's time step (`--cfl`).
    pub cfl: f64,
    /// max |div u| after every projection, in U / H (`--divergence-tolerance`).
    pub divergence_tolerance: f64,
}

impl Default for CylinderParameters {
    fn default() -> Self {
        Self {
            resolution: 64,
            channel_length: 4.0,
            time_steps: 50,
            snapshot_interval: 0.1,
            spin_up_time: 10.0,
            reynolds_min: 100.0,
            reynolds_max: 200.0,
            diameter_min: 0.15,
            diameter_max: 0.25,
            centre_x_min: 0.75,
            centre_x_max: 1.25,
            centre_y_min: 0.4,
            centre_y_max: 0.6,
            cfl: 0.5,
            divergence_tolerance: 1e-6,
        }
    }
}

/// One cylinder configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CylinderSetup {
    pub reynolds: f64,
    pub diameter: f64,
    pub centre: [f64; 2],
}

/// The cylinder dataset.
#[derive(Clone, Debug)]
pub struct CylinderGenerator {
    parameters: CylinderParameters,
    cells: [usize; 2],
}

/// The channel grid of `resolution` cells across and `length` long, with the solid disc.
pub fn channel_grid(
    resolution: usize,
    length_cells: usize,
    setup: &CylinderSetup,
) -> Result<MacGrid, GenerateError> {
    let h = 1.0 / resolution as f64;
    let x = AxisBoundary::Bounded {
        low: Side::Inflow,
        high: Side::Outflow,
    };
    let y = AxisBoundary::Bounded {
        low: Side::FreeSlip,
        high: Side::FreeSlip,
    };
    let grid = MacGrid::new_2d([length_cells, resolution], [h, h], [x, y])
        .map_err(|e| parameter("resolution", e.to_string()))?;
    let r2 = 0.25 * setup.diameter * setup.diameter;
    let mut solid = vec![false; grid.cell_count()];
    for j in 0..resolution {
        for i in 0..length_cells {
            let dx = (i as f64 + 0.5) * h - setup.centre[0];
            let dy = (j as f64 + 0.5) * h - setup.centre[1];
            solid[grid.cell_index(i, j, 0)] = dx * dx + dy * dy <= r2;
        }
    }
    grid.with_solid_cells(solid)
        .map_err(|e| parameter("diameter-min", e.to_string()))
}

/// The initial field: the uniform stream U = 1 (inflow faces included) plus a transverse
/// Gaussian kick of 0.1 U one diameter behind the cylinder (zero on the walls).
pub fn initial_velocity(grid: &MacGrid, setup: &CylinderSetup) -> StaggeredVelocity {
    let ny = grid.cells()[1];
    let d = setup.diameter;
    let mut vel = StaggeredVelocity::from_fn(grid, |c, x, y, _| {
        if c == 0 {
            1.0
        } else {
            let (dx, dy) = (x - setup.centre[0] - d, y - setup.centre[1]);
            0.1 * (-(dx * dx + dy * dy) / (d * d)).exp()
        }
    });
    let nx = grid.cells()[0];
    vel.components[1][..nx].fill(0.0);
    vel.components[1][ny * nx..].fill(0.0);
    vel
}

impl CylinderGenerator {
    pub fn new(parameters: CylinderParameters) -> Result<Self, GenerateError> {
        let p = &parameters;
        if p.resolution < 8 {
            return Err(parameter(
                "resolution",
                format!("must be >= 8, got {}", p.resolution),
            ));
        }
        check_positive("channel-length", p.channel_length)?;
        let length_cells = (p.channel_length * p.resolution as f64).round() as usize;
        if length_cells < p.resolution {
            return Err(parameter(
                "channel-length",
                format!("must be >= 1, got {}", p.channel_length),
            ));
        }
        if p.time_steps == 0 {
            return Err(parameter("time-steps", "must be >= 1"));
        }
        check_positive("snapshot-interval", p.snapshot_interval)?;
        if !(p.spin_up_time.is_finite() && p.spin_up_time >= 0.0) {
            return Err(parameter(
                "spin-up-time",
                format!("must be >= 0, got {}", p.spin_up_time),
            ));
        }
        check_range(
            "reynolds-min",
            p.reynolds_min,
            "reynolds-max",
            p.reynolds_max,
        )?;
        check_range(
            "diameter-min",
            p.diameter_min,
            "diameter-max",
            p.diameter_max,
        )?;
        check_range(
            "centre-x-min",
            p.centre_x_min,
            "centre-x-max",
            p.centre_x_max,
        )?;
        check_range(
            "centre-y-min",
            p.centre_y_min,
            "centre-y-max",
            p.centre_y_max,
        )?;
        check_solver(p.cfl, p.divergence_tolerance)?;
        let h = 1.0 / p.resolution as f64;
        let radius = 0.5 * p.diameter_max;
        // The cylinder must stay clear of the walls and of the inflow and outflow sides by
        // two cells, and span at least two cells.
        if p.diameter_min < 2.0 * h {
            return Err(parameter(
                "diameter-min",
                format!(
                    "must span >= 2 cells (>= {}), got {}",
                    2.0 * h,
                    p.diameter_min
                ),
            ));
        }
        if p.centre_y_min - radius < 2.0 * h || p.centre_y_max + radius > 1.0 - 2.0 * h {
            return Err(parameter(
                "centre-y-max",
                "the cylinder (diameter-max) must stay two cells clear of the walls",
            ));
        }
        if p.centre_x_min - radius < 2.0 * h {
            return Err(parameter(
                "centre-x-min",
                "the cylinder must stay two cells clear of the inflow",
            ));
        }
        let length = length_cells as f64 * h;
        if p.centre_x_max + radius > length - 2.0 * p.diameter_max {
            return Err(parameter(
                "centre-x-max",
                "the cylinder must end two diameters before the outflow",
            ));
        }
        let resolution = p.resolution;
        Ok(Self {
            parameters,
            cells: [length_cells, resolution],
        })
    }

    pub fn parameters(&self) -> &CylinderParameters {
        &self.parameters
    }

    /// Draws the configuration of one sample (in this order: Re, D, centre x, centre y).
    pub fn draw(&self, rng: &mut SampleRng) -> CylinderSetup {
        let p = &self.parameters;
        let reynolds = uniform(rng, p.reynolds_min, p.reynolds_max);
        let diameter = uniform(rng, p.diameter_min, p.diameter_max);
        let x = uniform(rng, p.centre_x_min, p.centre_x_max);
        let y = uniform(rng, p.centre_y_min, p.centre_y_max);
        CylinderSetup {
            reynolds,
            diameter,
            centre: [x, y],
        }
    }

    /// The solver of a configuration at t = 0 (before the spin-up).
    pub fn solver(&self, setup: &CylinderSetup) -> Result<MacSolver, GenerateError> {
        let p = &self.parameters;
        let grid = channel_grid(p.resolution, self.cells[0], setup)?;
        let options = MacOptions {
            viscosity: setup.diameter / setup.reynolds,
            cfl: p.cfl,
            divergence_tolerance: p.divergence_tolerance,
        };
        let initial = initial_velocity(&grid, setup);
        MacSolver::new(grid, &initial, options).map_err(solver_error)
    }

    /// Spins up and records one configuration: stacked velocity and pressure snapshots, and
    /// the solid mask (1 = solid) of shape (ny, nx).
    pub fn solve(&self, setup: &CylinderSetup) -> Result<[Vec<f64>; 3], GenerateError> {
        let p = &self.parameters;
        let [nx, ny] = self.cells;
        let mut solver = self.solver(setup)?;
        solver.advance_to(p.spin_up_time).map_err(solver_error)?;
        let solid: Vec<f64> = solver
            .grid()
            .solid_cells()
            .map(|s| s.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect())
            .unwrap_or_else(|| vec![0.0; nx * ny]);
        let (velocity, pressure) = record(
            &mut solver,
            p.time_steps,
            p.snapshot_interval,
            2 * (nx + 1) * (ny + 1),
            nx * ny,
        )?;
        Ok([velocity, pressure, solid])
    }
}

impl Generator for CylinderGenerator {
    fn problem(&self) -> &'static str {
        "cylinder"
    }

    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        let p = &self.parameters;
        vec![
            ("resolution", Attribute::Int(p.resolution as i64)),
            ("cells_x", Attribute::Int(self.cells[0] as i64)),
            ("channel_length", Attribute::Float(self.cells[0] as f64 / p.resolution as f64)),
            ("channel_height", Attribute::Float(1.0)),
            ("inflow_velocity", Attribute::Float(1.0)),
            ("time_steps", Attribute::Int(p.time_steps as i64)),
            ("snapshot_interval", Attribute::Float(p.snapshot_interval)),
            ("spin_up_time", Attribute::Float(p.spin_up_time)),
            ("reynolds_min", Attribute::Float(p.reynolds_min)),
            ("reynolds_max", Attribute::Float(p.reynolds_max)),
            ("diameter_min", Attribute::Float(p.diameter_min)),
            ("diameter_max", Attribute::Float(p.diameter_max)),
            ("centre_x_min", Attribute::Float(p.centre_x_min)),
            ("centre_x_max", Attribute::Float(p.centre_x_max)),
            ("centre_y_min", Attribute::Float(p.centre_y_min)),
            ("centre_y_max", Attribute::Float(p.centre_y_max)),
            ("cfl", Attribute::Float(p.cfl)),
            ("divergence_tolerance", Attribute::Float(p.divergence_tolerance)),
            ("velocity_layout", Attribute::Text(VELOCITY_LAYOUT.into())),
            (
                "boundary",
                Attribute::Text(
                    "x = 0: uniform inflow u = 1, v = 0; x = L: convective outflow, p = 0; y = 0, H: free slip; \
                     cylinder: stair-step solid cells (solid = 1), zero velocity on their faces"
                        .into(),
                ),
            ),
            (
                "scheme",
                Attribute::Text(
                    "MAC grid; third-order upwind-biased advection, second-order viscous and pressure \
                     stencils; SSP-RK3 with a pressure projection per stage (multigrid-preconditioned CG); \
                     CFL-limited adaptive dt; pressure = solution of the pressure Poisson equation for the \
                     stored velocity"
                        .into(),
                ),
            ),
        ]
    }

    fn sample_arrays(&self) -> Vec<SampleArray> {
        let [nx, ny] = self.cells;
        let t = self.parameters.time_steps + 1;
        vec![
            SampleArray {
                name: "velocity",
                shape: vec![t, 2, ny + 1, nx + 1],
            },
            SampleArray {
                name: "pressure",
                shape: vec![t, ny, nx],
            },
            SampleArray {
                name: "solid",
                shape: vec![ny, nx],
            },
            SampleArray {
                name: "reynolds",
                shape: vec![],
            },
            SampleArray {
                name: "diameter",
                shape: vec![],
            },
            SampleArray {
                name: "centre",
                shape: vec![2],
            },
        ]
    }

    fn shared_arrays(&self) -> Vec<SharedArray> {
        let p = &self.parameters;
        let h = 1.0 / p.resolution as f64;
        // The coordinates and the stacking mask do not depend on the boundary conditions.
        let grid = MacGrid::new_2d(
            self.cells,
            [h, h],
            [AxisBoundary::WALLS, AxisBoundary::WALLS],
        )
        .expect("validated in new");
        grid_arrays(&grid, p.time_steps, p.snapshot_interval)
    }

    fn working_bytes(&self) -> usize {
        let [nx, ny] = self.cells;
        working_bytes_2d(nx, ny, self.parameters.time_steps + 1) + nx * ny * 8
    }

    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let setup = self.draw(rng);
        let [velocity, pressure, solid] = self.solve(&setup)?;
        Ok(vec![
            super::to_f32(&velocity),
            super::to_f32(&pressure),
            super::to_f32(&solid),
            vec![setup.reynolds as f32],
            vec![setup.diameter as f32],
            vec![setup.centre[0] as f32, setup.centre[1] as f32],
        ])
    }
}
