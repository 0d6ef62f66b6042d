//! Every device byte the mixed-domain stepper allocates, from the setup alone: the
//! allocation code (`MixedDomainCuda::new`) and this count are kept side by side.

use super::lines::LinePlan;
use super::pairs;
use crate::cpu::mixed::layout::Dims;
use crate::cpu::mixed::{absorbing, forms_grid_pressure};
use crate::cuda::memory::{fft_work_estimate, Sizes};
use crate::setup::{AcousticSetup, SourceInjection};

/// Bytes of every allocation but cuFFT's work area. The setup must be one `new` accepts.
pub fn bytes_without_fft(setup: &AcousticSetup) -> usize {
    let dims = Dims::new(setup.shape, setup.ndim);
    let half = dims.half_len();
    let n = dims.points();
    let ndim = setup.ndim;
    let sizes = Sizes::new(setup);
    let sensors = sizes.sensors;
    let spectra = 2 * half * 8;
    let fields = 2 * dims.x_domain_len() * 8 + 2 * (ndim - 1) * half * 8;
    let per_axis: usize = (0..ndim)
        .map(|axis| {
            let len = setup.shape[axis];
            let twiddles = LinePlan::new(&dims, axis).map_or(0, |p| p.twiddles.len() * 8);
            // Gradient and divergence factors, the two PML profiles, twiddles, pairs.
            2 * len * 8 + 2 * len * 4 + twiddles + pairs::domain(&dims, axis).len() * 4
        })
        .sum();
    let spectrum_pairs = pairs::spectrum(&dims).len() * 4;
    // k^2 per axis (kappa is computed from them), for every axis (size 1 when unused).
    let k_squared = 4 * (dims.nx + dims.ny + dims.nz);
    let absorption = if absorbing(setup) {
        half * 8 + 2 * setup.absorption.is_some() as usize * half * 4
    } else {
        0
    };
    let source = setup.pressure_source.as_ref().map_or(0, |s| {
        let correction = (s.injection == SourceInjection::Additive) as usize;
        half * 8 + correction * half * 4 + 4 * (s.indices.len() + s.signals.len())
    });
    let sensor_bytes = if forms_grid_pressure(setup) {
        half * 8
    } else {
        (dims.nxh + dims.ny + dims.nz) * sensors * 8 + sensors * 8
    };
    let samples = sensors * 4 + sizes.capacity * sensors * 4 + 2 * sensors * 8;
    let records = (setup.keep_pressure_field as usize
        + 2 * setup.whole_grid_extremes.pressure as usize)
        * n
        * 4;
    let magnitude = 4;
    spectra
        + fields
        + per_axis
        + spectrum_pairs
        + k_squared
        + absorption
        + source
        + sensor_bytes
        + samples
        + records
        + magnitude
}

/// Every device byte `MixedDomainCuda::new` allocates for `setup`, cuFFT's work area
/// estimated as for the split form.
pub fn estimate_mixed_domain_bytes(setup: &AcousticSetup) -> u64 {
    (bytes_without_fft(setup) + fft_work_estimate(setup)) as u64
}
