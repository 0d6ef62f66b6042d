//! The CUDA mixed-domain passes' own FFT (kernels/cuda/line_fft.cuh) on its own, against
//! rustfft in f64: every radix (2, 3, 4, 5, 7, 8) alone, powers of two up to 2048, mixed
//! lengths up to the longest line a block holds (3072), one and several lines per block
//! (with a last block only partly filled), forward and inverse.
//!
//! Bound: relative L2 error ≤ 1e-5, as for the WGSL FFT (an f32 FFT with once-rounded
//! twiddles is a few 1e-7 off; a wrong twiddle, index or sign is of order 1). Runs wherever
//! libcuda and libnvrtc load (a GPU, or the CPU stand-in of scripts/test-cuda-standin.sh);
//! skips, printing why, elsewhere.
#![cfg(feature = "cuda")]

use ferrowave_kernels::cuda::LineFft;
use ferrowave_kernels::DeviceError;
use num_complex::Complex64;
use rustfft::FftPlanner;

const BOUND: f64 = 1e-5;

/// `lines` lines of `len` pseudo-random values.
fn signal(len: usize, lines: usize) -> Vec<[f32; 2]> {
    let mut state = (len * 7919 + lines) as u64;
    (0..len * lines)
        .map(|_| {
            let mut next = || {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            };
            [next(), next()]
        })
        .collect()
}

/// The worst relative L2 error of forward and inverse transforms of `lines` lines, `tile`
/// per block.
fn check(fft: &LineFft, len: usize, lines: usize, tile: usize) -> f64 {
    let input = signal(len, lines);
    let mut worst = 0.0f64;
    for forward in [true, false] {
        let mut got = input.clone();
        fft.transform(&mut got, tile, forward)
            .unwrap_or_else(|e| panic!("{len} x {lines} lines, tile {tile}: {e}"));
        let mut planner = FftPlanner::<f64>::new();
        let reference = if forward {
            planner.plan_fft_forward(len)
        } else {
            planner.plan_fft_inverse(len)
        };
        let mut want: Vec<Complex64> = input
            .iter()
            .map(|&[re, im]| Complex64::new(re as f64, im as f64))
            .collect();
        reference.process(&mut want);
        let (mut error, mut norm) = (0.0f64, 0.0f64);
        for (g, w) in got.iter().zip(&want) {
            error += (g[0] as f64 - w.re).powi(2) + (g[1] as f64 - w.im).powi(2);
            norm += w.norm_sqr();
        }
        let relative = (error / norm).sqrt();
        assert!(
            relative <= BOUND,
            "{len} x {lines} lines, tile {tile}, forward {forward}: relative L2 {relative:.2e}"
        );
        worst = worst.max(relative);
    }
    worst
}

/// Checks each length with one line per block, and with as many lines per block as fit (at
/// most 8) over a count that leaves the last block part-filled; stops (skipped, printed) when
/// CUDA is unavailable.
fn check_lengths(lengths: &[usize]) {
    for &len in lengths {
        let fft = match LineFft::new(len) {
            Ok(fft) => fft,
            Err(e @ DeviceError::Unavailable { .. }) => {
                eprintln!("skipped: {e}");
                return;
            }
            Err(e) => panic!("a line of {len}: {e}"),
        };
        let tile = (3072 / len).clamp(1, 8);
        let single = check(&fft, len, 3, 1);
        let tiled = check(&fft, len, 2 * tile + 1, tile);
        eprintln!(
            "line of {len}: relative L2 {single:.2e} (1 per block), {tiled:.2e} ({tile} per block)"
        );
    }
}

#[test]
fn every_radix_alone() {
    check_lengths(&[2, 3, 4, 5, 7, 8]);
}

#[test]
fn powers_of_two() {
    check_lengths(&[16, 64, 256, 512, 2048]);
}

#[test]
fn mixed_lengths_up_to_the_longest_line() {
    check_lengths(&[12, 15, 35, 105, 168, 243, 343, 384, 1000, 3072]);
}

#[test]
fn refuses_other_primes_and_tiles_over_the_shared_memory() {
    match LineFft::new(11) {
        Err(DeviceError::Unsupported { reason, .. }) => assert!(reason.contains("11"), "{reason}"),
        other => panic!("a line of 11 points: {:?}", other.err()),
    }
    let fft = match LineFft::new(256) {
        Ok(fft) => fft,
        Err(e @ DeviceError::Unavailable { .. }) => return eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    };
    let refused = fft.transform(&mut signal(256, 16), 16, true);
    assert!(
        matches!(refused, Err(DeviceError::Unsupported { .. })),
        "16 lines of 256 take 64 KB: {refused:?}"
    );
}
