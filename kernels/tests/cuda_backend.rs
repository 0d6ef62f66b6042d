//! The CUDA backend's behaviour that does not need a GPU to check: the memory estimate of the
//! benchmark problem, and a missing driver or library reported as `Unavailable`, never a
//! panic. With a GPU, opening the backend succeeds and reports what it allocated.
#![cfg(feature = "cuda")]

use ferrowave_kernels::cuda::{devices, estimate_device_bytes, CudaAcoustic};
use ferrowave_kernels::{AcousticSetup, AcousticState, Coef, DeviceError, Extremes};

/// The benchmark problem's shape: 3D homogeneous lossless, PML inside, 2 point sensors.
fn benchmark(n: usize) -> AcousticSetup {
    let profile = vec![1.0f32; n];
    AcousticSetup {
        shape: [n, n, n],
        ndim: 3,
        spacing: [1e-4; 3],
        dt: 2e-8,
        c_ref: 1500.0,
        pml: [profile.clone(), profile.clone(), profile.clone()],
        pml_staggered: [profile.clone(), profile.clone(), profile.clone()],
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
        initial_pressure: Some(vec![0.0; n * n * n]),
        pressure_source: None,
        velocity_sources: [None, None, None],
        sensor_points: vec![0, n * n * n / 2],
        sample_velocity: false,
        read_velocity_field: false,
        keep_pressure_field: false,
        whole_grid_extremes: Extremes::default(),
    }
}

#[test]
fn benchmark_estimate_counts_fields_spectra_and_fft_work() {
    let n = 64;
    let points = (n * n * n) as u64;
    let half = ((n / 2 + 1) * n * n) as u64;
    let bytes = estimate_device_bytes(&benchmark(n));
    // u and rho (6 fields), 3 spectral buffers, one half spectrum of cuFFT work area.
    let large = 6 * 4 * points + 3 * 8 * half + 8 * half;
    assert!(bytes >= large, "{bytes} < {large}");
    assert!(
        bytes < large + (1 << 20),
        "{bytes} counts more than the tables and sensors"
    );
}

#[test]
fn opening_without_a_device_is_unavailable_not_a_panic() {
    match devices() {
        Ok(list) => eprintln!("CUDA devices: {list:?}"),
        Err(e @ DeviceError::Unavailable { .. }) => eprintln!("no CUDA device: {e}"),
        Err(e) => panic!("listing CUDA devices: {e}"),
    }
    match CudaAcoustic::new(benchmark(32)) {
        Ok(backend) => {
            let bytes = backend.bytes_allocated() as u64;
            let estimate = estimate_device_bytes(&benchmark(32));
            eprintln!("CUDA backend allocated {bytes} bytes (estimate {estimate})");
            assert!(bytes > 0);
        }
        Err(e @ DeviceError::Unavailable { .. }) => eprintln!("skipping the CUDA backend: {e}"),
        Err(e) => panic!("opening the CUDA backend: {e}"),
    }
}
