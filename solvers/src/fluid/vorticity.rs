//! 2D incompressible Navier–Stokes in vorticity form on the periodic unit square,
//! `ω_t + u·∇ω = ν Δω + f`, by the pseudo-spectral scheme of FNO's data generator
//! (Li et al. 2021, `navier_stokes_2d`), so that its datasets can be reproduced step for step.
//!
//! One step from ω̂ⁿ:
//! - stream function ψ̂ = ω̂ / (4π²|k|²) (mode 0 zero), velocity u = ∂ψ/∂y, v = −∂ψ/∂x;
//! - advection F = u ∂ω/∂x + v ∂ω/∂y in physical space, F̂ cut by the 2/3 rule
//!   (kept where |k_x| ≤ ⅔·⌊n/2⌋ and |k_y| ≤ ⅔·⌊n/2⌋);
//! - advection and forcing explicit (forward Euler), diffusion Crank–Nicolson:
//!   ω̂ⁿ⁺¹ = (ω̂ⁿ (1 − ½ dt ν 4π²|k|²) + dt (f̂ − F̂)) / (1 + ½ dt ν 4π²|k|²).
//!
//! Grid: node (i, j) at (x, y) = (i/n, j/n); axis 0 is x, axis 1 is y, row-major. The scheme
//! is first order in time (the explicit advection) and second order in the diffusion alone.
//!
//! Cost: five real 2D FFTs a step (four inverse: u, v, ω_x, ω_y; one forward: F) and two
//! fused point-wise passes; every table is built once and nothing is allocated in `step`.

use ferrowave_kernels::fft::{signed_index, RealFft2d};
use num_complex::Complex64;

use std::f64::consts::PI;

/// Whether the 2/3 rule keeps the mode with signed wavenumbers (`kx`, `ky`) on an `n`² grid:
/// both |k| at most two thirds of the largest wavenumber ⌊n/2⌋, as FNO's mask.
pub fn dealias_keeps(kx: i64, ky: i64, n: usize) -> bool {
    let limit = (2.0 / 3.0) * (n / 2) as f64;
    (kx.abs() as f64) <= limit && (ky.abs() as f64) <= limit
}

/// The forcing of FNO's benchmark, 0.1 (sin 2π(x+y) + cos 2π(x+y)), on the `n`² grid.
pub fn fno_forcing(n: usize) -> Vec<f64> {
    let mut forcing = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            let phase = 2.0 * PI * (i + j) as f64 / n as f64;
            forcing.push(0.1 * (phase.sin() + phase.cos()));
        }
    }
    forcing
}

/// The time stepper of one trajectory: tables, state and work buffers for an `n`² grid.
pub struct VorticitySolver {
    n: usize,
    dt: f64,
    fft: RealFft2d<f64>,
    /// 2π k_x of each spectrum row (axis 0); 0 at the Nyquist row, whose derivative is not
    /// representable by a real field (FNO takes the real part, which drops it too).
    derivative_x: Vec<f64>,
    /// 2π k_y of each spectrum column (axis 1), 0 at Nyquist.
    derivative_y: Vec<f64>,
    /// 1 / (4π²|k|²), 0 at mode 0: ψ̂ = ω̂ · this.
    inverse_laplacian: Vec<f64>,
    /// (1 − ½ dt ν 4π²|k|²) / (1 + ½ dt ν 4π²|k|²).
    diffusion_factor: Vec<f64>,
    /// dt · mask / (1 + ½ dt ν 4π²|k|²): how much of F̂ is subtracted; 0 at mode 0.
    advection_gain: Vec<f64>,
    /// dt f̂ / (1 + ½ dt ν 4π²|k|²).
    forcing_increment: Vec<Complex64>,
    vorticity_hat: Vec<Complex64>,
    spectrum: Vec<Complex64>,
    product: Vec<f64>,
    field_a: Vec<f64>,
    field_b: Vec<f64>,
    steps_taken: u64,
}

impl VorticitySolver {
    /// A solver on the `n`² grid with viscosity `viscosity`, step `dt` and the time-independent
    /// `forcing` (row-major n², nodes (i/n, j/n)). The vorticity starts at zero.
    pub fn new(n: usize, viscosity: f64, dt: f64, forcing: &[f64]) -> Self {
        assert!(
            n >= 4,
            "the vorticity solver needs at least 4x4 points, got {n}"
        );
        assert!(
            viscosity >= 0.0 && viscosity.is_finite(),
            "viscosity {viscosity}"
        );
        assert!(dt > 0.0 && dt.is_finite(), "time step {dt}");
        assert_eq!(forcing.len(), n * n, "forcing must have n² values");
        let m = n / 2 + 1;
        let len = n * m;
        let wavenumber = |k: usize| -> i64 {
            let s = signed_index(k, n);
            if 2 * s.unsigned_abs() as usize == n {
                0
            } else {
                s
            }
        };
        let derivative_x: Vec<f64> = (0..n).map(|k| 2.0 * PI * wavenumber(k) as f64).collect();
        let derivative_y: Vec<f64> = (0..m).map(|k| 2.0 * PI * wavenumber(k) as f64).collect();

        let mut inverse_laplacian = vec![0.0; len];
        let mut diffusion_factor = vec![1.0; len];
        let mut advection_gain = vec![0.0; len];
        let mut denominator = vec![1.0; len];
        for k0 in 0..n {
            let kx = signed_index(k0, n);
            for k1 in 0..m {
                let ky = signed_index(k1, n);
                let index = k0 * m + k1;
                if kx == 0 && ky == 0 {
                    continue;
                }
                let laplacian = 4.0 * PI * PI * (kx * kx + ky * ky) as f64;
                let half_diffusion = 0.5 * dt * viscosity * laplacian;
                let denom = 1.0 + half_diffusion;
                inverse_laplacian[index] = 1.0 / laplacian;
                diffusion_factor[index] = (1.0 - half_diffusion) / denom;
                if dealias_keeps(kx, ky, n) {
                    advection_gain[index] = dt / denom;
                }
                denominator[index] = denom;
            }
        }

        let mut fft = RealFft2d::new(n, n);
        let mut forcing_increment = vec![Complex64::new(0.0, 0.0); len];
        fft.forward(forcing, &mut forcing_increment);
        forcing_increment[0] = Complex64::new(0.0, 0.0);
        for (value, denom) in forcing_increment.iter_mut().zip(&denominator) {
            *value *= dt / denom;
        }

        let zero = Complex64::new(0.0, 0.0);
        Self {
            n,
            dt,
            fft,
            derivative_x,
            derivative_y,
            inverse_laplacian,
            diffusion_factor,
            advection_gain,
            forcing_increment,
            vorticity_hat: vec![zero; len],
            spectrum: vec![zero; len],
            product: vec![0.0; n * n],
            field_a: vec![0.0; n * n],
            field_b: vec![0.0; n * n],
            steps_taken: 0,
        }
    }

