//! k-space factors laid out for the line pass: [line][kz] with line = kx * ny + ky,
//! normalisation 1/N of the inverse transform folded in.

use super::engine::LineBlock;
use crate::catalogue::SpectralOp;
use crate::kspace;
use crate::setup::AcousticSetup;
use num_complex::Complex32;

pub struct KSpaceTables {
    ndim: usize,
    kappa: Vec<f32>,
    source_kappa: Vec<f32>,
    nabla1: Vec<f32>,
    nabla2: Vec<f32>,
    /// i k exp(+i k d/2) per axis, indexed by the axis' wavenumber index.
    derivative_forward: [Vec<Complex32>; 3],
    derivative_backward: [Vec<Complex32>; 3],
}

impl KSpaceTables {
    pub fn estimate_bytes(setup: &AcousticSetup) -> usize {
        let [nx, ny, nz] = setup.shape;
        let half = (nx / 2 + 1) * ny * nz;
        let tables = 1
            + (setup.corrected_source_count() > 0) as usize
            + 2 * setup.absorption.is_some() as usize;
        tables * half * 4 + 2 * (nx + ny + nz) * 8
    }

    pub fn new(setup: &AcousticSetup, nxh: usize) -> Self {
        let [nx, ny, nz] = setup.shape;
        let k: Vec<Vec<f64>> = (0..3)
            .map(|a| kspace::wavenumbers(setup.shape[a], setup.spacing[a]))
            .collect();
        let norm = 1.0 / (nx * ny * nz) as f64;
        let c_ref_dt = setup.c_ref * setup.dt;
        let lines = nxh * ny;
        let table = |f: &dyn Fn(f64) -> f64| -> Vec<f32> {
            let mut t = vec![0.0f32; lines * nz];
            for kx in 0..nxh {
                for ky in 0..ny {
                    let line = kx * ny + ky;
                    for kz in 0..nz {
                        let k2 = k[0][kx].powi(2) + k[1][ky].powi(2) + k[2][kz].powi(2);
                        t[line * nz + kz] = (f(k2.sqrt()) * norm) as f32;
                    }
                }
            }
            t
        };
        let kappa = table(&|km| kspace::kappa(c_ref_dt, km));
        let source_kappa = if setup.corrected_source_count() > 0 {
            table(&|km| kspace::source_kappa(c_ref_dt, km))
        } else {
            Vec::new()
        };
        let (nabla1, nabla2) = match &setup.absorption {
            Some(a) => (
                table(&|km| kspace::fractional_power(km, a.power - 2.0)),
                table(&|km| kspace::fractional_power(km, a.power - 1.0)),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let derivative = |axis: usize, sign: f64| -> Vec<Complex32> {
            let count = if axis == 0 { nxh } else { setup.shape[axis] };
            (0..count)
                .map(|i| {
                    if axis >= setup.ndim {
                        return Complex32::default();
                    }
                    let (re, im) =
                        kspace::shifted_derivative(k[axis][i], setup.spacing[axis], sign);
                    Complex32::new(re as f32, im as f32)
                })
                .collect()
        };
        Self {
            ndim: setup.ndim,
            kappa,
            source_kappa,
            nabla1,
            nabla2,
            derivative_forward: [derivative(0, 1.0), derivative(1, 1.0), derivative(2, 1.0)],
            derivative_backward: [
                derivative(0, -1.0),
                derivative(1, -1.0),
                derivative(2, -1.0),
            ],
        }
    }

    pub fn bytes(&self) -> usize {
        4 * (self.kappa.len() + self.source_kappa.len() + self.nabla1.len() + self.nabla2.len())
            + 8 * self
                .derivative_forward
                .iter()
                .chain(&self.derivative_backward)
                .map(Vec::len)
                .sum::<usize>()
    }

    pub fn apply(&self, op: SpectralOp, block: &LineBlock, ny: usize, data: &mut [Vec<Complex32>]) {
        let nz = block.nz;
        let len = block.lines * nz;
        let start = block.first_line * nz;
        match op {
            SpectralOp::GradientStaggeredForward => {
                let kappa = &self.kappa[start..start + len];
                let d = &self.derivative_forward;
                for t in 0..block.lines {
                    let line = block.first_line + t;
                    let (kx, ky) = (line / ny, line % ny);
                    let range = t * nz..(t + 1) * nz;
                    let k = &kappa[range.clone()];
                    let (cx, cy, dz) = (d[0][kx], d[1][ky], &d[2][..nz]);
                    match data {
                        [o0] => {
                            let o0 = &mut o0[range];
                            for i in 0..nz {
                                o0[i] *= cx * k[i];
                            }
                        }
                        [o0, o1] => {
                            let (o0, o1) = (&mut o0[range.clone()], &mut o1[range]);
                            for i in 0..nz {
                                let v = o0[i] * k[i];
                                o0[i] = v * cx;
                                o1[i] = v * cy;
                            }
                        }
                        [o0, o1, o2] => {
                            let (o0, o1, o2) = (
                                &mut o0[range.clone()],
                                &mut o1[range.clone()],
                                &mut o2[range],
                            );
                            for i in 0..nz {
                                let v = o0[i] * k[i];
                                o0[i] = v * cx;
                                o1[i] = v * cy;
                                o2[i] = v * dz[i];
                            }
                        }
                        _ => unreachable!("1 to 3 gradient outputs"),
                    }
                }
            }
            SpectralOp::DivergenceStaggeredBackward => {
                let kappa = &self.kappa[start..start + len];
                let d = &self.derivative_backward;
                for t in 0..block.lines {
                    let line = block.first_line + t;
                    let (kx, ky) = (line / ny, line % ny);
                    let range = t * nz..(t + 1) * nz;
                    let k = &kappa[range.clone()];
                    for (axis, o) in data.iter_mut().enumerate().take(self.ndim) {
                        let o = &mut o[range.clone()];
                        match axis {
                            0 | 1 => {
                                let c = if axis == 0 { d[0][kx] } else { d[1][ky] };
                                for i in 0..nz {
                                    o[i] *= c * k[i];
                                }
                            }
                            _ => {
                                let dz = &d[2][..nz];
                                for i in 0..nz {
                                    o[i] *= dz[i] * k[i];
                                }
                            }
                        }
                    }
                }
            }
            SpectralOp::FractionalLaplacians => {
                for (o, table) in data.iter_mut().zip([&self.nabla1, &self.nabla2]) {
                    let (o, k) = (&mut o[..len], &table[start..start + len]);
                    for i in 0..len {
                        o[i] *= k[i];
                    }
                }
            }
            SpectralOp::SourceCorrection => {
                let (o, k) = (&mut data[0][..len], &self.source_kappa[start..start + len]);
                for i in 0..len {
                    o[i] *= k[i];
                }
            }
        }
    }
}
