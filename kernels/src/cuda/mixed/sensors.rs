//! Phase tables of the sensors sampled straight from F{p}:
//! p(x_s) = sum over the half spectrum of Re(F{p}[k] e^{2 pi i (kx x_s / nx + ky y_s / ny +
//! kz z_s / nz)}) w_kx / N, with w_kx = 1 for kx = 0 and nx/2, 2 otherwise.

use crate::cpu::mixed::layout::Dims;
use std::f64::consts::PI;

/// Per axis, [k][sensor] (re, im), computed in f64 and rounded once; the x table holds
/// w_kx / N.
pub fn phase_tables(points: &[usize], d: &Dims) -> [Vec<[f32; 2]>; 3] {
    let n = [d.nx, d.ny, d.nz];
    let coords: Vec<[usize; 3]> = points
        .iter()
        .map(|&p| [p % d.nx, (p / d.nx) % d.ny, p / (d.nx * d.ny)])
        .collect();
    let lengths = [d.nxh, d.ny, d.nz];
    [0, 1, 2].map(|axis| {
        let mut table = Vec::with_capacity(lengths[axis] * coords.len());
        for k in 0..lengths[axis] {
            let weight = match axis {
                0 if d.self_conjugate_kx(k) => 1.0 / d.points() as f64,
                0 => 2.0 / d.points() as f64,
                _ => 1.0,
            };
            for c in &coords {
                let angle = 2.0 * PI * ((k * c[axis]) % n[axis]) as f64 / n[axis] as f64;
                table.push([(weight * angle.cos()) as f32, (weight * angle.sin()) as f32]);
            }
        }
        table
    })
}
