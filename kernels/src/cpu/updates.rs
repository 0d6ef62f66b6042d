//! The named fused point-wise updates of the k-space scheme, one plane at a time.
//! Each runs inside a plane pass, between the inverse and forward x-y transforms.

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

/// Applies Dirichlet or uncorrected additive point values of `source` on plane z.
fn apply_point_source(
    field: &mut [f32],
    source: &PointSource,
    index: &PlaneIndex,
    z: usize,
    step: usize,
) {
    match source.injection {
        SourceInjection::Dirichlet => {
            for &(k, offset) in index.plane(z) {
                field[offset] = source.value(step, k);
            }
        }
        SourceInjection::AdditiveNoCorrection => {
            for &(k, offset) in index.plane(z) {
                field[offset] += source.value(step, k);
            }
        }
        SourceInjection::Additive => {}
    }
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

    // Samples p at the sensors of plane z and records the plane whole as asked.
    let record_pressure = |z: usize, p: &[f32], whole: WholeGrid| {
        for &(j, offset) in sensors.plane(z) {
            // SAFETY: each sensor column lies on exactly one plane.
            unsafe { samples.write(j, p[offset]) };
        }
        if whole.keep {
            // SAFETY: plane z of the kept field belongs to this worker.
            unsafe { kept.slice(z * plane, plane) }.copy_from_slice(p);
        }
        if whole.extremes {
            fold_extremes(&p_extremes, z * plane, p);
        }
    };

    match update {
        Update::InitialPressure { whole } => {
            // The backend stored rho_i = p0 / (ndim c0^2) at construction; p = c0^2 sum rho_i
            // gives p0 back (the B/A term is not applied at t = 0, as in k-Wave).
            engine.plane_pass(|w| {
                let base = w.z * plane;
                let p = &mut w.planes[TOTAL];
                sum_fields(p, rho, base);
                for_row(&setup.c0_squared, base, plane, |i, c2| p[i] *= c2);
                record_pressure(w.z, p, whole);
                w.forward(TOTAL, forward[0]);
            });
        }
        Update::InitialVelocity { whole } => {
            engine.plane_pass(|w| {
                let base = w.z * plane;
                for axis in 0..ndim {
                    w.inverse(inverse[axis], WORK);
                    // SAFETY: plane z belongs to this worker.
                    let ua = unsafe { u[axis].slice(base, plane) };
                    let g = &w.planes[WORK];
                    for_row(&setup.dt_over_rho_staggered[axis], base, plane, |i, c| {
                        ua[i] = 0.5 * c * g[i];
                    });
                    if whole.extremes {
                        fold_extremes(&u_extremes[axis], base, ua);
                    }
                }
            });
        }
        Update::ScatterPressureSource { step } => {
            let source = setup.pressure_source.as_ref().expect("no pressure source");
            engine.plane_pass(|w| {
                let grid = &mut w.planes[WORK];
                grid.fill(0.0);
                for &(k, offset) in pressure_sources.plane(w.z) {
                    grid[offset] = source.value(step, k);
                }
                w.forward(WORK, forward[0]);
            });
        }
        Update::ScatterVelocitySource { step, axis } => {
            let source = setup.velocity_sources[axis]
                .as_ref()
                .expect("no velocity source on this axis");
            let index = &velocity_sources[axis];
            engine.plane_pass(|w| {
                let grid = &mut w.planes[WORK];
                grid.fill(0.0);
                for &(k, offset) in index.plane(w.z) {
                    grid[offset] = source.value(step, k);
                }
                w.forward(WORK, forward[0]);
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
                let (z, base) = (w.z, w.z * plane);
                for axis in 0..ndim {
                    w.inverse(inverse[axis], WORK);
                    // SAFETY: plane z belongs to this worker.
                    let ua = unsafe { u[axis].slice(base, plane) };
                    let g = &w.planes[WORK];
                    let profile = &setup.pml_staggered[axis];
                    for y in 0..ny {
                        let row = y * nx;
                        let (fx, f) = pml_row(profile, ones, axis, y, z);
                        let (ur, gr, fx) = (&mut ua[row..row + nx], &g[row..row + nx], &fx[..nx]);
                        for_row(
                            &setup.dt_over_rho_staggered[axis],
                            base + row,
                            nx,
                            |x, c| {
                                let pml = fx[x] * f;
                                ur[x] = pml * (pml * ur[x] - c * gr[x]);
                            },
                        );
                    }
                    if let Some(source) = setup.velocity_sources[axis]
                        .as_ref()
                        .filter(|s| s.active(step))
                    {
                        apply_point_source(ua, source, &velocity_sources[axis], z, step);
                    }
                    if let Some(buffer) = corrected[axis] {
                        w.inverse(buffer, SOURCE);
                        for (v, add) in ua.iter_mut().zip(&w.planes[SOURCE][..plane]) {
                            *v += add;
                        }
                    }
                    if whole.extremes {
                        fold_extremes(&u_extremes[axis], base, ua);
                    }
                    if axis < forward.len() {
                        w.planes[WORK].copy_from_slice(ua);
                        w.forward(WORK, forward[axis]);
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
                let (z, base) = (w.z, w.z * plane);
                // The nonlinear factor uses the density before this update.
                if nonlinear {
                    sum_fields(&mut w.planes[PREVIOUS], rho, base);
                }
                if let Some(buffer) = corrected {
                    w.inverse(buffer, SOURCE);
                }
                w.planes[TOTAL].fill(0.0);
                if divergence_needed {
                    w.planes[DIVERGENCE].fill(0.0);
                }
                for axis in 0..ndim {
                    w.inverse(inverse[axis], WORK);
                    // SAFETY: plane z belongs to this worker.
                    let ra = unsafe { rho[axis].slice(base, plane) };
                    let [d, total, old, divergence, source] = &mut w.planes[..SCRATCH_PLANES]
                    else {
                        unreachable!("five scratch planes")
                    };
                    let profile = &setup.pml[axis];
                    for y in 0..ny {
                        let row = y * nx;
                        let (fx, f) = pml_row(profile, ones, axis, y, z);
                        let (rr, dr, fx) = (&mut ra[row..row + nx], &d[row..row + nx], &fx[..nx]);
                        let old = &old[row..row + nx];
                        for_row(&setup.dt_rho0, base + row, nx, |x, dt_rho0| {
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
                        apply_point_source(ra, source, pressure_sources, z, step);
                    }
                    if corrected.is_some() {
                        for (v, add) in ra.iter_mut().zip(&source[..plane]) {
                            *v += add;
                        }
                    }
                    for (s, v) in total.iter_mut().zip(ra.iter()) {
                        *s += v;
                    }
                    if divergence_needed {
                        for (s, v) in divergence.iter_mut().zip(d.iter()) {
                            *s += v;
                        }
                    }
                }
                if absorbing {
                    let a = setup.absorption.as_ref().expect("absorbing");
                    let divergence = &mut w.planes[DIVERGENCE];
                    for_row(&a.rho0, base, plane, |i, rho0| divergence[i] *= rho0);
                    w.forward(DIVERGENCE, forward[0]);
                    w.forward(TOTAL, forward[1]);
                } else {
                    let [_, p, _, divergence, _] = &mut w.planes[..SCRATCH_PLANES] else {
                        unreachable!("five scratch planes")
                    };
                    if let Some(tau_rho0) = stokes {
                        // The Stokes term joins rho before the B/A term sees it, so add it
                        // after: p = c0^2 (rho + B/A rho^2/(2 rho0) + tau rho0 div u).
                        equation_of_state_stokes(p, divergence, tau_rho0, setup, base);
                    } else {
                        equation_of_state(p, None, setup, base);
                    }
                    record_pressure(z, p, whole);
                    w.forward(TOTAL, forward[0]);
                }
            });
        }
        Update::AbsorbingPressure { step: _, whole } => {
            let a = setup
                .absorption
                .as_ref()
                .expect("AbsorbingPressure needs absorption");
            engine.plane_pass(|w| {
                let base = w.z * plane;
                w.inverse(inverse[0], WORK);
                w.inverse(inverse[1], SOURCE);
                let [tau_term, p, _, _, eta_term] = &mut w.planes[..SCRATCH_PLANES] else {
                    unreachable!("five scratch planes")
                };
                sum_fields(p, rho, base);
                equation_of_state(p, Some((a, tau_term, eta_term)), setup, base);
                record_pressure(w.z, p, whole);
                w.forward(TOTAL, forward[0]);
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
