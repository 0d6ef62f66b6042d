//! The axis passes of the mixed-domain stepper, and the 3D real transforms that bring p0 in
//! and p out.
//!
//! Per line of axis i, all in cache: g = F_i^-1{kappa d/dx_i+ F{p}}, the velocity update,
//! d = F_i^-1{kappa d/dx_i- F_i{u_i}}, the density update, the sensor terms, and
//! c0^2 F_i{rho_i} into F{p} of the step. Lines along x are contiguous and taken one at a
//! time. Lines along y and z are taken in blocks of adjacent kx columns: strided in F{p} and
//! kappa, contiguous in the axis' own fields (held with that axis contiguous).

use super::layout::{Dims, LineBlock};
use super::pointwise;
use super::sensors::SpectralSensors;
use super::tables::Tables;
use crate::catalogue::AxisPass;
use crate::cpu::shared::SharedMut;
use num_complex::{Complex32, Complex64};
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use std::sync::{Arc, Mutex, MutexGuard};

/// The 1D transforms of every axis.
pub struct Plans {
    forward: [Arc<dyn Fft<f32>>; 3],
    inverse: [Arc<dyn Fft<f32>>; 3],
    r2c: Arc<dyn RealToComplex<f32>>,
    c2r: Arc<dyn ComplexToReal<f32>>,
}

impl Plans {
    pub fn new(dims: &Dims) -> Self {
        let mut planner = FftPlanner::<f32>::new();
        let mut real = RealFftPlanner::<f32>::new();
        let n = [dims.nx, dims.ny, dims.nz];
        Self {
            forward: n.map(|len| planner.plan_fft_forward(len)),
            inverse: n.map(|len| planner.plan_fft_inverse(len)),
            r2c: real.plan_fft_forward(dims.nx),
            c2r: real.plan_fft_inverse(dims.nx),
        }
    }

    pub fn scratch_len(&self) -> usize {
        self.forward
            .iter()
            .chain(&self.inverse)
            .map(|f| f.get_inplace_scratch_len())
            .chain([self.r2c.get_scratch_len(), self.c2r.get_scratch_len()])
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

/// Per-worker scratch, allocated once.
pub struct Scratch {
    lines: Vec<Complex32>,
    work: Vec<Complex32>,
    kappa: Vec<f32>,
    fft: Vec<Complex32>,
    row: Vec<f32>,
    /// Sensor sums of the passes since the last `take_sensor_sums`.
    pub sums: Vec<Complex64>,
}

/// One scratch set per worker of the rayon pool the stepper was built in.
pub struct Workers(Vec<Mutex<Scratch>>);

impl Workers {
    pub fn new(dims: &Dims, plans: &Plans, sensors: usize) -> Self {
        let block = Self::block_len(dims);
        let workers = rayon::current_num_threads().max(1);
        Self(
            (0..workers)
                .map(|_| {
                    Mutex::new(Scratch {
                        lines: vec![Complex32::default(); block],
                        work: vec![Complex32::default(); block],
                        kappa: vec![0.0; block],
                        fft: vec![Complex32::default(); plans.scratch_len()],
                        row: vec![0.0; dims.nx],
                        sums: vec![Complex64::default(); sensors],
                    })
                })
                .collect(),
        )
    }

    fn block_len(dims: &Dims) -> usize {
        dims.max_block_len().max(dims.nx)
    }

    /// Bytes one worker's scratch takes, before allocating.
    pub fn bytes_per_worker(dims: &Dims, scratch_len: usize, sensors: usize) -> usize {
        Self::block_len(dims) * 20 + scratch_len * 8 + dims.nx * 4 + sensors * 16
    }

    pub fn bytes(&self) -> usize {
        let s = self.0[0].lock().expect("scratch mutex poisoned");
        let one = (s.lines.len() + s.work.len() + s.fft.len()) * 8
            + s.kappa.len() * 4
            + s.row.len() * 4
            + s.sums.len() * 16;
        one * self.0.len()
    }

    fn get(&self) -> MutexGuard<'_, Scratch> {
        let worker = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        self.0[worker]
            .lock()
            .expect("scratch mutex poisoned by a panicking worker")
    }

    /// The sensor sums of all workers, summed, and reset to zero.
    pub fn take_sensor_sums(&self, out: &mut [Complex64]) {
        out.fill(Complex64::default());
        for worker in &self.0 {
            let mut s = worker.lock().expect("scratch mutex poisoned");
            for (o, v) in out.iter_mut().zip(s.sums.iter_mut()) {
                *o += *v;
                *v = Complex64::default();
            }
        }
    }
}

/// The fields one pass updates: velocity and density of its axis, F{p} of the step, and
/// F{div u} when absorbing (each pass adds its F{d/dx_i u_i}).
pub struct PassFields {
    pub velocity: SharedMut<Complex32>,
    pub density: SharedMut<Complex32>,
    pub next_spectrum: SharedMut<Complex32>,
    pub divergence_spectrum: Option<SharedMut<Complex32>>,
}

pub struct Passes<'a> {
    pub dims: Dims,
    pub tables: &'a Tables,
    pub plans: &'a Plans,
    pub workers: &'a Workers,
    pub sensors: Option<&'a SpectralSensors>,
    /// F{S} of this step's additive pressure source (k-space corrected or not), when one acts:
    /// F_i^-1{F{S}} is added to rho_i after its update.
    pub pressure_source: Option<&'a [Complex32]>,
}

