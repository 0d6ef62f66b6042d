//! The WGSL FFTs (complex, and real along the last axis) against rustfft in f64, for every radix
//! and for 1D, 2D and 3D shapes.
//!
//! Bound: relative L2 error ≤ 1e-5. An f32 FFT with f64-accurate twiddles rounded once has a
//! relative L2 error of about ε·√(log2 N) with ε = 6e-8, so a few 1e-7 at these sizes; 1e-5
//! leaves room for the butterfly constants and accumulation order while still catching any
//! wrong twiddle, index or sign (those give errors of order 1).
//!
//! Without a GPU adapter every test prints "skipped: <reason>" and returns.
#![cfg(feature = "wgpu")]

use std::sync::OnceLock;

use ferrowave_kernels::wgpu::{Direction, GpuError, GpuFft, GpuRealFft, Lengths, WgpuContext};
use num_complex::{Complex32, Complex64};
use rustfft::{FftDirection, FftPlanner};

const BOUND: f64 = 1e-5;

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

/// Deterministic values in [-1, 1) (xorshift), so failures reproduce.
fn signal(len: usize, seed: u64) -> Vec<Complex32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    (0..len)
        .map(|_| Complex32::new(next() as f32, next() as f32))
        .collect()
}

/// The N-D transform in f64 with rustfft, axis by axis; the inverse is scaled by 1/len.
fn reference(shape: &[usize], data: &[Complex32], direction: FftDirection) -> Vec<Complex64> {
    let mut values = widen(data);
    let mut planner = FftPlanner::new();
    for (axis, &n) in shape.iter().enumerate() {
        let stride: usize = shape[axis + 1..].iter().product();
        let fft = planner.plan_fft(n, direction);
        let mut line = vec![Complex64::default(); n];
        for outer in 0..values.len() / (n * stride) {
            for inner in 0..stride {
                let base = outer * n * stride + inner;
                for (j, z) in line.iter_mut().enumerate() {
                    *z = values[base + j * stride];
                }
                fft.process(&mut line);
                for (j, z) in line.iter().enumerate() {
                    values[base + j * stride] = *z;
                }
            }
        }
    }
    if direction == FftDirection::Inverse {
        let scale = 1.0 / values.len() as f64;
        values.iter_mut().for_each(|z| *z *= scale);
    }
    values
}

fn as_complex(values: &[f32]) -> Vec<Complex32> {
    values.iter().map(|&x| Complex32::new(x, 0.0)).collect()
}

fn widen(data: &[Complex32]) -> Vec<Complex64> {
    data.iter()
        .map(|z| Complex64::new(z.re.into(), z.im.into()))
        .collect()
}

fn relative_l2(actual: &[Complex32], expected: &[Complex64]) -> f64 {
    let (mut error, mut norm) = (0.0, 0.0);
    for (a, e) in actual.iter().zip(expected) {
        error += (widen(&[*a])[0] - e).norm_sqr();
        norm += e.norm_sqr();
    }
    (error / norm).sqrt()
}

/// Forward and inverse against rustfft, and the round trip; returns the largest error.
fn check_shape(context: &WgpuContext, shape: &[usize]) -> f64 {
    check_plan(&GpuFft::new(context, shape).unwrap())
}

/// `check_shape` for a given plan.
fn check_plan(fft: &GpuFft) -> f64 {
    let shape = fft.shape();
    let input = signal(
        fft.len(),
        shape.iter().product::<usize>() as u64 + shape.len() as u64,
    );
    let forward = fft.transform_host(&input, Direction::Forward).unwrap();
    let inverse = fft.transform_host(&input, Direction::Inverse).unwrap();
    let round_trip = fft.transform_host(&forward, Direction::Inverse).unwrap();
    let errors = [
        relative_l2(&forward, &reference(shape, &input, FftDirection::Forward)),
        relative_l2(&inverse, &reference(shape, &input, FftDirection::Inverse)),
        relative_l2(&round_trip, &widen(&input)),
    ];
    let worst = errors.iter().cloned().fold(0.0, f64::max);
    assert!(
        worst <= BOUND,
        "shape {shape:?}: relative L2 errors forward {:.2e}, inverse {:.2e}, round trip {:.2e} (bound {BOUND:.0e})",
        errors[0],
        errors[1],
        errors[2]
    );
    worst
}

