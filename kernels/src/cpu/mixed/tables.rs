//! Constants and k-space factors of the mixed-domain stepper.

use super::layout::Dims;
use super::pointwise::pairs;
use crate::kspace;
use crate::setup::AcousticSetup;
use num_complex::Complex32;

pub struct Tables {
    /// kappa = sinc(c_ref dt |k| / 2) in the layout of F{p}.
    pub kappa: Vec<f32>,
    /// i k exp(+i k d / 2) / n per axis, over the whole axis (the 1/n of the inverse 1D
    /// transform folded in).
    pub gradient: [Vec<Complex32>; 3],
    /// i k exp(-i k d / 2) / n per axis.
    pub divergence: [Vec<Complex32>; 3],
    /// 1 / n per axis (the inverse 1D transform alone).
    pub inverse_scale: [f32; 3],
    /// PML factors per axis on the regular and staggered grids, each value twice (for the
    /// re and im of a complex value).
    pub pml: [Vec<f32>; 3],
    pub pml_staggered: [Vec<f32>; 3],
    /// dt / rho0 per axis (the staggered grids of a homogeneous medium all hold rho0).
    pub dt_over_rho: [f32; 3],
    pub dt_rho0: f32,
    pub c0_squared: f32,
    pub absorption: Option<Absorption>,
}

/// The absorption terms of the equation of state, in k-space:
/// F{p} = c0^2 F{rho} + tau_term F{div u} - eta_term F{rho}.
pub enum Absorption {
    /// k-Wave's power law: tau_term = c0^2 tau rho0 |k|^(y-2), eta_term = eta |k|^(y-1),
    /// the tables in the layout of F{p}.
    PowerLaw {
        c0_squared_tau_rho0: f32,
        eta: f32,
        nabla1: Vec<f32>,
        nabla2: Vec<f32>,
    },
    /// Stokes (y = 2): tau_term = c0^2 tau rho0, no eta term.
    Stokes { c0_squared_tau_rho0: f32 },
}

impl Tables {
    /// The tables, or None when a coefficient (absorption included) varies in space.
    pub fn new(setup: &AcousticSetup, dims: &Dims) -> Option<Self> {
        let dt_over_rho = [
            setup.dt_over_rho_staggered[0].uniform()?,
            setup.dt_over_rho_staggered[1].uniform()?,
            setup.dt_over_rho_staggered[2].uniform()?,
        ];
        let dt_rho0 = setup.dt_rho0.uniform()?;
        let c0_squared = setup.c0_squared.uniform()?;
        let absorption = match (&setup.absorption, &setup.stokes) {
            (Some(a), _) => {
                let (tau, eta, rho0) = (a.tau.uniform()?, a.eta.uniform()?, a.rho0.uniform()?);
                Some(Absorption::PowerLaw {
                    c0_squared_tau_rho0: c0_squared * tau * rho0,
                    eta,
                    nabla1: radial_table(setup, dims, |k| {
                        kspace::fractional_power(k, a.power - 2.0)
                    }),
                    nabla2: radial_table(setup, dims, |k| {
                        kspace::fractional_power(k, a.power - 1.0)
                    }),
                })
            }
            (None, Some(tau_rho0)) => Some(Absorption::Stokes {
                c0_squared_tau_rho0: c0_squared * tau_rho0.uniform()?,
            }),
            (None, None) => None,
        };
        let k: Vec<Vec<f64>> = (0..3)
            .map(|a| kspace::wavenumbers(setup.shape[a], setup.spacing[a]))
            .collect();
        let c_ref_dt = setup.c_ref * setup.dt;
        let kappa = radial_table(setup, dims, |norm| kspace::kappa(c_ref_dt, norm));
        let derivative = |axis: usize, sign: f64| -> Vec<Complex32> {
            let n = setup.shape[axis] as f64;
            k[axis]
                .iter()
                .map(|&ka| {
                    let (re, im) = kspace::shifted_derivative(ka, setup.spacing[axis], sign);
                    Complex32::new((re / n) as f32, (im / n) as f32)
                })
                .collect()
        };
        Some(Self {
            kappa,
            gradient: [0, 1, 2].map(|a| derivative(a, 1.0)),
            divergence: [0, 1, 2].map(|a| derivative(a, -1.0)),
            inverse_scale: setup.shape.map(|n| 1.0 / n as f32),
            pml: setup.pml.each_ref().map(|p| pairs(p)),
            pml_staggered: setup.pml_staggered.each_ref().map(|p| pairs(p)),
            dt_over_rho,
            dt_rho0,
            c0_squared,
            absorption,
        })
    }

    /// cos(c_ref dt |k| / 2), the k-space correction of additive sources, in the layout of
    /// F{p}.
    pub fn source_kappa(setup: &AcousticSetup, dims: &Dims) -> Vec<f32> {
        let c_ref_dt = setup.c_ref * setup.dt;
        radial_table(setup, dims, |norm| kspace::source_kappa(c_ref_dt, norm))
    }

    pub fn bytes(&self) -> usize {
        let absorption = match &self.absorption {
            Some(Absorption::PowerLaw { nabla1, nabla2, .. }) => nabla1.len() + nabla2.len(),
            _ => 0,
        };
        4 * (self.kappa.len() + absorption)
            + 8 * self
                .gradient
                .iter()
                .chain(&self.divergence)
                .map(Vec::len)
                .sum::<usize>()
    }
}

/// f(|k|) in the layout of F{p}.
fn radial_table(setup: &AcousticSetup, dims: &Dims, f: impl Fn(f64) -> f64) -> Vec<f32> {
    let k: Vec<Vec<f64>> = (0..3)
        .map(|a| kspace::wavenumbers(setup.shape[a], setup.spacing[a]))
        .collect();
    let mut table = vec![0.0f32; dims.half_len()];
    for kz in 0..dims.nz {
        for ky in 0..dims.ny {
            let row = dims.half_row(kz, ky);
            let k2 = k[1][ky].powi(2) + k[2][kz].powi(2);
            for kx in 0..dims.nxh {
                table[row + kx] = f((k2 + k[0][kx].powi(2)).sqrt()) as f32;
            }
        }
    }
    table
}
