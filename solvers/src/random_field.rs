//! Gaussian random fields N(0, sigma^2 (-Laplacian + tau^2 I)^(-gamma)) on the unit interval
//! and square, drawn by their Karhunen–Loève expansion in the Laplacian's eigenfunctions:
//! Fourier modes on the periodic domain, cosines on the Neumann domain.
//!
//! The mean (the constant mode) is set to zero, as in FNO's generators. Every other mode k
//! gets an independent normal coefficient of variance lambda_k = sigma^2 (mu_k + tau^2)^-gamma,
//! mu_k the Laplacian's eigenvalue: 4 pi^2 |k|^2 periodic, pi^2 |k|^2 Neumann. With
//! L²-normalised eigenfunctions the field's covariance operator is then exactly the one above,
//! truncated to the modes the grid resolves.

use ferrowave_kernels::fft::{signed_index, CosineSeries2d, RealFft1d, RealFft2d};
use num_complex::Complex64;
use rand::Rng;
use rand_distr::StandardNormal;

use std::f64::consts::PI;

/// The field's parameters: sigma (amplitude), tau (inverse length scale), gamma (smoothness).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GaussianRandomField {
    pub sigma: f64,
    pub tau: f64,
    pub gamma: f64,
}

impl GaussianRandomField {
    /// Variance of the mode whose Laplacian eigenvalue is `mu`.
    fn variance(&self, mu: f64) -> f64 {
        self.sigma * self.sigma * (mu + self.tau * self.tau).powf(-self.gamma)
    }

    /// A sample on the periodic unit interval at x_i = i/n.
    pub fn periodic_1d<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Vec<f64> {
        let mut spectrum = vec![Complex64::new(0.0, 0.0); n / 2 + 1];
        for (k, c) in spectrum.iter_mut().enumerate().skip(1) {
            let mu = 4.0 * PI * PI * (k * k) as f64;
            *c = hermitian_coefficient(self.variance(mu), 2 * k == n, rng);
        }
        // u(x_i) = sum_k c_k e^{2 pi i k x_i} = n * IFFT(c): undo the inverse's 1/n.
        let mut values = vec![0.0; n];
        RealFft1d::new(n).inverse(&spectrum, &mut values);
        values.iter_mut().for_each(|v| *v *= n as f64);
        values
    }

    /// A sample on the periodic unit square at (i/n0, j/n1), row-major (n0, n1).
    pub fn periodic_2d<R: Rng + ?Sized>(&self, n0: usize, n1: usize, rng: &mut R) -> Vec<f64> {
        let m1 = n1 / 2 + 1;
        let mut spectrum = vec![Complex64::new(0.0, 0.0); n0 * m1];
        for k0 in 0..n0 {
            let s0 = signed_index(k0, n0);
            for k1 in 0..m1 {
                if k0 == 0 && k1 == 0 {
                    continue;
                }
                let mu = 4.0 * PI * PI * (s0 * s0 + (k1 * k1) as i64) as f64;
                // In the columns k1 = 0 and k1 = n1/2, bins k0 and -k0 are each other's
                // conjugates: draw the positive k0 one, copy the other below.
                let column_self_conjugate = k1 == 0 || 2 * k1 == n1;
                let row_self_conjugate = k0 == 0 || 2 * k0 == n0;
                if column_self_conjugate && s0 < 0 && !row_self_conjugate {
                    continue;
                }
                let real = column_self_conjugate && row_self_conjugate;
                spectrum[k0 * m1 + k1] = hermitian_coefficient(self.variance(mu), real, rng);
            }
        }
        let self_conjugate_columns = if n1.is_multiple_of(2) {
            vec![0, n1 / 2]
        } else {
            vec![0]
        };
        for k1 in self_conjugate_columns {
            for k0 in 1..n0 {
                if signed_index(k0, n0) < 0 && 2 * k0 != n0 {
                    spectrum[k0 * m1 + k1] = spectrum[(n0 - k0) * m1 + k1].conj();
                }
            }
        }
        let mut values = vec![0.0; n0 * n1];
        RealFft2d::new(n0, n1).inverse(&spectrum, &mut values);
        let scale = (n0 * n1) as f64;
        values.iter_mut().for_each(|v| *v *= scale);
        values
    }

    /// A sample on the unit square with Neumann boundaries, at the vertex-centred nodes
    /// (i/(n0-1), j/(n1-1)) including the boundary, row-major (n0, n1).
    pub fn neumann_2d<R: Rng + ?Sized>(&self, n0: usize, n1: usize, rng: &mut R) -> Vec<f64> {
        let mut coefficients = vec![0.0; n0 * n1];
        for k0 in 0..n0 {
            for k1 in 0..n1 {
                if k0 == 0 && k1 == 0 {
                    continue;
                }
                let mu = PI * PI * (k0 * k0 + k1 * k1) as f64;
                // L²-normalised cosines: sqrt(2) cos(pi k x) for k >= 1, 1 for k = 0.
                let norm =
                    if k0 > 0 { 2f64.sqrt() } else { 1.0 } * if k1 > 0 { 2f64.sqrt() } else { 1.0 };
                let xi: f64 = rng.sample(StandardNormal);
                coefficients[k0 * n1 + k1] = norm * self.variance(mu).sqrt() * xi;
            }
        }
        CosineSeries2d::new(n0, n1).synthesize(&mut coefficients);
        coefficients
    }
}