fn check_shapes(shapes: &[&[usize]]) {
    let Some(context) = context() else { return };
    for shape in shapes {
        let worst = check_shape(context, shape);
        eprintln!("{shape:?}: max relative L2 error {worst:.2e}");
    }
}

#[test]
fn one_dimensional_every_radix() {
    check_shapes(&[
        &[1],
        &[2],
        &[3],
        &[4],
        &[5],
        &[7],
        &[8],
        &[16],
        &[9],
        &[25],
        &[49],
        &[27],
        &[125],
        &[64],
        &[128],
        &[256],
    ]);
}

#[test]
fn one_dimensional_mixed_radix() {
    check_shapes(&[
        &[6],
        &[10],
        &[12],
        &[14],
        &[15],
        &[21],
        &[30],
        &[35],
        &[42],
        &[60],
        &[105],
        &[210],
        &[2 * 3 * 5 * 7 * 8],
    ]);
}

#[test]
fn two_dimensional() {
    check_shapes(&[&[12, 10], &[16, 30], &[7, 9], &[1, 8], &[32, 1]]);
}

#[test]
fn three_dimensional() {
    check_shapes(&[&[8, 6, 10], &[16, 16, 16], &[5, 7, 12], &[3, 1, 4]]);
}

#[test]
fn refuses_other_prime_factors() {
    let Some(context) = context() else { return };
    for n in [11, 13, 2 * 17] {
        match GpuFft::new(context, &[4, n]) {
            Err(GpuError::UnsupportedSize(size)) => assert_eq!(size, n),
            other => panic!(
                "length {n}: expected UnsupportedSize, got {:?}",
                other.err()
            ),
        }
    }
    let message = GpuError::UnsupportedSize(11).to_string();
    assert!(message.contains("2, 3, 5 and 7"), "{message}");
}

#[test]
fn device_buffers_chain_forward_and_inverse() {
    let Some(context) = context() else { return };
    eprintln!("adapter: {}", context.adapter_description());
    assert!(WgpuContext::available_adapters().contains(&context.adapter_description()));
    let shape = [6, 10, 14];
    let fft = GpuFft::new(context, &shape).unwrap();
    let input = signal(fft.len(), 7);
    let buffer = fft.create_buffer("field");
    context.upload_complex(&buffer, &input);
    let binding = fft.bind(&buffer).unwrap();
    let mut encoder = context.device().create_command_encoder(&Default::default());
    fft.forward(&mut encoder, &binding);
    fft.inverse(&mut encoder, &binding);
    fft.forward(&mut encoder, &binding);
    context.queue().submit([encoder.finish()]);
    let transformed = context.download_complex(&buffer).unwrap();
    let error = relative_l2(
        &transformed,
        &reference(&shape, &input, FftDirection::Forward),
    );
    assert!(
        error <= BOUND,
        "forward, inverse, forward on one buffer: relative L2 error {error:.2e}"
    );
}

/// Real transforms: the half spectrum against the first n/2 + 1 bins of the last axis of the
/// complex f64 transform, the inverse from that f64 spectrum, and the round trip; each both
/// between a real and a spectrum buffer and in place in the spectrum buffer.
fn check_real_shape(context: &WgpuContext, shape: &[usize]) -> f64 {
    check_real_plan(&GpuRealFft::new(context, shape).unwrap())
}

