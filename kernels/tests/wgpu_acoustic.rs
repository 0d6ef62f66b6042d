//! Pieces of the WGSL acoustic stepper: the any-length real FFT it plans (generic prime
//! passes, odd last axes) against a direct DFT in f64, and the memory estimate against what
//! is allocated, for even and odd grids. The stepper as a whole is checked against the
//! CPU by solvers/tests/backend_agreement.rs.
//!
//! Without a GPU adapter every test prints "skipped: <reason>" and returns.
#![cfg(feature = "wgpu")]

use std::sync::OnceLock;

use ferrowave_kernels::setup::{AcousticSetup, Coef, Extremes};
use ferrowave_kernels::wgpu::{self, GpuError, GpuRealFft, WgpuContext};
use ferrowave_kernels::AcousticState;
use num_complex::Complex64;

fn context() -> Option<&'static WgpuContext> {
    static CONTEXT: OnceLock<Result<WgpuContext, GpuError>> = OnceLock::new();
    match CONTEXT.get_or_init(WgpuContext::new) {
        Ok(context) => Some(context),
        Err(error) => {
            eprintln!("skipped: {error}");
            None
        }
    }
}

/// Half spectrum of a real row-major array along every axis, by direct summation in f64.
fn direct_half_spectrum(real: &[f32], shape: &[usize]) -> Vec<Complex64> {
    let (rows, n) = match shape {
        [n] => (1, *n),
        [rows, n] => (*rows, *n),
        _ => unreachable!("1D and 2D shapes only"),
    };
    let h = n / 2 + 1;
    let mut out = vec![Complex64::default(); rows * h];
    for kr in 0..rows {
        for kx in 0..h {
            let mut sum = Complex64::default();
            for r in 0..rows {
                for x in 0..n {
                    let phase = -2.0
                        * std::f64::consts::PI
                        * ((kr * r) as f64 / rows as f64 + (kx * x) as f64 / n as f64);
                    sum += real[r * n + x] as f64 * Complex64::from_polar(1.0, phase);
                }
            }
            out[kr * h + kx] = sum;
        }
    }
    out
}

fn relative_l2(reference: &[Complex64], other: &[Complex64]) -> f64 {
    let error: f64 = reference
        .iter()
        .zip(other)
        .map(|(a, b)| (a - b).norm_sqr())
        .sum();
    let norm: f64 = reference.iter().map(|a| a.norm_sqr()).sum();
    (error / norm).sqrt()
}

#[test]
fn any_length_real_fft_matches_a_direct_dft_and_inverts() {
    let Some(context) = context() else { return };
    // 94 = 2 * 47 (the 1D scene with its outside PML), 22 = 2 * 11, 26 = 2 * 13; 47 and 31
    // are odd last axes.
    for shape in [vec![94], vec![13, 22], vec![11, 26], vec![47], vec![6, 31]] {
        let len: usize = shape.iter().product();
        let real: Vec<f32> = (0..len)
            .map(|i| ((i * 7919) % 101) as f32 / 50.0 - 1.0)
            .collect();
        assert!(GpuRealFft::new(context, &shape).is_err(), "{shape:?}");
        let fft = GpuRealFft::new_any_length(context, &shape).unwrap();
        let spectrum = fft.forward_host(&real).unwrap();
        let wide: Vec<Complex64> = spectrum
            .iter()
            .map(|z| Complex64::new(z.re as f64, z.im as f64))
            .collect();
        let error = relative_l2(&direct_half_spectrum(&real, &shape), &wide);
        assert!(error < 1e-5, "{shape:?}: forward error {error:.2e}");
        let back = fft.inverse_host(&spectrum).unwrap();
        let worst = real
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-5, "{shape:?}: round trip off by {worst:.2e}");
    }
}

