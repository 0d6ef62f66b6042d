//! Time stepping: explicit SSP-RK3 on the momentum equation with a pressure projection after
//! every stage (Chorin's projection applied stage by stage).
//!
//! Stage s forms u~ = a_s u^n + b_s (u + dt F(u)), F = -(u . grad) u + nu lap u, and projects
//! it: A phi = div u~, u = u~ - grad phi, with pressure p = phi / (b_s dt). For a periodic
//! domain the projection commutes with the stages, so the scheme is RK3 on the projected
//! equations: third order in time; space is second order (the pressure and viscous
//! stencils, the velocity interpolation) with third-order upwind-biased advection.

use super::grid::{CellField, MacGrid, StaggeredVelocity};
use super::layout::{fill_velocity_ghosts, Layout};
use super::momentum::{momentum_terms, FaceKind, Faces, Terms};
use super::multigrid::{PoissonReport, PoissonSolver};
use super::projection::{copy_periodic_faces, divergence, project};
use super::MacError;

/// Physical and numerical settings of a `MacSolver`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MacOptions {
    /// Kinematic viscosity nu (length² / time).
    pub viscosity: f64,
    /// Advective Courant number of `stable_dt`: dt sum_a max|u_a| / h_a.
    pub cfl: f64,
    /// Stop the Poisson solve when max |div u| after the projection is below this (1 / time);
    /// the first two RK stages stop at ten times it, the step's final projection at it.
    pub divergence_tolerance: f64,
}

impl Default for MacOptions {
    fn default() -> Self {
        Self {
            viscosity: 1e-2,
            cfl: 0.5,
            divergence_tolerance: 1e-6,
        }
    }
}

/// SSP-RK3 stage weights (a_s, b_s): u~ = a_s u^n + b_s (u + dt F(u)).
const RK3: [(f64, f64); 3] = [(0.0, 1.0), (0.75, 0.25), (1.0 / 3.0, 2.0 / 3.0)];

/// The Poisson tolerance of RK stage `stage`: the first two stages are projected to ten
/// times the tolerance (their divergence enters the next stage's rate only through the
/// momentum terms, at that level), the last one to the tolerance itself, so every stored
/// velocity meets it.
fn stage_tolerance(stage: usize, tolerance: f64) -> f64 {
    if stage + 1 < RK3.len() {
        10.0 * tolerance
    } else {
        tolerance
    }
}

/// The incompressible Navier–Stokes solver on a `MacGrid`.
pub struct MacSolver {
    grid: MacGrid,
    faces: Faces,
    cells: Layout,
    options: MacOptions,
    velocity: [Vec<f64>; 3],
    velocity_start: [Vec<f64>; 3],
    rate: [Vec<f64>; 3],
    poisson: PoissonSolver,
    /// The pressure of each RK stage in the last step (padded cells): the warm start of the
    /// same stage's solve in the next step (stage pressures differ by O(dt), consecutive
    /// steps' by O(dt) times the pressure's rate of change).
    stage_pressure: [Vec<f64>; 3],
    /// The same one step earlier: the guess extrapolates linearly in time.
    stage_pressure_old: [Vec<f64>; 3],
    /// The last consistent pressure (`pressure`), its own warm start.
    pressure: Vec<f64>,
    phi: Vec<f64>,
    time: f64,
    steps: usize,
    last_poisson: Option<PoissonReport>,
}

impl MacSolver {
    /// A solver starting at t = 0 from `initial`, projected onto divergence-free fields
    /// (faces touching solid cells set to 0 first; boundary faces kept as given: they carry
    /// the inflow profile and the wall normal velocity 0).
    pub fn new(
        grid: MacGrid,
        initial: &StaggeredVelocity,
        options: MacOptions,
    ) -> Result<Self, MacError> {
        if !(options.viscosity >= 0.0 && options.viscosity.is_finite()) {
            return Err(MacError::Grid("viscosity must be >= 0".into()));
        }
        if !(options.cfl > 0.0 && options.cfl <= 1.0) {
            return Err(MacError::Grid("cfl must be in (0, 1]".into()));
        }
        if options.divergence_tolerance.is_nan() || options.divergence_tolerance <= 0.0 {
            return Err(MacError::Grid("divergence tolerance must be > 0".into()));
        }
        for c in 0..grid.dim() {
            if initial.components[c].len() != grid.face_count(c) {
                return Err(MacError::Grid(format!(
                    "velocity component {c} has {} values, the grid {} faces",
                    initial.components[c].len(),
                    grid.face_count(c)
                )));
            }
        }
        let faces = Faces::new(&grid);
        let poisson = PoissonSolver::new(&grid);
        let cells = poisson.cell_layout();
        let mut velocity: [Vec<f64>; 3] = std::array::from_fn(|c| vec![0.0; faces.layouts[c].len]);
        for c in 0..grid.dim() {
            faces.layouts[c].scatter(&initial.components[c], &mut velocity[c]);
        }
        let mut solver = Self {
            velocity_start: velocity.clone(),
            rate: velocity.clone(),
            velocity,
            faces,
            cells,
            options,
            poisson,
            stage_pressure: std::array::from_fn(|_| vec![0.0; cells.len]),
            stage_pressure_old: std::array::from_fn(|_| vec![0.0; cells.len]),
            pressure: vec![0.0; cells.len],
            phi: vec![0.0; cells.len],
            time: 0.0,
            steps: 0,
            last_poisson: None,
            grid,
        };
        solver.zero_solid_faces();
        let report = project(
            &solver.grid,
            &solver.faces.layouts,
            &mut solver.poisson,
            &mut solver.velocity,
            &mut solver.phi,
            options.divergence_tolerance,
        )?;
        solver.last_poisson = Some(report);
        Ok(solver)
    }

