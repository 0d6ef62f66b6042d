//! The mixed-domain passes' line FFT on its own (`line_fft_lines` in kernels/cuda/mixed.cu,
//! the Stockham FFT of kernels/cuda/line_fft.cuh), so that tests can hold it against rustfft
//! for every radix and length, as the WGSL FFT is.

use std::sync::Arc;

use super::args::LineFftArgs;
use super::lines::{LinePlan, SHARED_BYTES};
use super::{defines, unsupported, FFT_SOURCE, MIXED_SOURCE};
use crate::cpu::mixed::layout::Dims;
use crate::cuda::driver::{describe, open_first_device};
use crate::cuda::memory::DeviceMemory;
use crate::cuda::program::{function, launch_with, load_module};
use crate::device::DeviceError;
use cudarc::driver::{CudaFunction, CudaStream, LaunchConfig};

/// The line FFT for lines of one length, compiled for it on CUDA device 0.
pub struct LineFft {
    plan: LinePlan,
    stream: Arc<CudaStream>,
    kernel: CudaFunction,
    device: String,
    free: u64,
}

impl LineFft {
    /// Compiles the line FFT for lines of `len`; refuses lengths the passes refuse.
    pub fn new(len: usize) -> Result<Self, DeviceError> {
        let plan = LinePlan::new(&Dims::new([len, 1, 1], 1), 0)
            .ok_or_else(|| unsupported(format!("a line of {len} points")))?;
        let ctx = open_first_device()?;
        let stream = ctx.default_stream();
        let (device, free, _) = describe(&ctx)?;
        let module = load_module(
            &ctx,
            &format!("{FFT_SOURCE}\n{MIXED_SOURCE}"),
            "kernels/cuda/mixed.cu",
            &defines(std::slice::from_ref(&plan)),
        )?;
        Ok(Self {
            kernel: function(&module, "line_fft_lines")?,
            plan,
            stream,
            device,
            free,
        })
    }

    /// Transforms `lines` (line after line, as (re, im)) in place, `tile` lines per block:
    /// e^{-2 pi i k n / len} when `forward`, else e^{+2 pi i k n / len}, both unnormalised.
    /// Refuses tiles that do not fit 48 KB of shared memory.
    pub fn transform(
        &self,
        lines: &mut [[f32; 2]],
        tile: usize,
        forward: bool,
    ) -> Result<(), DeviceError> {
        let len = self.plan.len;
        // Lines and their scratch, 16 bytes per value.
        if !lines.len().is_multiple_of(len) || tile == 0 || tile * len * 16 > SHARED_BYTES {
            return Err(unsupported(format!(
                "{} values in lines of {len}, {tile} lines per block",
                lines.len()
            )));
        }
        let count = lines.len() / len;
        let mut memory = DeviceMemory::new(self.stream.clone(), self.device.clone(), self.free);
        let data = memory.upload(lines)?;
        let args = LineFftArgs {
            lines: data,
            twiddles: memory.upload(&self.plan.twiddles)?,
            radices: self.plan.radix_code,
            len: len as u32,
            tile: tile as u32,
            count: count as u32,
            dir: if forward { 1.0 } else { -1.0 },
        };
        let threads = (tile * len).div_ceil(4).next_power_of_two().clamp(32, 256);
        let config = LaunchConfig {
            grid_dim: (count.div_ceil(tile) as u32, 1, 1),
            block_dim: (threads as u32, 1, 1),
            shared_mem_bytes: (tile * len * 16) as u32,
        };
        // SAFETY: LineFftArgs is laid out as the kernel's parameter (asserted on both sides);
        // the lines and twiddles are live allocations of `memory` of the sizes it reads.
        unsafe { launch_with(&self.stream, &self.kernel, config, &args) }?;
        memory.download(data, lines)
    }
}