impl<'a> Passes<'a> {
    /// Passes that sample no sensor and add no source: for the 3D transforms alone.
    pub fn transforms(
        dims: Dims,
        tables: &'a Tables,
        plans: &'a Plans,
        workers: &'a Workers,
    ) -> Self {
        Self {
            dims,
            tables,
            plans,
            workers,
            sensors: None,
            pressure_source: None,
        }
    }

    /// 1 / (ndim c0^2): the share of p0 each split density starts with.
    fn initial_density_scale(&self) -> f32 {
        1.0 / (self.dims.ndim as f32 * self.tables.c0_squared)
    }

    /// The pass along x. `spectrum` is F{p} of the last step (of p0 for the initial pass).
    pub fn along_x(&self, pass: AxisPass, spectrum: &[Complex32], f: &PassFields) {
        let d = self.dims;
        let t = self.tables;
        let (nx, nxh, ny, nz) = (d.nx, d.nxh, d.ny, d.nz);
        let (forward, inverse) = (&self.plans.forward[0], &self.plans.inverse[0]);
        let (pml, pml_sg) = (&t.pml[0], &t.pml_staggered[0]);
        let (dtr, dt_rho0, c2) = (t.dt_over_rho[0], t.dt_rho0, t.c0_squared);
        let rho_scale = self.initial_density_scale();
        (0..d.nzh).into_par_iter().for_each(|kz| {
            let mut guard = self.workers.get();
            let s = &mut *guard;
            let (g, w, kappa, fft) = (
                &mut s.lines[..nx],
                &mut s.work[..nx],
                &mut s.kappa[..nx],
                &mut s.fft[..],
            );
            for ky in 0..ny {
                let own = d.half_row(kz, ky);
                let partner = d.half_row((nz - kz) % nz, (ny - ky) % ny);
                // kappa depends on |k| only: the full line mirrors the half row.
                let half = &t.kappa[own..own + nxh];
                kappa[..nxh].copy_from_slice(half);
                for (k, &v) in kappa[nxh..].iter_mut().zip(half[1..=nx - nxh].iter().rev()) {
                    *k = v;
                }
                full_line(spectrum, own, partner, nxh, g);
                pointwise::multiply(g, &t.gradient[0], kappa);
                inverse.process_with_scratch(g, fft);
                let line = (kz * ny + ky) * nx;
                // SAFETY: line (ky, kz) of this axis' fields belongs to this worker.
                let (u, rho) = unsafe { (f.velocity.slice(line, nx), f.density.slice(line, nx)) };
                match pass {
                    AxisPass::Initial => {
                        pointwise::scale(u, g, 0.5 * dtr);
                        full_line(spectrum, own, partner, nxh, w);
                        inverse.process_with_scratch(w, fft);
                        pointwise::scale(rho, w, rho_scale * t.inverse_scale[0]);
                    }
                    AxisPass::Step => {
                        pointwise::pml_update_copy(u, g, dtr, pml_sg, w);
                        forward.process_with_scratch(w, fft);
                        pointwise::multiply(w, &t.divergence[0], kappa);
                        if let Some(divergence) = f.divergence_spectrum {
                            // SAFETY: as for F{p} of the step below.
                            unsafe {
                                write_half_rows(divergence, w, own, partner, &d, kz, nx as f32)
                            };
                        }
                        inverse.process_with_scratch(w, fft);
                        // w keeps rho for its transform below.
                        pointwise::pml_update_into(rho, w, dt_rho0, pml);
                        if let Some(source) = self.pressure_source {
                            full_line(source, own, partner, nxh, g);
                            inverse.process_with_scratch(g, fft);
                            pointwise::add_scaled_twice(rho, w, g, t.inverse_scale[0]);
                        }
                    }
                }
                if let Some(sensors) = self.sensors {
                    sensors.add_x_line(&d, ky, kz, rho, &mut s.sums);
                }
                if pass == AxisPass::Step {
                    forward.process_with_scratch(w, fft);
                    // SAFETY: rows (ky, kz) and (-ky, -kz) of F{p} are written by the worker
                    // of plane kz only (kz < nzh, so -kz is not another worker's plane).
                    unsafe { write_half_rows(f.next_spectrum, w, own, partner, &d, kz, c2) };
                }
            }
        });
    }

