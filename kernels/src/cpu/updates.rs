//! The named fused point-wise updates of the k-space scheme, one plane at a time.
//! Each runs inside a plane pass, between the inverse and forward x-y transforms: after the
//! y transforms of a plane, a block of rows at a time is x-transformed, updated and
//! transformed back while it sits in L1, then the y transforms finish the plane.

use super::engine::PlaneWork;
use super::plane_index::PlaneIndex;
use super::shared::SharedMut;
use super::CpuAcoustic;
use crate::catalogue::{Update, WholeGrid};
use crate::setup::{Coef, PointSource, SourceInjection};

/// Calls `body(i, c)` for i in 0..len with the coefficient at `offset + i`; the branch on
/// the coefficient kind is taken once per row so both loops vectorise.
#[inline(always)]
fn for_row(coef: &Coef, offset: usize, len: usize, mut body: impl FnMut(usize, f32)) {
    match coef {
        Coef::Uniform(c) => (0..len).for_each(|i| body(i, *c)),
        Coef::Map(m) => {
            let m = &m[offset..offset + len];
            (0..len).for_each(|i| body(i, m[i]));
        }
    }
}

/// PML factor of `axis` along a row of the plane z at row y: per x for the x axis,
/// constant otherwise.
#[inline(always)]
fn pml_row<'a>(
    profile: &'a [f32],
    ones: &'a [f32],
    axis: usize,
    y: usize,
    z: usize,
) -> (&'a [f32], f32) {
    match axis {
        0 => (profile, 1.0),
        1 => (ones, profile[y]),
        _ => (ones, profile[z]),
    }
}

/// The points of `index` on plane z whose in-plane offset lies in `start..start + len`, as
/// (item, offset - start).
fn in_block(
    index: &PlaneIndex,
    z: usize,
    start: usize,
    len: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    index
        .plane(z)
        .iter()
        .filter(move |&&(_, offset)| offset >= start && offset < start + len)
        .map(move |&(k, offset)| (k, offset - start))
}

/// Applies Dirichlet or uncorrected additive point values of `source` on a block of plane z
/// (`field` holds the in-plane offsets `start..start + field.len()`).
fn apply_point_source(
    field: &mut [f32],
    source: &PointSource,
    index: &PlaneIndex,
    z: usize,
    start: usize,
    step: usize,
) {
    let len = field.len();
    match source.injection {
        SourceInjection::Dirichlet => {
            for (k, offset) in in_block(index, z, start, len) {
                field[offset] = source.value(step, k);
            }
        }
        SourceInjection::AdditiveNoCorrection => {
            for (k, offset) in in_block(index, z, start, len) {
                field[offset] += source.value(step, k);
            }
        }
        SourceInjection::Additive => {}
    }
}

/// (first row, rows) of each row block of a plane of `ny` rows.
fn row_blocks(ny: usize) -> impl Iterator<Item = (usize, usize)> {
    let rows = PlaneWork::ROWS;
    (0..ny).step_by(rows).map(move |y0| (y0, rows.min(ny - y0)))
}

/// Folds a plane of values (starting at `base`) into running (max, min) fields.
fn fold_extremes(extremes: &[SharedMut<f32>; 2], base: usize, values: &[f32]) {
    // SAFETY: plane z of the extremes belongs to the worker handling plane z.
    let (max, min) = unsafe {
        (
            extremes[0].slice(base, values.len()),
            extremes[1].slice(base, values.len()),
        )
    };
    for ((hi, lo), &v) in max.iter_mut().zip(min.iter_mut()).zip(values) {
        *hi = hi.max(v);
        *lo = lo.min(v);
    }
}

/// Scratch planes of the plane passes.
pub(super) const SCRATCH_PLANES: usize = 5;
const WORK: usize = 0;
const TOTAL: usize = 1;
const PREVIOUS: usize = 2;
const DIVERGENCE: usize = 3;
const SOURCE: usize = 4;

/// Adds the planes of `fields` (plane z, `plane` values each) into `out`.
fn sum_fields(out: &mut [f32], fields: &[SharedMut<f32>], base: usize) {
    out.fill(0.0);
    for f in fields {
        // SAFETY: plane z of each field belongs to this worker; read only.
        let f = unsafe { f.slice(base, out.len()) };
        for (s, v) in out.iter_mut().zip(f.iter()) {
            *s += v;
        }
    }
}

