//! Copies from the device: sample blocks, CW sums, whole fields, the density reduction. Each
//! is one submission and one wait; these are the only waits of a run.

use super::kernels::{Job, Kernel};
use super::{device_error, WgpuAcoustic};
use crate::device::{DeviceError, DeviceKind};
use crate::wgpu::{GpuError, WgpuContext};
use std::sync::Mutex;

/// The error the device reported outside an error scope, if any.
pub(in crate::wgpu) fn reported(failure: &Mutex<Option<String>>) -> Result<(), DeviceError> {
    let slot = failure
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match slot.as_ref() {
        Some(reason) => Err(DeviceError::Failed {
            device: DeviceKind::Wgpu,
            reason: reason.clone(),
        }),
        None => Ok(()),
    }
}

fn failed(e: &dyn std::fmt::Display) -> DeviceError {
    device_error(GpuError::Device(format!("reading back: {e}")))
}

/// Waits for the submitted work, maps the first `bytes` of `staging` (MAP_READ) and hands
/// them to `read`.
pub(in crate::wgpu) fn map_and_read<T>(
    context: &WgpuContext,
    failure: &Mutex<Option<String>>,
    staging: &wgpu::Buffer,
    bytes: u64,
    read: impl FnOnce(&[u8]) -> T,
) -> Result<T, DeviceError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    staging.map_async(wgpu::MapMode::Read, ..bytes, move |result| {
        // The receiver waits below; a failed send could only mean it had gone.
        let _ = sender.send(result);
    });
    context.wait().map_err(device_error)?;
    reported(failure)?;
    receiver
        .recv()
        .map_err(|e| failed(&e))?
        .map_err(|e| failed(&e))?;
    let value = {
        let view = staging.get_mapped_range(..bytes).map_err(|e| failed(&e))?;
        read(&view)
    };
    staging.unmap();
    Ok(value)
}

/// Reads the first `steps` rows of the sample blocks into the host copies, in one transfer.
pub(super) fn samples(b: &mut WgpuAcoustic, steps: usize) -> Result<(), DeviceError> {
    let sensors = b.layout.sensors;
    let rows = steps * sensors;
    if rows == 0 {
        return Ok(());
    }
    let bytes = 4 * rows as u64;
    let block = b.layout.capacity * sensors;
    let velocity_base = b.layout.velocity_samples;
    let sampled_axes = if b.setup.sample_velocity {
        b.setup.ndim
    } else {
        0
    };
    let mut encoder = b
        .context
        .device()
        .create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&b.samples, 0, &b.sample_staging, 0, bytes);
    for axis in 0..sampled_axes {
        let at = 4 * (velocity_base + axis * block) as u64;
        encoder.copy_buffer_to_buffer(&b.samples, at, &b.sample_staging, at, bytes);
    }
    b.context.queue().submit([encoder.finish()]);
    let end = 4 * (velocity_base + sampled_axes.saturating_sub(1) * block) as u64 + bytes;
    let end = if sampled_axes == 0 { bytes } else { end };
    let (pressure, velocity) = (&mut b.host_pressure, &mut b.host_velocity);
    map_and_read(
        &b.context,
        &b.device_failure,
        &b.sample_staging,
        end,
        |view| {
            let all: &[f32] = bytemuck::cast_slice(view);
            pressure[..rows].copy_from_slice(&all[..rows]);
            for (axis, v) in velocity.iter_mut().enumerate().take(sampled_axes) {
                let at = velocity_base + axis * block;
                v[..rows].copy_from_slice(&all[at..at + rows]);
            }
        },
    )
}

/// The CW sums, widened to f64.
pub(super) fn cw_sums(b: &mut WgpuAcoustic) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
    let sensors = b.layout.sensors;
    if sensors == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let at = 4 * b.layout.cw[0] as u64;
    let bytes = 8 * sensors as u64;
    let mut encoder = b
        .context
        .device()
        .create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&b.samples, at, &b.sample_staging, 0, bytes);
    b.context.queue().submit([encoder.finish()]);
    map_and_read(
        &b.context,
        &b.device_failure,
        &b.sample_staging,
        bytes,
        |view| {
            let all: &[f32] = bytemuck::cast_slice(view);
            let widen = |s: &[f32]| s.iter().map(|&v| v as f64).collect::<Vec<f64>>();
            (widen(&all[..sensors]), widen(&all[sensors..2 * sensors]))
        },
    )
}

/// Copies `out.len()` floats (at most a grid) of `buffer` from float `start` into `out`,
/// through a staging buffer of one grid made at the first whole-field read-back and kept
/// (these happen after the time loop, or once per step for the non-staggered velocity).
pub(super) fn floats(
    b: &mut WgpuAcoustic,
    buffer: &wgpu::Buffer,
    start: usize,
    out: &mut [f32],
) -> Result<(), DeviceError> {
    if out.is_empty() {
        return Ok(());
    }
    let bytes = 4 * out.len() as u64;
    let device = b.context.device();
    let staging = b
        .field_staging
        .get_or_insert_with(|| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("field read-back"),
                size: 4 * b.layout.n as u64,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })
        .clone();
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 4 * start as u64, &staging, 0, bytes);
    b.context.queue().submit([encoder.finish()]);
    map_and_read(&b.context, &b.device_failure, &staging, bytes, |view| {
        out.copy_from_slice(bytemuck::cast_slice(view));
    })
}

/// max |sum_a rho_a| over the grid (infinite when any value is NaN or infinite).
pub(super) fn density_magnitude(b: &mut WgpuAcoustic) -> Result<f32, DeviceError> {
    let mut encoder = b.encoder();
    encoder.clear_buffer(&b.reduction, 0, None);
    let n = b.layout.n;
    b.kernels
        .dispatch(&mut encoder, Kernel::DensityMagnitude, Job::new(), n);
    encoder.copy_buffer_to_buffer(&b.reduction, 0, &b.reduction_staging, 0, 4);
    b.submit(encoder);
    map_and_read(
        &b.context,
        &b.device_failure,
        &b.reduction_staging,
        4,
        |view| {
            let bits: &[u32] = bytemuck::cast_slice(view);
            f32::from_bits(bits[0])
        },
    )
}