    /// The pass along y (`axis` 1) or z (`axis` 2).
    pub fn along_lines(&self, axis: usize, pass: AxisPass, spectrum: &[Complex32], f: &PassFields) {
        let d = self.dims;
        let t = self.tables;
        let (forward, inverse) = (&self.plans.forward[axis], &self.plans.inverse[axis]);
        let (pml, pml_sg) = (&t.pml[axis], &t.pml_staggered[axis]);
        let (gradient, divergence) = (&t.gradient[axis][..], &t.divergence[axis][..]);
        let (dtr, dt_rho0, c2) = (t.dt_over_rho[axis], t.dt_rho0, t.c0_squared);
        let rho_scale = self.initial_density_scale() * t.inverse_scale[axis];
        let inverse_scale = t.inverse_scale[axis];
        // The divergence multiplier holds 1/n of the inverse transform; F{d/dx_i u_i} does not.
        let axis_points = [d.nx, d.ny, d.nz][axis] as f32;
        (0..d.line_block_count(axis))
            .into_par_iter()
            .for_each(|index| {
                let b = d.line_block(axis, index);
                let (len, n) = (b.len, b.scratch_len());
                let mut guard = self.workers.get();
                let s = &mut *guard;
                let (g, w, k, fft) = (
                    &mut s.lines[..n],
                    &mut s.work[..n],
                    &mut s.kappa[..n],
                    &mut s.fft[..],
                );
                let transform =
                    |plan: &Arc<dyn Fft<f32>>, data: &mut [Complex32], fft: &mut [Complex32]| {
                        for line in b.lines(data) {
                            plan.process_with_scratch(line, fft);
                        }
                    };
                b.gather_pair(spectrum, g, &t.kappa, k);
                for (line, kappa) in b.lines(g).zip(k.chunks_exact(b.pitch())) {
                    pointwise::multiply(line, gradient, kappa);
                }
                transform(inverse, g, fft);
                // Line t of this block in the axis' fields (held with the axis contiguous).
                let start = |t: usize| (b.outer * d.nxh + b.kx0 + t) * len;
                // SAFETY (field lines below): the lines of this block belong to this worker.
                let pitch = b.pitch();
                match pass {
                    AxisPass::Initial => {
                        b.gather(spectrum, w);
                        transform(inverse, w, fft);
                        for t in 0..b.width {
                            let (u, rho) = unsafe {
                                (
                                    f.velocity.slice(start(t), len),
                                    f.density.slice(start(t), len),
                                )
                            };
                            let (g, w) = (&g[t * pitch..][..len], &mut w[t * pitch..][..len]);
                            pointwise::scale(u, g, 0.5 * dtr);
                            pointwise::scale(rho, w, rho_scale);
                            w.copy_from_slice(rho);
                        }
                    }
                    AxisPass::Step => {
                        for t in 0..b.width {
                            let u = unsafe { f.velocity.slice(start(t), len) };
                            let (g, w) = (&g[t * pitch..][..len], &mut w[t * pitch..][..len]);
                            pointwise::pml_update_copy(u, g, dtr, pml_sg, w);
                        }
                        transform(forward, w, fft);
                        for (line, kappa) in b.lines(w).zip(k.chunks_exact(pitch)) {
                            pointwise::multiply(line, divergence, kappa);
                        }
                        if let Some(spectrum) = f.divergence_spectrum {
                            // SAFETY: this block of F{div u} belongs to this worker.
                            unsafe { b.for_each_mut(spectrum, |v, i, _| *v += w[i] * axis_points) };
                        }
                        transform(inverse, w, fft);
                        for t in 0..b.width {
                            let rho = unsafe { f.density.slice(start(t), len) };
                            let w = &mut w[t * pitch..][..len];
                            pointwise::pml_update_into(rho, w, dt_rho0, pml);
                        }
                        if let Some(source) = self.pressure_source {
                            b.gather(source, g);
                            transform(inverse, g, fft);
                            for t in 0..b.width {
                                let rho = unsafe { f.density.slice(start(t), len) };
                                let (g, w) = (&g[t * pitch..][..len], &mut w[t * pitch..][..len]);
                                pointwise::add_scaled_twice(rho, w, g, inverse_scale);
                            }
                        }
                    }
                }
                if let Some(sensors) = self.sensors {
                    sensors.add_block(&d, axis, b.outer, b.kx0, b.pitch(), w, &mut s.sums);
                }
                if pass == AxisPass::Step {
                    transform(forward, w, fft);
                    // SAFETY: this block of F{p} of the step belongs to this worker.
                    unsafe { b.for_each_mut(f.next_spectrum, |p, i, _| *p += w[i] * c2) };
                }
            });
    }