#[test]
fn in_place_real_transforms_match_the_out_of_place_ones() {
    let Some(context) = context() else { return };
    for shape in [
        vec![94],
        vec![13, 22],
        vec![6, 8, 10],
        vec![3, 5, 16],
        vec![5, 2],
        vec![6, 4],
        vec![61],
        vec![6, 13],
        vec![3, 5, 15],
    ] {
        let len: usize = shape.iter().product();
        let real: Vec<f32> = (0..len)
            .map(|i| ((i * 7919) % 97) as f32 / 48.0 - 1.0)
            .collect();
        let fft = GpuRealFft::new_any_length(context, &shape).unwrap();
        let expected = fft.forward_host(&real).unwrap();
        let buffer = fft.create_spectrum_buffer("in place");
        context
            .queue()
            .write_buffer(&buffer, 0, bytemuck::cast_slice(&real));
        let binding = fft.bind_in_place(&buffer).unwrap();
        let mut encoder = context.device().create_command_encoder(&Default::default());
        fft.forward(&mut encoder, &binding);
        context.queue().submit([encoder.finish()]);
        let spectrum = context.download_complex(&buffer).unwrap();
        let worst = spectrum
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).norm())
            .fold(0.0, f32::max);
        let scale = expected.iter().map(|z| z.norm()).fold(0.0, f32::max);
        assert!(
            worst <= 1e-6 * scale,
            "{shape:?}: forward off by {worst:.2e}"
        );
        let mut encoder = context.device().create_command_encoder(&Default::default());
        fft.inverse(&mut encoder, &binding);
        context.queue().submit([encoder.finish()]);
        let back = context.download_real(&buffer).unwrap();
        let worst = real
            .iter()
            .zip(&back[..len])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-5, "{shape:?}: round trip off by {worst:.2e}");
    }
}

/// A small 3D homogeneous lossless setup with two sensors, as the benchmark problem.
fn homogeneous(shape: [usize; 3]) -> AcousticSetup {
    let n: usize = shape.iter().product();
    let profile = |len: usize| vec![1.0f32; len];
    AcousticSetup {
        shape,
        ndim: 3,
        spacing: [1e-4; 3],
        dt: 2e-8,
        c_ref: 1500.0,
        pml: [profile(shape[0]), profile(shape[1]), profile(shape[2])],
        pml_staggered: [profile(shape[0]), profile(shape[1]), profile(shape[2])],
        dt_over_rho_staggered: [
            Coef::Uniform(2e-11),
            Coef::Uniform(2e-11),
            Coef::Uniform(2e-11),
        ],
        dt_rho0: Coef::Uniform(2e-5),
        c0_squared: Coef::Uniform(1500.0 * 1500.0),
        nonlinearity: None,
        absorption: None,
        stokes: None,
        initial_pressure: Some((0..n).map(|i| (i % 17) as f32).collect()),
        pressure_source: None,
        velocity_sources: [None, None, None],
        sensor_points: vec![0, n / 2],
        sample_velocity: false,
        read_velocity_field: false,
        keep_pressure_field: false,
        whole_grid_extremes: Extremes::default(),
    }
}

#[test]
fn the_estimate_is_what_gets_allocated() {
    let Some(_) = context() else { return };
    let setup = homogeneous([16, 12, 10]);
    let estimate = wgpu::estimate_device_bytes(&setup);
    let backend = wgpu::WgpuAcoustic::new(setup).unwrap();
    assert_eq!(backend.bytes_allocated() as u64, estimate);
}

#[test]
fn the_benchmark_problem_takes_about_48_bytes_per_point() {
    // Fields 24 B, three half spectra 12 B, FFT work and scratch 12 B per point, plus the
    // half-spectrum's extra x bin (2/nx of those) and small tables.
    let n = 256usize;
    let setup = homogeneous([n; 3]);
    let per_point = wgpu::estimate_device_bytes(&setup) as f64 / (n * n * n) as f64;
    eprintln!("256^3 benchmark problem: {per_point:.2} bytes per grid point");
    assert!((48.0..48.5).contains(&per_point), "{per_point}");
}

/// An odd x length takes the widened real FFT, whose work buffers are twice as large; the
/// estimate counts them. (backend_agreement.rs runs odd grids against the CPU.)
#[test]
fn an_odd_grid_allocates_its_estimate() {
    let Some(_) = context() else { return };
    let setup = homogeneous([15, 12, 10]);
    let estimate = wgpu::estimate_device_bytes(&setup);
    let backend = wgpu::WgpuAcoustic::new(setup).unwrap();
    assert_eq!(backend.bytes_allocated() as u64, estimate);
}