/// A Fourier coefficient c_k of a real field whose modes k and -k share one draw: complex
/// with E|c|² = variance (real and imaginary parts variance/2 each), or real with that
/// variance when the bin is its own conjugate (zero or Nyquist).
fn hermitian_coefficient<R: Rng + ?Sized>(variance: f64, real: bool, rng: &mut R) -> Complex64 {
    let re: f64 = rng.sample(StandardNormal);
    if real {
        Complex64::new(variance.sqrt() * re, 0.0)
    } else {
        let im: f64 = rng.sample(StandardNormal);
        Complex64::new(re, im) * (variance / 2.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datagen::sample_rng;

    /// The pointwise variance of the truncated expansion: the sum of the mode variances.
    fn periodic_variance_2d(field: &GaussianRandomField, n: usize) -> f64 {
        let mut total = 0.0;
        for k0 in 0..n {
            for k1 in 0..n {
                let (a, b) = (signed_index(k0, n), signed_index(k1, n));
                if a == 0 && b == 0 {
                    continue;
                }
                total += field.variance(4.0 * PI * PI * (a * a + b * b) as f64);
            }
        }
        total
    }

    fn sample_variance(samples: &[Vec<f64>]) -> f64 {
        let count = (samples.len() * samples[0].len()) as f64;
        samples.iter().flatten().map(|v| v * v).sum::<f64>() / count
    }

    #[test]
    fn periodic_2d_has_the_covariance_it_claims() {
        // 400 samples x 256 points: the variance estimate's relative error is ~1/sqrt(400*~20
        // independent modes), a few percent; 10% cannot pass by accident with a wrong scale.
        let field = GaussianRandomField {
            sigma: 1.0,
            tau: 3.0,
            gamma: 1.5,
        };
        for n in [16, 15] {
            let samples: Vec<Vec<f64>> = (0..400)
                .map(|i| field.periodic_2d(n, n, &mut sample_rng(1, i)))
                .collect();
            let expected = periodic_variance_2d(&field, n);
            let measured = sample_variance(&samples);
            assert!(
                (measured / expected - 1.0).abs() < 0.1,
                "n {n}: variance {measured} vs {expected}"
            );
            for s in &samples {
                assert!(s.iter().sum::<f64>().abs() < 1e-9 * n as f64, "zero mean");
            }
        }
    }

    #[test]
    fn periodic_1d_has_the_covariance_it_claims() {
        let field = GaussianRandomField {
            sigma: 25.0,
            tau: 5.0,
            gamma: 2.0,
        };
        let n = 64;
        let samples: Vec<Vec<f64>> = (0..2000)
            .map(|i| field.periodic_1d(n, &mut sample_rng(2, i)))
            .collect();
        let expected: f64 = (1..n)
            .map(|k| {
                let s = signed_index(k, n);
                field.variance(4.0 * PI * PI * (s * s) as f64)
            })
            .sum();
        let measured = sample_variance(&samples);
        assert!(
            (measured / expected - 1.0).abs() < 0.1,
            "{measured} vs {expected}"
        );
    }

    #[test]
    fn neumann_2d_has_zero_normal_derivative_and_the_claimed_variance() {
        let field = GaussianRandomField {
            sigma: 9.0,
            tau: 3.0,
            gamma: 2.0,
        };
        let n = 33;
        let samples: Vec<Vec<f64>> = (0..400)
            .map(|i| field.neumann_2d(n, n, &mut sample_rng(3, i)))
            .collect();
        // Variance at the centre node: sum over modes of lambda * (normalised cosine)^2.
        let centre = (n / 2) * n + n / 2;
        let mut expected = 0.0;
        for k0 in 0..n {
            for k1 in 0..n {
                if k0 + k1 == 0 {
                    continue;
                }
                let phi = |k: usize| {
                    if k == 0 {
                        1.0
                    } else {
                        2f64.sqrt() * (PI * k as f64 * 0.5).cos()
                    }
                };
                let lambda = field.variance(PI * PI * (k0 * k0 + k1 * k1) as f64);
                expected += lambda * (phi(k0) * phi(k1)).powi(2);
            }
        }
        let measured =
            samples.iter().map(|s| s[centre] * s[centre]).sum::<f64>() / samples.len() as f64;
        assert!(
            (measured / expected - 1.0).abs() < 0.15,
            "{measured} vs {expected}"
        );
        // A cosine series is even about each edge: the one-sided difference at the wall is
        // second order small compared with the interior gradient.
        let s = &samples[0];
        let wall: f64 = (0..n).map(|j| (s[n + j] - s[j]).abs()).sum();
        let interior: f64 = (0..n)
            .map(|j| (s[(n / 2 + 1) * n + j] - s[(n / 2) * n + j]).abs())
            .sum();
        assert!(wall < interior, "wall {wall} vs interior {interior}");
    }

    #[test]
    fn the_same_stream_gives_the_same_field() {
        let field = GaussianRandomField {
            sigma: 1.0,
            tau: 7.0,
            gamma: 2.5,
        };
        let a = field.periodic_2d(32, 32, &mut sample_rng(9, 5));
        let b = field.periodic_2d(32, 32, &mut sample_rng(9, 5));
        assert_eq!(a, b);
    }
}