    /// F{p0}: the forward 3D real transform of `real` into `spectrum`.
    pub fn forward_real(&self, real: &[f32], spectrum: &mut [Complex32]) {
        let d = self.dims;
        let (nx, nxh) = (d.nx, d.nxh);
        spectrum
            .par_chunks_mut(nxh)
            .zip(real.par_chunks(nx))
            .for_each(|(out, row)| {
                let mut guard = self.workers.get();
                let s = &mut *guard;
                s.row.copy_from_slice(row);
                self.plans
                    .r2c
                    .process_with_scratch(&mut s.row, out, &mut s.fft)
                    .expect("r2c sizes are fixed at plan time");
            });
        let view = SharedMut::new(spectrum);
        for axis in 1..d.ndim {
            self.transform_lines(view, axis, true);
        }
    }

    /// p from F{p}: the inverse 3D real transform of `spectrum` into `real`, through `work`
    /// (the size of `spectrum`).
    pub fn inverse_real(&self, spectrum: &[Complex32], work: &mut [Complex32], real: &mut [f32]) {
        let d = self.dims;
        let (nx, nxh) = (d.nx, d.nxh);
        work.par_chunks_mut(nxh)
            .zip(spectrum.par_chunks(nxh))
            .for_each(|(w, s)| w.copy_from_slice(s));
        let view = SharedMut::new(work);
        for axis in (1..d.ndim).rev() {
            self.transform_lines(view, axis, false);
        }
        let scale = 1.0 / d.points() as f32;
        real.par_chunks_mut(nx)
            .zip(work.par_chunks_mut(nxh))
            .for_each(|(out, row)| {
                let mut guard = self.workers.get();
                let s = &mut *guard;
                // The real transform ignores these, as FFTW's does; realfft insists on zeros.
                row[0].im = 0.0;
                if nx % 2 == 0 {
                    row[nxh - 1].im = 0.0;
                }
                self.plans
                    .c2r
                    .process_with_scratch(row, out, &mut s.fft)
                    .expect("c2r sizes are fixed at plan time");
                for v in out.iter_mut() {
                    *v *= scale;
                }
            });
    }

    /// Transforms every line along `axis` (1 or 2) of a `[z][y][kx]` array in place.
    fn transform_lines(&self, data: SharedMut<Complex32>, axis: usize, forward: bool) {
        let d = self.dims;
        let plan = if forward {
            &self.plans.forward[axis]
        } else {
            &self.plans.inverse[axis]
        };
        (0..d.line_block_count(axis))
            .into_par_iter()
            .for_each(|index| {
                let b: LineBlock = d.line_block(axis, index);
                let mut guard = self.workers.get();
                let s = &mut *guard;
                let w = &mut s.work[..b.scratch_len()];
                // SAFETY: this block belongs to this worker.
                unsafe { b.for_each_mut(data, |v, i, _| w[i] = *v) };
                for line in b.lines(w) {
                    plan.process_with_scratch(line, &mut s.fft);
                }
                unsafe { b.for_each_mut(data, |v, i, _| *v = w[i]) };
            });
    }
}

/// Writes the full kx line `line` (ky, kz), times `c`, into the half spectrum `spectrum`: its
/// first half into row `own`, and its second half, conjugated, into row `partner` at
/// (-ky, -kz) unless plane kz is its own partner.
///
/// # Safety
/// Rows `own` and `partner` must belong to the caller's worker.
unsafe fn write_half_rows(
    spectrum: SharedMut<Complex32>,
    line: &[Complex32],
    own: usize,
    partner: usize,
    d: &Dims,
    kz: usize,
    c: f32,
) {
    let (nx, nxh) = (d.nx, d.nxh);
    pointwise::scale(spectrum.slice(own, nxh), &line[..nxh], c);
    if !d.self_conjugate_kz(kz) {
        let row = spectrum.slice(partner, nxh);
        row[0] = line[0].conj() * c;
        for (r, v) in row[1..].iter_mut().zip(line[nx - nxh + 1..].iter().rev()) {
            *r = v.conj() * c;
        }
    }
}

/// The full kx line (ky, kz) of F{p} from its half row `own` and the conjugate of the half
/// row `partner` at (-ky, -kz).
fn full_line(
    spectrum: &[Complex32],
    own: usize,
    partner: usize,
    nxh: usize,
    out: &mut [Complex32],
) {
    let nx = out.len();
    out[..nxh].copy_from_slice(&spectrum[own..own + nxh]);
    for m in nxh..nx {
        out[m] = spectrum[partner + nx - m].conj();
    }
}
