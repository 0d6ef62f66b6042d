//! Pressure at a few sensor points without forming p on the grid.
//!
//! In mixed domain i, rho_i at a point is an inverse transform over the two other axes of the
//! values on that point's line: a sum of n/n_i terms per sensor, taken in each pass while the
//! updated line is in cache, and accumulated in f64. For many sensors or whole-grid records
//! the stepper forms p with one inverse 3D transform instead.

use super::layout::Dims;
use num_complex::{Complex32, Complex64};
use std::f64::consts::PI;

/// Sensors sampled in the passes: above this many, one inverse 3D transform per step is
/// cheaper than the sums (each costs about n / n_i complex products per sensor and pass).
pub const MAX_SPECTRAL_SENSORS: usize = 32;

pub struct SpectralSensors {
    count: usize,
    /// Grid coordinates (x, y, z) of each sensor.
    coords: Vec<[usize; 3]>,
    /// exp(+2 pi i k m_s / n) per axis, laid out [k][sensor].
    phase: [Vec<Complex64>; 3],
}

impl SpectralSensors {
    pub fn new(points: &[usize], dims: &Dims) -> Self {
        let coords: Vec<[usize; 3]> = points
            .iter()
            .map(|&p| {
                [
                    p % dims.nx,
                    (p / dims.nx) % dims.ny,
                    p / (dims.nx * dims.ny),
                ]
            })
            .collect();
        let count = points.len();
        let lengths = [dims.nxh, dims.ny, dims.nz];
        let n = [dims.nx, dims.ny, dims.nz];
        let phase = [0, 1, 2].map(|axis| {
            let mut table = Vec::with_capacity(lengths[axis] * count);
            for k in 0..lengths[axis] {
                for c in &coords {
                    let angle = 2.0 * PI * ((k * c[axis]) % n[axis]) as f64 / n[axis] as f64;
                    table.push(Complex64::from_polar(1.0, angle));
                }
            }
            table
        });
        Self {
            count,
            coords,
            phase,
        }
    }

    pub fn bytes(&self) -> usize {
        self.coords.len() * 24 + self.phase.iter().map(|p| p.len() * 16).sum::<usize>()
    }

    /// Adds the terms of the x line at (ky, kz) of mixed domain x: `line` holds rho_x along x.
    pub fn add_x_line(
        &self,
        dims: &Dims,
        ky: usize,
        kz: usize,
        line: &[Complex32],
        acc: &mut [Complex64],
    ) {
        // The (-ky, -kz) line is the conjugate and not held: its term doubles the real part.
        let weight = if dims.self_conjugate_kz(kz) { 1.0 } else { 2.0 };
        let scale = weight / (dims.ny * dims.nz) as f64;
        let (py, pz) = (self.row(1, ky), self.row(2, kz));
        for (s, a) in acc.iter_mut().enumerate() {
            let v = line[self.coords[s][0]];
            *a += Complex64::new(v.re as f64, v.im as f64) * py[s] * pz[s] * scale;
        }
    }

    /// Adds the terms of a block of lines along `axis` (1 or 2) at columns kx0.. and third
    /// index `outer`: `block` holds rho along the lines, line t from `t * pitch`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_block(
        &self,
        dims: &Dims,
        axis: usize,
        outer: usize,
        kx0: usize,
        pitch: usize,
        block: &[Complex32],
        acc: &mut [Complex64],
    ) {
        let other = 3 - axis;
        let scale = 1.0 / (dims.nx * [dims.nz, dims.ny][axis - 1]) as f64;
        let po = self.row(other, outer);
        for (t, line) in block.chunks_exact(pitch).enumerate() {
            let kx = kx0 + t;
            let weight = if dims.self_conjugate_kx(kx) { 1.0 } else { 2.0 };
            let px = self.row(0, kx);
            for (s, a) in acc.iter_mut().enumerate() {
                let v = line[self.coords[s][axis]];
                *a += Complex64::new(v.re as f64, v.im as f64) * px[s] * po[s] * (weight * scale);
            }
        }
    }

    fn row(&self, axis: usize, k: usize) -> &[Complex64] {
        &self.phase[axis][k * self.count..(k + 1) * self.count]
    }
}
