//! Error measures and signal analysis for comparing solver output with references.

use rustfft::num_complex::Complex64;
use rustfft::FftPlanner;

/// Sum of squares.
pub fn energy(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum()
}

/// ||a - b||_2 / ||b||_2 (b is the reference). Panics on length mismatch or a zero reference.
pub fn relative_l2(computed: &[f64], reference: &[f64]) -> f64 {
    assert_eq!(
        computed.len(),
        reference.len(),
        "series of different lengths"
    );
    let num: f64 = computed
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    let den = energy(reference);
    assert!(den > 0.0, "the reference is zero");
    (num / den).sqrt()
}

/// Largest |a - b| over max |b|.
pub fn relative_max(computed: &[f64], reference: &[f64]) -> f64 {
    assert_eq!(
        computed.len(),
        reference.len(),
        "series of different lengths"
    );
    let num = computed
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let den = reference.iter().map(|b| b.abs()).fold(0.0, f64::max);
    assert!(den > 0.0, "the reference is zero");
    num / den
}

/// Energy of `a` over energy of `b` (for plane waves in one medium, the ratio of the acoustic
/// energies that crossed the sensor).
pub fn energy_ratio(a: &[f64], b: &[f64]) -> f64 {
    energy(a) / energy(b)
}

/// 10 log10 of an energy ratio.
pub fn decibels(energy_ratio: f64) -> f64 {
    10.0 * energy_ratio.log10()
}

/// The value of largest magnitude, with its sign.
pub fn signed_peak(a: &[f64]) -> f64 {
    a.iter()
        .cloned()
        .fold(0.0, |m: f64, v| if v.abs() > m.abs() { v } else { m })
}

/// Index of the sample of largest magnitude.
pub fn peak_index(a: &[f64]) -> usize {
    a.iter()
        .enumerate()
        .fold((0, 0.0f64), |(im, m), (i, &v)| {
            if v.abs() > m {
                (i, v.abs())
            } else {
                (im, m)
            }
        })
        .0
}

/// Discrete Fourier transform X_m = sum_n x_n exp(-2 pi i m n / n_fft) of `signal`
/// zero-padded to `n_fft` samples; bins m = 0 ..= n_fft / 2 (frequency m / (n_fft dt)).
pub fn spectrum(signal: &[f64], n_fft: usize) -> Vec<Complex64> {
    assert!(n_fft >= signal.len(), "n_fft shorter than the signal");
    let mut buffer: Vec<Complex64> = signal.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    buffer.resize(n_fft, Complex64::new(0.0, 0.0));
    FftPlanner::new()
        .plan_fft_forward(n_fft)
        .process(&mut buffer);
    buffer.truncate(n_fft / 2 + 1);
    buffer
}

/// The frequencies (Hz) of the bins [`spectrum`] returns.
pub fn frequencies(n_fft: usize, dt: f64) -> Vec<f64> {
    (0..=n_fft / 2)
        .map(|m| m as f64 / (n_fft as f64 * dt))
        .collect()
}

/// Transfer function H = Y / X between two series on the same time axis, per bin.
pub fn transfer_function(input: &[f64], output: &[f64], n_fft: usize) -> Vec<Complex64> {
    let x = spectrum(input, n_fft);
    let y = spectrum(output, n_fft);
    y.iter().zip(&x).map(|(y, x)| y / x).collect()
}

/// Unwraps a phase sequence so that successive values differ by less than pi.
pub fn unwrap(phase: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(phase.len());
    let mut offset = 0.0f64;
    for (i, &p) in phase.iter().enumerate() {
        if i > 0 {
            let d: f64 = p + offset - out[i - 1];
            offset -= (d / (2.0 * std::f64::consts::PI)).round() * 2.0 * std::f64::consts::PI;
        }
        out.push(p + offset);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn relative_l2_and_energy() {
        assert_eq!(relative_l2(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
        assert!((relative_l2(&[0.0, 0.0], &[3.0, 4.0]) - 1.0).abs() < 1e-15);
        assert!((relative_l2(&[3.0, 4.5], &[3.0, 4.0]) - 0.1).abs() < 1e-15);
        assert!((relative_max(&[3.0, 4.5], &[3.0, -5.0]) - 1.9).abs() < 1e-15);
        assert!((decibels(1e-5) + 50.0).abs() < 1e-12);
        assert_eq!(signed_peak(&[0.5, -2.0, 1.0]), -2.0);
        assert_eq!(peak_index(&[0.5, -2.0, 1.0]), 1);
    }

    #[test]
    fn spectrum_of_a_delayed_pulse_has_linear_phase() {
        let dt = 1e-3;
        let pulse = |t: f64| (-(t / 0.01).powi(2)).exp();
        let n = 400;
        let x: Vec<f64> = (0..n).map(|i| pulse(i as f64 * dt - 0.1)).collect();
        let delay = 37;
        let y: Vec<f64> = (0..n)
            .map(|i| 0.5 * pulse((i as f64 - delay as f64) * dt - 0.1))
            .collect();
        let n_fft = 1024;
        let h = transfer_function(&x, &y, n_fft);
        let f = frequencies(n_fft, dt);
        let phase = unwrap(&h.iter().map(|h| h.arg()).collect::<Vec<_>>());
        for m in 1..60 {
            assert!((h[m].norm() - 0.5).abs() < 1e-9, "bin {m}");
            let expect = -2.0 * PI * f[m] * delay as f64 * dt;
            assert!(
                (phase[m] - expect).abs() < 1e-9,
                "bin {m}: {} vs {expect}",
                phase[m]
            );
        }
    }

    #[test]
    fn unwrap_removes_jumps() {
        let truth: Vec<f64> = (0..50).map(|i| -0.4 * i as f64).collect();
        let wrapped: Vec<f64> = truth
            .iter()
            .map(|p| (p + PI).rem_euclid(2.0 * PI) - PI)
            .collect();
        let un = unwrap(&wrapped);
        for (a, b) in un.iter().zip(&truth) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