    fn zero_solid_faces(&mut self) {
        if self.grid.solid_cells().is_none() {
            return;
        }
        // Faces of kind Fixed that are not on the domain boundary touch a solid cell.
        let n = self.grid.cells();
        for c in 0..self.grid.dim() {
            let l = self.faces.layouts[c];
            let f = l.interior;
            for k in 0..f[2] {
                for j in 0..f[1] {
                    for i in 0..f[0] {
                        let p = [i, j, k];
                        let idx = l.at(i as isize, j as isize, k as isize);
                        let on_boundary = p[c] == 0 || p[c] == n[c];
                        if self.faces.kind[c][idx] == FaceKind::Fixed && !on_boundary {
                            self.velocity[c][idx] = 0.0;
                        }
                    }
                }
            }
        }
    }

    pub fn grid(&self) -> &MacGrid {
        &self.grid
    }

    pub fn options(&self) -> &MacOptions {
        &self.options
    }

    /// Simulated time.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The last Poisson solve's report.
    pub fn last_poisson(&self) -> Option<PoissonReport> {
        self.last_poisson
    }

    /// The current velocity (periodic duplicate faces equal to the first).
    pub fn velocity(&self) -> StaggeredVelocity {
        let mut out = StaggeredVelocity::zeros(&self.grid);
        for c in 0..self.grid.dim() {
            self.faces.layouts[c].gather(&self.velocity[c], &mut out.components[c]);
        }
        out
    }

    /// Writes the current velocity into `out` (no allocation).
    pub fn velocity_into(&self, out: &mut StaggeredVelocity) {
        for c in 0..self.grid.dim() {
            self.faces.layouts[c].gather(&self.velocity[c], &mut out.components[c]);
        }
    }

    /// max |div u| over fluid cells.
    pub fn divergence_max(&mut self) -> f64 {
        copy_periodic_faces(&self.grid, &self.faces.layouts, &mut self.velocity);
        let mut div = vec![0.0; self.cells.len];
        divergence(
            &self.grid,
            &self.faces.layouts,
            &self.velocity,
            &self.cells,
            &mut div,
        );
        div.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
    }

    /// The largest stable step: advective Courant number `cfl` and the viscous limit of
    /// RK3, combined harmonically.
    pub fn stable_dt(&self) -> f64 {
        let h = self.grid.spacing();
        let mut rate = 0.0;
        let mut viscous = 0.0;
        for c in 0..self.grid.dim() {
            let max = self.max_interior_speed(c);
            rate += max / h[c];
            viscous += self.options.viscosity / (h[c] * h[c]);
        }
        // RK3 is stable on the negative real axis to 2.51; the Laplacian's largest eigenvalue
        // is 4 nu sum 1/h², so dt <= 0.5 / (nu sum 1/h²) keeps 2.
        let inverse = rate / self.options.cfl + viscous / 0.5;
        if inverse > 0.0 {
            1.0 / inverse
        } else {
            f64::INFINITY
        }
    }

    /// max |u_c| over the faces of component c (ghosts excluded).
    fn max_interior_speed(&self, c: usize) -> f64 {
        let l = self.faces.layouts[c];
        let n = l.interior;
        let mut max: f64 = 0.0;
        for k in 0..n[2] {
            for j in 0..n[1] {
                let row = l.at(0, j as isize, k as isize);
                for v in &self.velocity[c][row..row + n[0]] {
                    max = max.max(v.abs());
                }
            }
        }
        max
    }

    /// Mean normal velocity through the outflow faces (the convective outflow speed).
    fn outflow_speed(&self) -> f64 {
        let mut sum = 0.0;
        let mut count = 0usize;
        for c in 0..self.grid.dim() {
            for (v, kind) in self.velocity[c].iter().zip(&self.faces.kind[c]) {
                if *kind == FaceKind::Outflow {
                    sum += v;
                    count += 1;
                }
            }
        }
        if count == 0 {
            0.0
        } else {
            (sum / count as f64).max(0.0)
        }
    }