fn check_real_plan(fft: &GpuRealFft) -> f64 {
    let shape = fft.shape();
    let len: usize = shape.iter().product();
    let real: Vec<f32> = signal(len, len as u64).iter().map(|z| z.re).collect();
    let input = as_complex(&real);
    let full = reference(shape, &input, FftDirection::Forward);
    let n = shape[shape.len() - 1];
    let expected: Vec<Complex64> = full
        .chunks_exact(n)
        .flat_map(|row| row[..n / 2 + 1].to_vec())
        .collect();
    let spectrum = fft.forward_host(&real).unwrap();
    let narrowed: Vec<Complex32> = expected
        .iter()
        .map(|z| Complex32::new(z.re as f32, z.im as f32))
        .collect();
    let back = fft.inverse_host(&narrowed).unwrap();
    let round_trip = fft.inverse_host(&spectrum).unwrap();
    let (in_place_spectrum, in_place_back) = fft.round_trip_in_place_host(&real).unwrap();
    let errors = [
        relative_l2(&spectrum, &expected),
        relative_l2(&as_complex(&back), &widen(&input)),
        relative_l2(&as_complex(&round_trip), &widen(&input)),
        relative_l2(&in_place_spectrum, &expected),
        relative_l2(&as_complex(&in_place_back), &widen(&input)),
    ];
    let worst = errors.iter().cloned().fold(0.0, f64::max);
    assert!(
        worst <= BOUND,
        "real shape {shape:?}: relative L2 errors forward {:.2e}, inverse {:.2e}, round trip \
         {:.2e}, in place forward {:.2e}, in place round trip {:.2e} (bound {BOUND:.0e})",
        errors[0],
        errors[1],
        errors[2],
        errors[3],
        errors[4]
    );
    worst
}

#[test]
fn real_transforms() {
    let Some(context) = context() else { return };
    let shapes: [&[usize]; 12] = [
        &[2],
        &[6],
        &[10],
        &[14],
        &[16],
        &[30],
        &[420],
        &[12, 10],
        &[7, 18],
        &[8, 6, 10],
        &[5, 7, 12],
        &[16, 16, 16],
    ];
    for shape in shapes {
        let worst = check_real_shape(context, shape);
        eprintln!("real {shape:?}: max relative L2 error {worst:.2e}");
    }
}

/// An odd last axis: the whole rows are transformed as complex (1D, 2D, 3D, every odd radix,
/// a length-1 axis elsewhere, and primes above 7 with the any-length plan).
#[test]
fn real_transforms_of_odd_last_axes() {
    let Some(context) = context() else { return };
    let shapes: [&[usize]; 9] = [
        &[3],
        &[5],
        &[7],
        &[9],
        &[105],
        &[4, 9],
        &[6, 15],
        &[5, 7, 21],
        &[8, 1, 25],
    ];
    for shape in shapes {
        let worst = check_real_shape(context, shape);
        eprintln!("real {shape:?}: max relative L2 error {worst:.2e}");
    }
    for shape in [[6, 61], [31, 33]] {
        let worst = check_real_plan(&GpuRealFft::new_any_length(context, &shape).unwrap());
        eprintln!("real any length {shape:?}: max relative L2 error {worst:.2e}");
    }
    let error = GpuRealFft::new(context, &[4, 11])
        .err()
        .expect("a plan of smooth lengths refuses 11");
    assert!(matches!(error, GpuError::UnsupportedSize(11)), "{error}");
}

/// Every plan's device bytes are what the estimate said, for even and odd last axes.
#[test]
fn real_plans_hold_their_estimate() {
    let Some(context) = context() else { return };
    for shape in [
        &[10][..],
        &[9],
        &[6, 15],
        &[6, 16],
        &[5, 7, 21],
        &[8, 6, 10],
    ] {
        let fft = GpuRealFft::new(context, shape).unwrap();
        let estimate = GpuRealFft::estimate_bytes(shape, Lengths::Smooth).unwrap();
        assert_eq!(fft.device_bytes(), estimate, "{shape:?}");
    }
}

