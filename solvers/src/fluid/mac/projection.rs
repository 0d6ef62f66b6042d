//! Divergence, pressure gradient and the projection onto divergence-free fields, on the
//! padded arrays.

use super::grid::{AxisBoundary, MacGrid};
use super::layout::Layout;
use super::multigrid::{PoissonReport, PoissonSolver};
use super::MacError;

/// Copies face 0 onto face n of every component along its periodic axis (the duplicate).
pub(crate) fn copy_periodic_faces(grid: &MacGrid, layouts: &[Layout; 3], vel: &mut [Vec<f64>; 3]) {
    for c in 0..grid.dim() {
        if grid.boundary(c) != AxisBoundary::Periodic {
            continue;
        }
        let n = grid.cells()[c] as isize;
        let l = layouts[c];
        let f = l.interior;
        for k in 0..f[2] as isize {
            for j in 0..f[1] as isize {
                for i in 0..f[0] as isize {
                    let p = [i, j, k];
                    if p[c] == 0 {
                        let mut q = p;
                        q[c] = n;
                        vel[c][l.at(q[0], q[1], q[2])] = vel[c][l.at(i, j, k)];
                    }
                }
            }
        }
    }
}

/// out (padded cell layout) = discrete divergence of `vel` on fluid cells, 0 on solid cells.
/// Periodic duplicate faces must be current.
pub(crate) fn divergence(
    grid: &MacGrid,
    layouts: &[Layout; 3],
    vel: &[Vec<f64>; 3],
    cells: &Layout,
    out: &mut [f64],
) {
    let n = grid.cells();
    let h = grid.spacing();
    let dim = grid.dim();
    let mut cell = 0;
    for k in 0..n[2] as isize {
        for j in 0..n[1] as isize {
            for i in 0..n[0] as isize {
                let mut div = 0.0;
                if !grid.is_solid(cell) {
                    for c in 0..dim {
                        let l = &layouts[c];
                        let lo = l.at(i, j, k);
                        div += (vel[c][lo + l.stride[c]] - vel[c][lo]) / h[c];
                    }
                }
                out[cells.at(i, j, k)] = div;
                cell += 1;
            }
        }
    }
}

/// vel -= scale * coefficient-weighted gradient of `phi` (padded cells, ghosts wrapped,
/// bounded ghosts 0): the pressure gradient on every face the Poisson operator couples.
pub(crate) fn subtract_gradient(
    grid: &MacGrid,
    layouts: &[Layout; 3],
    coefficients: &[Vec<f64>; 3],
    phi: &[f64],
    cells: &Layout,
    scale: f64,
    vel: &mut [Vec<f64>; 3],
) {
    let h = grid.spacing();
    for c in 0..grid.dim() {
        let l = layouts[c];
        let f = l.interior;
        let mut face = 0;
        let coef = &coefficients[c];
        for k in 0..f[2] as isize {
            for j in 0..f[1] as isize {
                for i in 0..f[0] as isize {
                    let weight = coef[face];
                    face += 1;
                    if weight == 0.0 {
                        continue;
                    }
                    let hi = cells.at(i, j, k);
                    let lo = hi - cells.stride[c];
                    vel[c][l.at(i, j, k)] -= scale * weight * (phi[hi] - phi[lo]) / h[c];
                }
            }
        }
    }
}

/// Projects `vel` onto the discretely divergence-free fields: solves A phi = div vel and
/// subtracts grad phi. `guess` (padded cells) is the initial guess and holds phi on return.
pub(crate) fn project(
    grid: &MacGrid,
    layouts: &[Layout; 3],
    poisson: &mut PoissonSolver,
    vel: &mut [Vec<f64>; 3],
    guess: &mut [f64],
    tolerance: f64,
) -> Result<PoissonReport, MacError> {
    copy_periodic_faces(grid, layouts, vel);
    let cells = poisson.cell_layout();
    {
        let (b, x) = poisson.padded_buffers();
        divergence(grid, layouts, vel, &cells, b);
        x.copy_from_slice(guess);
    }
    let report = poisson.solve_padded(tolerance)?;
    guess.copy_from_slice(poisson.padded_buffers().1);
    subtract_gradient(
        grid,
        layouts,
        poisson.coefficients(),
        guess,
        &cells,
        1.0,
        vel,
    );
    copy_periodic_faces(grid, layouts, vel);
    Ok(report)
}