    fn fill_ghosts(&mut self) {
        for c in 0..self.grid.dim() {
            fill_velocity_ghosts(&self.grid, &self.faces.layouts[c], c, &mut self.velocity[c]);
        }
    }

    fn evaluate_rate(&mut self, outflow_speed: f64) {
        self.fill_ghosts();
        let terms = Terms {
            advection: -1.0,
            viscosity: self.options.viscosity,
            outflow_speed: Some(outflow_speed),
        };
        momentum_terms(
            &self.grid,
            &self.faces,
            &self.velocity,
            terms,
            &mut self.rate,
        );
    }

    /// One SSP-RK3 step of size dt.
    pub fn step(&mut self, dt: f64) -> Result<(), MacError> {
        let outflow_speed = self.outflow_speed();
        for c in 0..self.grid.dim() {
            self.velocity_start[c].copy_from_slice(&self.velocity[c]);
        }
        for (stage, (a, b)) in RK3.into_iter().enumerate() {
            self.evaluate_rate(outflow_speed);
            for c in 0..self.grid.dim() {
                let (u, u0, f) = (
                    &mut self.velocity[c],
                    &self.velocity_start[c],
                    &self.rate[c],
                );
                for ((u, &u0), &f) in u.iter_mut().zip(u0).zip(f) {
                    *u = a * u0 + b * (*u + dt * f);
                }
            }
            let weight = b * dt;
            let extrapolate = if self.steps >= 2 { 1.0 } else { 0.0 };
            let (current, old) = (&self.stage_pressure[stage], &self.stage_pressure_old[stage]);
            for ((phi, &p), &p_old) in self.phi.iter_mut().zip(current).zip(old) {
                *phi = (p + extrapolate * (p - p_old)) * weight;
            }
            let report = project(
                &self.grid,
                &self.faces.layouts,
                &mut self.poisson,
                &mut self.velocity,
                &mut self.phi,
                stage_tolerance(stage, self.options.divergence_tolerance),
            )?;
            self.last_poisson = Some(report);
            std::mem::swap(
                &mut self.stage_pressure[stage],
                &mut self.stage_pressure_old[stage],
            );
            for (p, &phi) in self.stage_pressure[stage].iter_mut().zip(&self.phi) {
                *p = phi / weight;
            }
        }
        self.time += dt;
        self.steps += 1;
        let finite = (0..self.grid.dim()).all(|c| self.velocity[c].iter().all(|v| v.is_finite()));
        if !finite {
            return Err(MacError::Unstable(format!(
                "non-finite velocity at t = {}",
                self.time
            )));
        }
        Ok(())
    }

    /// Steps with `stable_dt` (the last step shortened) until `time() == t_end`.
    pub fn advance_to(&mut self, t_end: f64) -> Result<(), MacError> {
        while self.time < t_end {
            let remaining = t_end - self.time;
            let dt = self.stable_dt();
            if !dt.is_finite() && remaining > 0.0 {
                // A fluid at rest with no viscosity: nothing moves.
                self.time = t_end;
                break;
            }
            // Avoid a sliver of a last step: split the remainder when it is under 2 dt.
            let dt = if remaining <= dt {
                remaining
            } else if remaining < 2.0 * dt {
                0.5 * remaining
            } else {
                dt
            };
            self.step(dt)?;
            if t_end - self.time < 1e-12 * t_end.abs().max(1.0) {
                self.time = t_end;
            }
        }
        Ok(())
    }

    /// The pressure consistent with the current velocity: the solution of
    /// A p = div F(u) (F the momentum right-hand side without pressure), zero mean over fluid
    /// cells when the domain has no outflow, p = 0 on the outflow boundary otherwise.
    pub fn pressure(&mut self) -> Result<CellField, MacError> {
        let outflow_speed = self.outflow_speed();
        self.evaluate_rate(outflow_speed);
        copy_periodic_faces(&self.grid, &self.faces.layouts, &mut self.rate);
        {
            let (b, x) = self.poisson.padded_buffers();
            divergence(&self.grid, &self.faces.layouts, &self.rate, &self.cells, b);
            x.copy_from_slice(&self.pressure);
        }
        let report = self
            .poisson
            .solve_padded(self.options.divergence_tolerance)?;
        let x = self.poisson.padded_buffers().1;
        self.pressure.copy_from_slice(x);
        self.last_poisson = Some(report);
        let mut out = CellField::zeros(&self.grid);
        self.cells.gather(&self.pressure, &mut out.values);
        Ok(out)
    }

    /// The last stage's projection pressure (p = phi / (b_s dt)), without a new solve.
    pub fn projection_pressure(&self) -> CellField {
        let mut out = CellField::zeros(&self.grid);
        self.cells.gather(&self.stage_pressure[2], &mut out.values);
        out
    }
}