pub(super) fn run(b: &mut CpuAcoustic, update: Update, inverse: &[usize], forward: &[usize]) {
    let CpuAcoustic {
        setup,
        engine,
        velocity,
        density,
        sensors,
        pressure_sources,
        velocity_sources,
        pressure_samples,
        pressure_field,
        pressure_extremes,
        velocity_extremes,
        ones,
        ..
    } = b;
    let (nx, ny) = (engine.nx, engine.ny);
    let plane = nx * ny;
    let ndim = setup.ndim;
    let u = velocity.each_mut().map(|f| SharedMut::new(f));
    let rho = density.each_mut().map(|f| SharedMut::new(f));
    let (u, rho) = (&u[..ndim], &rho[..ndim]);
    let samples = SharedMut::new(pressure_samples);
    let kept = SharedMut::new(pressure_field);
    let p_extremes = pressure_extremes.each_mut().map(|v| SharedMut::new(v));
    let u_extremes = velocity_extremes
        .each_mut()
        .map(|pair| pair.each_mut().map(|v| SharedMut::new(v)));
    let setup = &*setup;
    let ones = &ones[..];

    // Samples p at the sensors of a block of plane z (in-plane offsets start..) and records
    // the block whole as asked.
    let record_pressure = |z: usize, start: usize, p: &[f32], whole: WholeGrid| {
        for (j, offset) in in_block(sensors, z, start, p.len()) {
            // SAFETY: each sensor column lies on exactly one plane and one block.
            unsafe { samples.write(j, p[offset]) };
        }
        let base = z * plane + start;
        if whole.keep {
            // SAFETY: this block of plane z belongs to this worker.
            unsafe { kept.slice(base, p.len()) }.copy_from_slice(p);
        }
        if whole.extremes {
            fold_extremes(&p_extremes, base, p);
        }
    };
    // The PML update f (f field - coef source) along the rows of a block.
    let pml_update = |field: &mut [f32],
                      source: &[f32],
                      coef: &Coef,
                      profile: &[f32],
                      axis: usize,
                      z: usize,
                      y0: usize,
                      base: usize| {
        for (r, (fr, sr)) in field
            .chunks_exact_mut(nx)
            .zip(source.chunks_exact(nx))
            .enumerate()
        {
            let (fx, f) = pml_row(profile, ones, axis, y0 + r, z);
            let fx = &fx[..nx];
            for_row(coef, base + r * nx, nx, |x, c| {
                let pml = fx[x] * f;
                fr[x] = pml * (pml * fr[x] - c * sr[x]);
            });
        }
    };

    match update {
        Update::InitialPressure { whole } => {
            // The backend stored rho_i = p0 / (ndim c0^2) at construction; p = c0^2 sum rho_i
            // gives p0 back (the B/A term is not applied at t = 0, as in k-Wave).
            engine.plane_pass(|w| {
                let z = w.z;
                for (y0, count) in row_blocks(ny) {
                    let (start, len) = (y0 * nx, count * nx);
                    let base = z * plane + start;
                    let p = &mut w.planes[TOTAL][..len];
                    sum_fields(p, rho, base);
                    for_row(&setup.c0_squared, base, len, |i, c2| p[i] *= c2);
                    record_pressure(z, start, p, whole);
                    w.rows_forward(TOTAL, forward[0], y0, count);
                }
                w.columns_forward(forward[0]);
            });
        }
        Update::InitialVelocity { whole } => {
            engine.plane_pass(|w| {
                let z = w.z;
                for axis in 0..ndim {
                    w.columns_inverse(inverse[axis]);
                    for (y0, count) in row_blocks(ny) {
                        let base = z * plane + y0 * nx;
                        let len = count * nx;
                        w.rows_inverse(inverse[axis], y0, count, WORK);
                        // SAFETY: this block of plane z belongs to this worker.
                        let ua = unsafe { u[axis].slice(base, len) };
                        let g = &w.planes[WORK][..len];
                        for_row(&setup.dt_over_rho_staggered[axis], base, len, |i, c| {
                            ua[i] = 0.5 * c * g[i];
                        });
                        if whole.extremes {
                            fold_extremes(&u_extremes[axis], base, ua);
                        }
                    }
                }
            });
        }
        Update::ScatterPressureSource { step } | Update::ScatterVelocitySource { step, .. } => {
            let (source, index) = match update {
                Update::ScatterVelocitySource { axis, .. } => (
                    setup.velocity_sources[axis]
                        .as_ref()
                        .expect("no velocity source on this axis"),
                    &velocity_sources[axis],
                ),
                _ => (
                    setup.pressure_source.as_ref().expect("no pressure source"),
                    &*pressure_sources,
                ),
            };
            engine.plane_pass(|w| {
                let z = w.z;
                for (y0, count) in row_blocks(ny) {
                    let (start, len) = (y0 * nx, count * nx);
                    let grid = &mut w.planes[WORK][..len];
                    grid.fill(0.0);
                    for (k, offset) in in_block(index, z, start, len) {
                        grid[offset] = source.value(step, k);
                    }
                    w.rows_forward(WORK, forward[0], y0, count);
                }
                w.columns_forward(forward[0]);
            });
        }
        Update::Velocity { step, whole } => {
            // Inverse inputs after the ndim gradients: corrected sources of active axes.
            let mut corrected = [None; 3];
            let mut next = ndim;
            for (axis, slot) in corrected.iter_mut().enumerate().take(ndim) {
                if setup.corrected_velocity_source(axis, step).is_some() {
                    *slot = Some(inverse[next]);
                    next += 1;
                }
            }
            engine.plane_pass(|w| {
                let z = w.z;
                for axis in 0..ndim {
                    let point_source = setup.velocity_sources[axis]
                        .as_ref()
                        .filter(|s| s.active(step));
                    w.columns_inverse(inverse[axis]);
                    if let Some(buffer) = corrected[axis] {
                        w.columns_inverse(buffer);
                    }
                    for (y0, count) in row_blocks(ny) {
                        let (start, len) = (y0 * nx, count * nx);
                        let base = z * plane + start;
                        w.rows_inverse(inverse[axis], y0, count, WORK);
                        // SAFETY: this block of plane z belongs to this worker.
                        let ua = unsafe { u[axis].slice(base, len) };
                        pml_update(
                            ua,
                            &w.planes[WORK][..len],
                            &setup.dt_over_rho_staggered[axis],
                            &setup.pml_staggered[axis],
                            axis,
                            z,
                            y0,
                            base,
                        );
                        if let Some(source) = point_source {
                            apply_point_source(ua, source, &velocity_sources[axis], z, start, step);
                        }
                        if let Some(buffer) = corrected[axis] {
                            w.rows_inverse(buffer, y0, count, SOURCE);
                            for (v, add) in ua.iter_mut().zip(&w.planes[SOURCE][..len]) {
                                *v += add;
                            }
                        }
                        if whole.extremes {
                            fold_extremes(&u_extremes[axis], base, ua);
                        }
                        if axis < forward.len() {
                            w.planes[WORK][..len].copy_from_slice(ua);
                            w.rows_forward(WORK, forward[axis], y0, count);
                        }
                    }
                    if axis < forward.len() {
                        w.columns_forward(forward[axis]);
                    }
                }
            });
        }
        Update::Density { step, whole } => {
            let corrected = setup.corrected_pressure_source(step).map(|_| inverse[ndim]);
            let point_source = setup.pressure_source.as_ref().filter(|s| s.active(step));
            let absorbing = setup.absorption.is_some();
            let stokes = setup.stokes.as_ref();
            let divergence_needed = absorbing || stokes.is_some();
            let nonlinear = setup.nonlinearity.is_some();
            let dt = setup.dt as f32;
            engine.plane_pass(|w| {
                let z = w.z;
                for &buffer in inverse {
                    w.columns_inverse(buffer);
                }
                for (y0, count) in row_blocks(ny) {
                    let (start, len) = (y0 * nx, count * nx);
                    let base = z * plane + start;
                    // The nonlinear factor uses the density before this update.
                    if nonlinear {
                        sum_fields(&mut w.planes[PREVIOUS][..len], rho, base);
                    }
                    if let Some(buffer) = corrected {
                        w.rows_inverse(buffer, y0, count, SOURCE);
                    }
                    w.planes[TOTAL][..len].fill(0.0);
                    if divergence_needed {
                        w.planes[DIVERGENCE][..len].fill(0.0);
                    }
                    for axis in 0..ndim {
                        w.rows_inverse(inverse[axis], y0, count, WORK);
                        // SAFETY: this block of plane z belongs to this worker.
                        let ra = unsafe { rho[axis].slice(base, len) };
                        let [d, total, old, divergence, source] = &mut w.planes[..SCRATCH_PLANES]
                        else {
                            unreachable!("five scratch planes")
                        };
                        let (d, old) = (&d[..len], &old[..len]);
                        let profile = &setup.pml[axis];
                        for (r, (rr, dr)) in
                            ra.chunks_exact_mut(nx).zip(d.chunks_exact(nx)).enumerate()
                        {
                            let (fx, f) = pml_row(profile, ones, axis, y0 + r, z);
                            let fx = &fx[..nx];
                            let old = &old[r * nx..(r + 1) * nx];
                            for_row(&setup.dt_rho0, base + r * nx, nx, |x, dt_rho0| {
                                let pml = fx[x] * f;
                                let factor = if nonlinear {
                                    2.0 * dt * old[x] + dt_rho0
                                } else {
                                    dt_rho0
                                };
                                rr[x] = pml * (pml * rr[x] - factor * dr[x]);
                            });
                        }
                        if let Some(source) = point_source {
                            apply_point_source(ra, source, pressure_sources, z, start, step);
                        }
                        if corrected.is_some() {
                            for (v, add) in ra.iter_mut().zip(&source[..len]) {
                                *v += add;
                            }
                        }
                        for (s, v) in total[..len].iter_mut().zip(ra.iter()) {
                            *s += v;
                        }
                        if divergence_needed {
                            for (s, v) in divergence[..len].iter_mut().zip(d) {
                                *s += v;
                            }
                        }
                    }
                    if absorbing {
                        let a = setup.absorption.as_ref().expect("absorbing");
                        let divergence = &mut w.planes[DIVERGENCE][..len];
                        for_row(&a.rho0, base, len, |i, rho0| divergence[i] *= rho0);
                        w.rows_forward(DIVERGENCE, forward[0], y0, count);
                        w.rows_forward(TOTAL, forward[1], y0, count);
                    } else {
                        let [_, p, _, divergence, _] = &mut w.planes[..SCRATCH_PLANES] else {
                            unreachable!("five scratch planes")
                        };
                        let p = &mut p[..len];
                        if let Some(tau_rho0) = stokes {
                            equation_of_state_stokes(p, &divergence[..len], tau_rho0, setup, base);
                        } else {
                            equation_of_state(p, None, setup, base);
                        }
                        record_pressure(z, start, p, whole);
                        w.rows_forward(TOTAL, forward[0], y0, count);
                    }
                }
                for &buffer in forward {
                    w.columns_forward(buffer);
                }
            });
        }
        Update::AbsorbingPressure { step: _, whole } => {
            let a = setup
                .absorption
                .as_ref()
                .expect("AbsorbingPressure needs absorption");
            engine.plane_pass(|w| {
                let z = w.z;
                w.columns_inverse(inverse[0]);
                w.columns_inverse(inverse[1]);
                for (y0, count) in row_blocks(ny) {
                    let (start, len) = (y0 * nx, count * nx);
                    let base = z * plane + start;
                    w.rows_inverse(inverse[0], y0, count, WORK);
                    w.rows_inverse(inverse[1], y0, count, SOURCE);
                    let [tau_term, p, _, _, eta_term] = &mut w.planes[..SCRATCH_PLANES] else {
                        unreachable!("five scratch planes")
                    };
                    let p = &mut p[..len];
                    sum_fields(p, rho, base);
                    equation_of_state(
                        p,
                        Some((a, &tau_term[..len], &eta_term[..len])),
                        setup,
                        base,
                    );
                    record_pressure(z, start, p, whole);
                    w.rows_forward(TOTAL, forward[0], y0, count);
                }
                w.columns_forward(forward[0]);
            });
        }
    }
}

