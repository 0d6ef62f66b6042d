//! Source signals sampled at the simulation's time step.

use std::f64::consts::PI;

/// Tone burst envelopes (k-Wave's toneBurst 'Envelope' option).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    Gaussian,
    Rectangular,
}

/// Number of points of MATLAB's `0:step:end` (with its tolerance for end being an exact
/// multiple of step up to rounding).
fn colon_len(end: f64, step: f64) -> usize {
    let ratio = end / step;
    (ratio + 1e-10 * ratio.abs().max(1.0)).floor() as usize + 1
}

/// k-Wave's Tukey window (getWin 'Tukey', symmetric) of `n` points and taper ratio `ratio`.
pub fn tukey_window(n: usize, ratio: f64) -> Vec<f64> {
    let mut win = vec![1.0; n];
    if n < 2 || ratio <= 0.0 {
        return win;
    }
    let taper = colon_len((n - 1) as f64 * ratio / 2.0, 1.0).min(n);
    let p = ratio * n as f64;
    for i in 0..taper {
        let w = 0.5 * (1.0 + (2.0 * PI / p * (i as f64 - p / 2.0)).cos());
        win[i] = w;
        win[n - 1 - i] = w;
    }
    win
}

/// k-Wave's toneBurst(1/dt, frequency, cycles, 'Envelope', envelope), unit amplitude: the
/// samples of sin(2 pi f t) at t = n dt for t in [0, cycles / f], times a Gaussian window
/// exp(-x^2 / 2) over x from -3 to 3 (Gaussian envelope) and a Tukey window of taper ratio
/// 0.05 that forces the ends to zero (Gaussian envelope only), as k-Wave does.
pub fn tone_burst(dt_s: f64, frequency_hz: f64, cycles: f64, envelope: Envelope) -> Vec<f64> {
    let length = colon_len(cycles / frequency_hz, dt_s);
    let mut burst: Vec<f64> = (0..length)
        .map(|n| (2.0 * PI * frequency_hz * n as f64 * dt_s).sin())
        .collect();
    if envelope == Envelope::Gaussian && length > 1 {
        let x_lim = 3.0;
        let tukey = tukey_window(length, 0.05);
        for (n, s) in burst.iter_mut().enumerate() {
            let x = -x_lim + 2.0 * x_lim * n as f64 / (length - 1) as f64;
            *s *= (-x * x / 2.0).exp() * tukey[n];
        }
    }
    burst
}

/// A sine of `length` samples, A sin(2 pi f n dt + phase), with a raised-cosine ramp over
/// the first `ramp_cycles` periods.
pub fn sine(
    dt_s: f64,
    frequency_hz: f64,
    amplitude: f64,
    phase_rad: f64,
    ramp_cycles: f64,
    length: usize,
) -> Vec<f64> {
    let ramp = (ramp_cycles / (frequency_hz * dt_s)).round() as usize;
    (0..length)
        .map(|n| {
            let s = amplitude * (2.0 * PI * frequency_hz * n as f64 * dt_s + phase_rad).sin();
            if n < ramp {
                s * 0.5 * (1.0 - (PI * n as f64 / ramp as f64).cos())
            } else {
                s
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tukey_ends() {
        let w = tukey_window(101, 0.05);
        assert_eq!(w[0], 0.0);
        assert_eq!(w[100], 0.0);
        assert_eq!(w[50], 1.0);
        // index = 0:(100*0.05/2) = 0:2.5 -> 3 tapered points each side.
        assert!(w[2] < 1.0 && w[3] == 1.0 && w[98] < 1.0 && w[97] == 1.0);
        assert_eq!(w[1], w[99]);
    }

    #[test]
    fn colon_lengths() {
        assert_eq!(colon_len(1.0, 0.1), 11);
        assert_eq!(colon_len(1.05, 0.1), 11);
        assert_eq!(colon_len(0.3, 0.1), 4);
    }
}