    pub fn resolution(&self) -> usize {
        self.n
    }

    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Steps taken since the vorticity was last set.
    pub fn steps_taken(&self) -> u64 {
        self.steps_taken
    }

    /// Sets the vorticity (row-major n²). Its mean is dropped: a periodic velocity field has
    /// zero mean vorticity.
    pub fn set_vorticity(&mut self, vorticity: &[f64]) {
        assert_eq!(vorticity.len(), self.n * self.n);
        self.fft.forward(vorticity, &mut self.vorticity_hat);
        self.vorticity_hat[0] = Complex64::new(0.0, 0.0);
        self.steps_taken = 0;
    }

    /// The current vorticity into `out` (row-major n²).
    pub fn vorticity(&mut self, out: &mut [f64]) {
        self.fft.inverse(&self.vorticity_hat, out);
    }

    /// The current vorticity's spectrum (the 2D real FFT layout, (n, n/2+1), unnormalised).
    pub fn vorticity_spectrum(&self) -> &[Complex64] {
        &self.vorticity_hat
    }

    /// Takes `steps` steps.
    pub fn advance(&mut self, steps: usize) {
        for _ in 0..steps {
            self.step();
        }
    }

    /// product += field_a * field_b, point by point.
    fn accumulate_product(&mut self) {
        for ((p, a), b) in self
            .product
            .iter_mut()
            .zip(&self.field_a)
            .zip(&self.field_b)
        {
            *p += a * b;
        }
    }

    /// One step of the scheme in the module documentation.
    pub fn step(&mut self) {
        let m = self.n / 2 + 1;
        // u = ∂ψ/∂y (into field_a), ω_x (into field_b): product = u ω_x.
        self.fill_derivative(m, |ky, _kx, inv_lap| ky * inv_lap);
        self.fft.inverse(&self.spectrum, &mut self.field_a);
        self.fill_derivative(m, |_ky, kx, _| kx);
        self.fft.inverse(&self.spectrum, &mut self.field_b);
        self.product.fill(0.0);
        self.accumulate_product();
        // v = −∂ψ/∂x, ω_y: product += v ω_y.
        self.fill_derivative(m, |_ky, kx, inv_lap| -kx * inv_lap);
        self.fft.inverse(&self.spectrum, &mut self.field_a);
        self.fill_derivative(m, |ky, _kx, _| ky);
        self.fft.inverse(&self.spectrum, &mut self.field_b);
        self.accumulate_product();
        self.fft.forward(&self.product, &mut self.spectrum);
        for ((((w, f), diffusion), gain), forcing) in self
            .vorticity_hat
            .iter_mut()
            .zip(&self.spectrum)
            .zip(&self.diffusion_factor)
            .zip(&self.advection_gain)
            .zip(&self.forcing_increment)
        {
            *w = *w * *diffusion - *f * *gain + *forcing;
        }
        self.steps_taken += 1;
    }

    /// spectrum[k] = i c ω̂[k] with c = `coefficient`(2π k_y, 2π k_x, 1/(4π²|k|²)): every
    /// operator the step needs (∂/∂x, ∂/∂y, and those of ψ) is i times a real multiplier.
    #[inline(always)]
    fn fill_derivative(&mut self, m: usize, coefficient: impl Fn(f64, f64, f64) -> f64) {
        for (row, kx) in self.derivative_x.iter().enumerate() {
            let range = row * m..(row + 1) * m;
            for (((out, w), ky), inv_lap) in self.spectrum[range.clone()]
                .iter_mut()
                .zip(&self.vorticity_hat[range.clone()])
                .zip(&self.derivative_y)
                .zip(&self.inverse_laplacian[range])
            {
                let c = coefficient(*ky, *kx, *inv_lap);
                *out = Complex64::new(-c * w.im, c * w.re);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mask_keeps_two_thirds_of_the_largest_wavenumber() {
        // n = 256: ⌊n/2⌋ = 128, ⅔·128 = 85.3 -> 85 kept, 86 cut; n = 64: 21 kept, 22 cut.
        assert!(dealias_keeps(85, -85, 256));
        assert!(!dealias_keeps(86, 0, 256));
        assert!(!dealias_keeps(0, -86, 256));
        assert!(dealias_keeps(-21, 21, 64));
        assert!(!dealias_keeps(22, 1, 64));
    }
}