/// A 64³ complex and real round trip on device buffers; prints the time per forward + inverse.
#[test]
fn cube_64_round_trip() {
    let Some(context) = context() else { return };
    let shape = [64, 64, 64];
    let fft = GpuFft::new(context, &shape).unwrap();
    let real_fft = GpuRealFft::new(context, &shape).unwrap();
    let input = signal(fft.len(), 64);
    let buffer = fft.create_buffer("cube");
    let binding = fft.bind(&buffer).unwrap();
    let real_buffer = real_fft.create_real_buffer("real cube");
    let spectrum = real_fft.create_spectrum_buffer("real cube spectrum");
    let real_binding = real_fft.bind(&real_buffer, &spectrum).unwrap();
    let real_input: Vec<f32> = input.iter().map(|z| z.re).collect();
    context.upload_complex(&buffer, &input);
    context.upload_real(&real_buffer, &real_input);
    for real in [false, true] {
        let repeats = 3;
        let start = std::time::Instant::now();
        for _ in 0..repeats {
            let mut encoder = context.device().create_command_encoder(&Default::default());
            if real {
                real_fft.forward(&mut encoder, &real_binding);
                real_fft.inverse(&mut encoder, &real_binding);
            } else {
                fft.forward(&mut encoder, &binding);
                fft.inverse(&mut encoder, &binding);
            }
            context.queue().submit([encoder.finish()]);
            context.wait().unwrap();
        }
        let kind = if real { "real" } else { "complex" };
        eprintln!(
            "64³ {kind} forward + inverse on {}: {:.1} ms",
            context.adapter_description(),
            start.elapsed().as_secs_f64() * 1e3 / repeats as f64
        );
    }
    let error = relative_l2(&context.download_complex(&buffer).unwrap(), &widen(&input));
    assert!(
        error <= BOUND,
        "64³ complex round trips: relative L2 error {error:.2e}"
    );
    let back = context.download_real(&real_buffer).unwrap();
    let error = relative_l2(&as_complex(&back), &widen(&as_complex(&real_input)));
    assert!(
        error <= BOUND,
        "64³ real round trips: relative L2 error {error:.2e}"
    );
}

#[test]
fn refuses_unsuitable_buffers() {
    let Some(context) = context() else { return };
    let fft = GpuFft::new(context, &[4, 6]).unwrap();
    let small = context.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("too small"),
        size: 8 * 23,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    assert!(matches!(fft.bind(&small), Err(GpuError::Shape(_))));
    let storage_only = context.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("storage only"),
        size: 8 * 24,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    });
    let error = fft.bind(&storage_only).err().expect("COPY_DST is required");
    assert!(error.to_string().contains("COPY_DST"), "{error}");
    assert!(matches!(
        fft.transform_host(&signal(5, 1), Direction::Forward),
        Err(GpuError::Shape(_))
    ));
}

/// A pass with more workgroups than one dispatch dimension allows (65,535 on most devices):
/// radix 2 along the outer axis of a 2 × 2²² array has 2²² butterflies, 65,536 groups of 64.
#[test]
fn dispatch_grid_wraps_into_rows() {
    let Some(context) = context() else { return };
    let columns = 1 << 22;
    let fft = GpuFft::along_axes(context, &[2, columns], &[0]).unwrap();
    let input = signal(fft.len(), 3);
    let output = fft.transform_host(&input, Direction::Forward).unwrap();
    let (top, bottom) = input.split_at(columns);
    let expected: Vec<Complex64> = widen(top)
        .iter()
        .zip(widen(bottom))
        .map(|(a, b)| a + b)
        .chain(widen(top).iter().zip(widen(bottom)).map(|(a, b)| a - b))
        .collect();
    let error = relative_l2(&output, &expected);
    assert!(
        error <= BOUND,
        "2 × 2²² along axis 0: relative L2 error {error:.2e}"
    );
}