/// p = c0^2 (rho + B/A rho^2 / (2 rho0) + tau rho0 div u), in place on a plane holding rho.
fn equation_of_state_stokes(
    p: &mut [f32],
    divergence: &[f32],
    tau_rho0: &Coef,
    setup: &crate::setup::AcousticSetup,
    base: usize,
) {
    let len = p.len();
    if let Some(nl) = &setup.nonlinearity {
        for_row(nl, base, len, |i, b| p[i] += b * p[i] * p[i]);
    }
    for_row(tau_rho0, base, len, |i, t| p[i] += t * divergence[i]);
    for_row(&setup.c0_squared, base, len, |i, c2| p[i] *= c2);
}

/// p = c0^2 (rho + B/A rho^2 / (2 rho0) + tau A - eta B), in place on a plane holding rho.
fn equation_of_state(
    p: &mut [f32],
    absorption: Option<(&crate::setup::AbsorptionSetup, &[f32], &[f32])>,
    setup: &crate::setup::AcousticSetup,
    base: usize,
) {
    let len = p.len();
    if let Some(nl) = &setup.nonlinearity {
        for_row(nl, base, len, |i, b| p[i] += b * p[i] * p[i]);
    }
    if let Some((a, tau_term, eta_term)) = absorption {
        for_row(&a.tau, base, len, |i, tau| p[i] += tau * tau_term[i]);
        for_row(&a.eta, base, len, |i, eta| p[i] -= eta * eta_term[i]);
    }
    for_row(&setup.c0_squared, base, len, |i, c2| p[i] *= c2);
}
