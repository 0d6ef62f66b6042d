//! The named fused point-wise updates of the k-space scheme, one plane at a time.
//! Each runs inside a plane pass, between the inverse and forward x-y transforms.

use super::plane_index::PlaneIndex;
use super::shared::SharedMut;
use super::CpuAcoustic;
use crate::catalogue::Update;
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
fn pml_row<'a>(profile: &'a [f32], ones: &'a [f32], axis: usize, y: usize, z: usize) -> (&'a [f32], f32) {
    match axis {
        0 => (profile, 1.0),
        1 => (ones, profile[y]),
        _ => (ones, profile[z]),
    }
}

/// Applies Dirichlet or uncorrected additive point values of `source` on plane z.
fn apply_point_source(field: &mut [f32], source: &PointSource, index: &PlaneIndex, z: usize, step: usize) {
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
        ones,
        ..
    } = b;
    let (nx, ny) = (engine.nx, engine.ny);
    let plane = nx * ny;
    let ndim = setup.ndim;
    let u = velocity.each_mut().map(|f| SharedMut::new(f));
    let rho = density.each_mut().map(|f| SharedMut::new(f));
    let samples = SharedMut::new(pressure_samples);
    let kept = SharedMut::new(pressure_field);
    let setup = &*setup;
    let ones = &ones[..];

    // Samples p at the sensors of plane z and keeps the plane if asked.
    let record_pressure = |z: usize, p: &[f32], keep: bool| {
        for &(j, offset) in sensors.plane(z) {
            // SAFETY: each sensor column lies on exactly one plane.
            unsafe { samples.write(j, p[offset]) };
        }
        if keep {
            // SAFETY: plane z of the kept field belongs to this worker.
            unsafe { kept.slice(z * plane, plane) }.copy_from_slice(p);
        }
    };

    match update {
        Update::InitialPressure => {
            // The backend stored rho_i = p0 / (ndim c0^2) at construction; p = c0^2 sum rho_i
            // gives p0 back (the B/A term is not applied at t = 0, as in k-Wave).
            let keep = setup.keep_pressure_field;
            engine.plane_pass(inverse, forward, |z, _, fwd| {
                let base = z * plane;
                let p = &mut fwd[0];
                p.fill(0.0);
                for r in rho.iter().take(ndim) {
                    // SAFETY: plane z belongs to this worker; read only.
                    let r = unsafe { r.slice(base, plane) };
                    for (s, v) in p.iter_mut().zip(r.iter()) {
                        *s += v;
                    }
                }
                for_row(&setup.c0_squared, base, plane, |i, c2| p[i] *= c2);
                record_pressure(z, p, keep);
            });
        }
        Update::InitialVelocity => {
            engine.plane_pass(inverse, forward, |z, inv, _| {
                let base = z * plane;
                for axis in 0..ndim {
                    // SAFETY: plane z belongs to this worker.
                    let ua = unsafe { u[axis].slice(base, plane) };
                    let g = &inv[axis][..plane];
                    for_row(&setup.dt_over_rho_staggered[axis], base, plane, |i, c| {
                        ua[i] = 0.5 * c * g[i];
                    });
                }
            });
        }
        Update::ScatterPressureSource { step } => {
            let source = setup.pressure_source.as_ref().expect("no pressure source");
            engine.plane_pass(inverse, forward, |z, _, fwd| {
                fwd[0].fill(0.0);
                for &(k, offset) in pressure_sources.plane(z) {
                    fwd[0][offset] = source.value(step, k);
                }
            });
        }
        Update::ScatterVelocitySource { step, axis } => {
            let source = setup.velocity_sources[axis]
                .as_ref()
                .expect("no velocity source on this axis");
            let index = &velocity_sources[axis];
            engine.plane_pass(inverse, forward, |z, _, fwd| {
                fwd[0].fill(0.0);
                for &(k, offset) in index.plane(z) {
                    fwd[0][offset] = source.value(step, k);
                }
            });
        }
        Update::Velocity { step } => {
            // Inverse inputs after the ndim gradients: corrected sources of active axes.
            let mut corrected = [None; 3];
            let mut next = ndim;
            for (axis, slot) in corrected.iter_mut().enumerate().take(ndim) {
                if setup.corrected_velocity_source(axis, step).is_some() {
                    *slot = Some(next);
                    next += 1;
                }
            }
            engine.plane_pass(inverse, forward, |z, inv, fwd| {
                let base = z * plane;
                for axis in 0..ndim {
                    // SAFETY: plane z belongs to this worker.
                    let ua = unsafe { u[axis].slice(base, plane) };
                    let g = &inv[axis][..plane];
                    let profile = &setup.pml_staggered[axis];
                    for y in 0..ny {
                        let row = y * nx;
                        let (fx, f) = pml_row(profile, ones, axis, y, z);
                        let (ur, gr, fx) = (&mut ua[row..row + nx], &g[row..row + nx], &fx[..nx]);
                        for_row(&setup.dt_over_rho_staggered[axis], base + row, nx, |x, c| {
                            let pml = fx[x] * f;
                            ur[x] = pml * (pml * ur[x] - c * gr[x]);
                        });
                    }
                    if let Some(source) = setup.velocity_sources[axis].as_ref().filter(|s| s.active(step)) {
                        apply_point_source(ua, source, &velocity_sources[axis], z, step);
                    }
                    if let Some(s) = corrected[axis] {
                        for (v, add) in ua.iter_mut().zip(&inv[s][..plane]) {
                            *v += add;
                        }
                    }
                    if axis < fwd.len() {
                        fwd[axis].copy_from_slice(ua);
                    }
                }
            });
        }
        Update::Density { step, keep_field } => {
            let corrected = setup.corrected_pressure_source(step).map(|_| ndim);
            let point_source = setup.pressure_source.as_ref().filter(|s| s.active(step));
            let absorbing = setup.absorption.is_some();
            let dt = setup.dt as f32;
            engine.plane_pass(inverse, forward, |z, inv, fwd| {
                let base = z * plane;
                // SAFETY: plane z of every field belongs to this worker (unused axes: empty).
                let mut r = rho.each_ref().map(|r| {
                    if r.is_empty() {
                        &mut [][..]
                    } else {
                        unsafe { r.slice(base, plane) }
                    }
                });
                let r = &mut r[..ndim];
                let (first, rest) = fwd.split_first_mut().expect("density needs a forward plane");
                // The nonlinear factor uses the density before this update.
                if setup.nonlinearity.is_some() {
                    first.fill(0.0);
                    for ra in r.iter() {
                        for (s, v) in first.iter_mut().zip(ra.iter()) {
                            *s += v;
                        }
                    }
                }
                for (axis, ra) in r.iter_mut().enumerate() {
                    let d = &inv[axis][..plane];
                    let profile = &setup.pml[axis];
                    let nonlinear = setup.nonlinearity.is_some();
                    for y in 0..ny {
                        let row = y * nx;
                        let (fx, f) = pml_row(profile, ones, axis, y, z);
                        let (rr, dr, fx) = (&mut ra[row..row + nx], &d[row..row + nx], &fx[..nx]);
                        let old = &first[row..row + nx];
                        for_row(&setup.dt_rho0, base + row, nx, |x, dt_rho0| {
                            let pml = fx[x] * f;
                            let factor = if nonlinear { 2.0 * dt * old[x] + dt_rho0 } else { dt_rho0 };
                            rr[x] = pml * (pml * rr[x] - factor * dr[x]);
                        });
                    }
                    if let Some(source) = point_source {
                        apply_point_source(ra, source, pressure_sources, z, step);
                    }
                    if let Some(s) = corrected {
                        for (v, add) in ra.iter_mut().zip(&inv[s][..plane]) {
                            *v += add;
                        }
                    }
                }
                if absorbing {
                    let a = setup.absorption.as_ref().expect("absorbing");
                    // first = rho0 div u, rest[0] = rho
                    let (div_term, total) = (first, &mut rest[0]);
                    div_term.fill(0.0);
                    for d in inv.iter().take(ndim) {
                        for (s, v) in div_term.iter_mut().zip(&d[..plane]) {
                            *s += v;
                        }
                    }
                    for_row(&a.rho0, base, plane, |i, rho0| div_term[i] *= rho0);
                    total.fill(0.0);
                    for ra in r.iter() {
                        for (s, v) in total.iter_mut().zip(ra.iter()) {
                            *s += v;
                        }
                    }
                } else {
                    let p = first;
                    p.fill(0.0);
                    for ra in r.iter() {
                        for (s, v) in p.iter_mut().zip(ra.iter()) {
                            *s += v;
                        }
                    }
                    equation_of_state(p, None, setup, base);
                    record_pressure(z, p, keep_field);
                }
            });
        }
        Update::AbsorbingPressure { step: _, keep_field } => {
            let a = setup.absorption.as_ref().expect("AbsorbingPressure needs absorption");
            engine.plane_pass(inverse, forward, |z, inv, fwd| {
                let base = z * plane;
                let p = &mut fwd[0];
                p.fill(0.0);
                for r in rho.iter().take(ndim) {
                    // SAFETY: plane z belongs to this worker; read only.
                    let r = unsafe { r.slice(base, plane) };
                    for (s, v) in p.iter_mut().zip(r.iter()) {
                        *s += v;
                    }
                }
                let (tau_term, eta_term) = (&inv[0][..plane], &inv[1][..plane]);
                equation_of_state(p, Some((a, tau_term, eta_term)), setup, base);
                record_pressure(z, p, keep_field);
            });
        }
    }
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
