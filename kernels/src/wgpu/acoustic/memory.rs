//! Device memory: the estimate (no device), the limits check before allocating, and what to
//! report when an allocation fails.

use super::kernels::STORAGE_BINDINGS;
use super::layout::Layout;
use crate::device::{DeviceError, DeviceKind};
use crate::setup::AcousticSetup;
use crate::wgpu::{GpuRealFft, Lengths, WgpuContext};

/// The shape the real FFT plan sees: used axes, slowest first.
pub(super) fn fft_shape(setup: &AcousticSetup) -> Vec<usize> {
    let [nx, ny, nz] = setup.shape;
    [nz, ny, nx][3 - setup.ndim..].to_vec()
}

/// Bytes of every device allocation `WgpuAcoustic::new` makes for `setup`: fields, spectral
/// buffers, FFT work and scratch, coefficient maps, tables, records, sample blocks, uniforms
/// and staging. Sizes the FFT cannot take count as zero FFT bytes (`new` refuses them).
pub fn estimate_device_bytes(setup: &AcousticSetup) -> u64 {
    let layout = Layout::new(setup);
    let buffers: u64 = layout.buffers().iter().map(|(_, bytes)| bytes).sum();
    buffers
        + GpuRealFft::estimate_bytes(&fft_shape(setup), Lengths::Any).unwrap_or(0)
        + field_staging_bytes(setup)
}

/// The staging buffer of one grid that the first whole-field read-back makes (`readback::
/// floats`), when the run reads a field back: p_final, whole-grid extremes, u_final or the
/// non-staggered velocity.
fn field_staging_bytes(setup: &AcousticSetup) -> u64 {
    let reads_fields = setup.keep_pressure_field
        || setup.whole_grid_extremes.pressure
        || setup.whole_grid_extremes.velocity
        || setup.read_velocity_field;
    if reads_fields {
        4 * setup.num_points() as u64
    } else {
        0
    }
}

/// Refuses, before anything is allocated, a run whose buffers or bindings exceed the
/// device's limits.
pub(super) fn check_limits(context: &WgpuContext, layout: &Layout) -> Result<(), DeviceError> {
    let limits = context.device().limits();
    let unsupported = |reason: String| DeviceError::Unsupported {
        device: DeviceKind::Wgpu,
        reason: format!("{reason} on {}", context.adapter_description()),
    };
    if limits.max_storage_buffers_per_shader_stage < STORAGE_BINDINGS {
        return Err(unsupported(format!(
            "the acoustic kernels bind {STORAGE_BINDINGS} storage buffers, the device at most {}",
            limits.max_storage_buffers_per_shader_stage
        )));
    }
    let max = largest_binding(&limits);
    for (name, bytes) in layout.buffers() {
        if bytes > max {
            return Err(unsupported(format!(
                "the {name} needs {bytes} bytes in one buffer, over the device's limit of {max}"
            )));
        }
    }
    Ok(())
}

fn largest_binding(limits: &wgpu::Limits) -> u64 {
    limits
        .max_buffer_size
        .min(limits.max_storage_buffer_binding_size)
}

/// What the device could give at most, for the out-of-memory report: wgpu has no free-memory
/// query, so the largest buffer it takes.
pub(super) fn largest_allocation(context: &WgpuContext) -> u64 {
    largest_binding(&context.device().limits())
}
