//! Wavenumber grids and the k-space factors of the first-order k-space scheme.
//!
//! Conventions follow k-Wave: wavenumbers in FFT order with the Nyquist bin at -pi/dx (as
//! numpy's `fftfreq`), kappa = sinc(c_ref dt |k| / 2), source kappa = cos(c_ref dt |k| / 2).

use std::f64::consts::PI;

/// Wavenumbers of an axis of `n` points spaced `d` metres, in FFT order (rad/m).
pub fn wavenumbers(n: usize, d: f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let shifted = (i + n / 2) % n;
            let m = shifted as f64 - (n / 2) as f64;
            2.0 * PI * m / (n as f64 * d)
        })
        .collect()
}

/// sinc(x) = sin(x)/x with sinc(0) = 1.
pub fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        x.sin() / x
    }
}

/// The k-space correction applied to every spatial derivative.
pub fn kappa(c_ref_dt: f64, k_norm: f64) -> f64 {
    sinc(0.5 * c_ref_dt * k_norm)
}

/// The correction applied to additive (k-space corrected) sources.
pub fn source_kappa(c_ref_dt: f64, k_norm: f64) -> f64 {
    (0.5 * c_ref_dt * k_norm).cos()
}

/// Staggered spectral derivative factor i k exp(+-i k d / 2) as (re, im).
/// `sign` is +1 for the forward-shifted derivative (d/dx+), -1 for d/dx-.
pub fn shifted_derivative(k: f64, d: f64, sign: f64) -> (f64, f64) {
    let phase = sign * 0.5 * k * d;
    // i k (cos + i sin) = -k sin + i k cos
    (-k * phase.sin(), k * phase.cos())
}

/// |k|^power with the k = 0 term set to zero, as k-Wave does for the fractional Laplacians.
pub fn fractional_power(k_norm: f64, power: f64) -> f64 {
    if k_norm == 0.0 {
        0.0
    } else {
        k_norm.powf(power)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wavenumbers_match_fftfreq_with_negative_nyquist() {
        let k = wavenumbers(4, 1.0);
        let unit = 2.0 * PI / 4.0;
        assert_eq!(k, vec![0.0, unit, -2.0 * unit, -unit]);
        let k = wavenumbers(5, 1.0);
        let unit = 2.0 * PI / 5.0;
        assert_eq!(k, vec![0.0, unit, 2.0 * unit, -2.0 * unit, -unit]);
    }

    #[test]
    fn shifted_derivative_at_nyquist_is_real() {
        let d = 1e-4;
        let k = -PI / d;
        let (re, im) = shifted_derivative(k, d, 1.0);
        assert!((re - (-PI / d)).abs() < 1e-6 * PI / d);
        assert!(im.abs() < 1e-9 * PI / d);
    }
}