/// Complex values one workgroup's memory holds on this device: the longest line the
/// shared-memory kernel takes.
fn shared_capacity(context: &WgpuContext) -> usize {
    context.device().limits().max_compute_workgroup_storage_size as usize / 8
}

/// Every radix and mixed lengths through the one-dispatch shared-memory kernel.
#[test]
fn shared_kernel_every_radix_and_mixed_lengths() {
    let Some(context) = context() else { return };
    eprintln!(
        "{}: workgroup memory holds {} complex values",
        context.adapter_description(),
        shared_capacity(context)
    );
    let lengths = [2, 3, 4, 5, 7, 8, 16, 32, 9, 25, 49, 6, 24, 120, 1680, 2048];
    for n in lengths
        .into_iter()
        .filter(|&n| n <= shared_capacity(context))
    {
        let fft = GpuFft::new(context, &[3, n]).unwrap();
        assert_eq!(fft.shared_axis_count(), 2, "[3, {n}]");
        assert_eq!(fft.dispatch_count(), 2, "[3, {n}]");
        let worst = check_plan(&fft);
        eprintln!("[3, {n}] shared: max relative L2 error {worst:.2e}");
    }
}

/// Lines longer than workgroup memory holds take the multi-pass path, alone and next to
/// shared-memory axes (which then run in place to save the copy back).
#[test]
fn lines_longer_than_workgroup_memory_take_the_multipass_path() {
    let Some(context) = context() else { return };
    let long = 2 * shared_capacity(context).next_power_of_two();
    let fft = GpuFft::new(context, &[long]).unwrap();
    assert_eq!(fft.shared_axis_count(), 0);
    let worst = check_plan(&fft);
    eprintln!("[{long}] multi-pass: max relative L2 error {worst:.2e}");
    let fft = GpuFft::new(context, &[3, long]).unwrap();
    assert_eq!(fft.shared_axis_count(), 1);
    let worst = check_plan(&fft);
    eprintln!("[3, {long}] shared + multi-pass: max relative L2 error {worst:.2e}");
}

/// Both paths, and mixtures of them, on 3D shapes with strided axes transformed in tiles.
#[test]
fn shared_and_multipass_paths_in_three_dimensions() {
    let Some(context) = context() else { return };
    let shapes: [&[usize]; 4] = [&[24, 20, 28], &[32, 32, 32], &[64, 64, 64], &[6, 35, 10]];
    for shape in shapes {
        let axes = [0, 1, 2];
        // Every axis shared; only the axes up to 24; none.
        for limit in [usize::MAX, 24, 0] {
            let fft = GpuFft::along_axes_shared_up_to(context, shape, &axes, limit).unwrap();
            let expected_shared = shape.iter().filter(|&&n| n <= limit).count();
            assert_eq!(fft.shared_axis_count(), expected_shared, "{shape:?}");
            let worst = check_plan(&fft);
            eprintln!(
                "{shape:?}, {expected_shared} shared axes, {} dispatches: max relative L2 error {worst:.2e}",
                fft.dispatch_count()
            );
        }
    }
    // All shared: three dispatches, the first in place, and no copy.
    let fft = GpuFft::new(context, &[24, 20, 28]).unwrap();
    assert_eq!(fft.dispatch_count(), 3);
}

/// Real transforms of 3D shapes: four dispatches (half-length x, split, y, z) when every axis
/// fits in workgroup memory.
#[test]
fn real_three_dimensional_shared() {
    let Some(context) = context() else { return };
    for shape in [[24, 20, 28], [32, 32, 32], [6, 10, 14]] {
        let fft = GpuRealFft::new(context, &shape).unwrap();
        assert_eq!(fft.dispatch_count(), 4, "{shape:?}");
        let worst = check_real_shape(context, &shape);
        eprintln!("real {shape:?}: max relative L2 error {worst:.2e}");
    }
}
