//! Device memory: what a run needs (estimated from the setup alone, without a device) and the
//! arena that holds every allocation of the backend.

use super::driver::failed;
use crate::cpu::spectral_buffers_needed;
use crate::device::{DeviceError, DeviceKind};
use crate::setup::{AcousticSetup, Coef, PointSource};
use cudarc::driver::{result, CudaSlice, CudaStream, DevicePtr, DriverError};
use std::sync::Arc;

/// Largest sample block, bytes, and most steps it holds.
const SAMPLE_BLOCK_BYTES: usize = 64 << 20;
const SAMPLE_BLOCK_STEPS: usize = 1024;

/// Sizes the backend derives from a setup.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub points: usize,
    /// Complex values of a half spectrum: (nx/2 + 1) ny nz.
    pub spectrum: usize,
    pub buffers: usize,
    pub sensors: usize,
    /// Sample channels per sensor: p, then u_i when velocity is sampled.
    pub channels: usize,
    /// Steps of samples the device block holds.
    pub capacity: usize,
}

impl Sizes {
    pub fn new(setup: &AcousticSetup) -> Self {
        let [nx, ny, nz] = setup.shape;
        let sensors = setup.sensor_points.len();
        let channels = 1 + setup.ndim * setup.sample_velocity as usize;
        let row_bytes = (sensors * channels * 4).max(1);
        Self {
            points: nx * ny * nz,
            spectrum: (nx / 2 + 1) * ny * nz,
            buffers: spectral_buffers_needed(setup),
            sensors,
            channels,
            capacity: (SAMPLE_BLOCK_BYTES / row_bytes).clamp(1, SAMPLE_BLOCK_STEPS),
        }
    }
}

fn map_bytes(coef: &Coef) -> usize {
    match coef {
        Coef::Uniform(_) => 0,
        Coef::Map(m) => 4 * m.len(),
    }
}

fn source_bytes(source: &Option<PointSource>) -> usize {
    source
        .as_ref()
        .map_or(0, |s| 4 * (s.indices.len() + s.signals.len()))
}

/// cuFFT's work area as estimated without planning: one half spectrum (multi-dimensional
/// transforms need at most about one copy of the data; powers of two often need none), and at
/// least `MIN_FFT_WORK_BYTES`, since plans of small grids take a work area of their own.
pub fn fft_work_estimate(setup: &AcousticSetup) -> usize {
    (Sizes::new(setup).spectrum * 8).max(MIN_FFT_WORK_BYTES)
}

/// The least work area counted for a cuFFT plan.
const MIN_FFT_WORK_BYTES: usize = 1 << 20;

/// Bytes of every allocation but cuFFT's work area.
pub fn bytes_without_fft(setup: &AcousticSetup) -> usize {
    let s = Sizes::new(setup);
    let [nx, ny, nz] = setup.shape;
    let n = s.points;
    let ndim = setup.ndim;
    let fields = 2 * ndim * n * 4;
    let spectra = s.buffers * s.spectrum * 8;
    let mut coefficients = setup
        .dt_over_rho_staggered
        .iter()
        .take(ndim)
        .map(map_bytes)
        .sum::<usize>()
        + map_bytes(&setup.dt_rho0)
        + map_bytes(&setup.c0_squared)
        + setup.nonlinearity.as_ref().map_or(0, map_bytes)
        + setup.stokes.as_ref().map_or(0, map_bytes);
    if let Some(a) = &setup.absorption {
        coefficients += map_bytes(&a.tau) + map_bytes(&a.eta) + map_bytes(&a.rho0);
    }
    let pml = (0..ndim).map(|a| 4 * (setup.pml[a].len() + setup.pml_staggered[a].len()));
    // Wavenumbers (f32) and the two shifted-derivative factors (complex f32) per axis.
    let tables = (nx / 2 + 1 + ny + nz) * (4 + 8 + 8);
    let sensors = s.sensors * 4 + s.capacity * s.channels * s.sensors * 4 + 2 * s.sensors * 8;
    let sources = source_bytes(&setup.pressure_source)
        + setup
            .velocity_sources
            .iter()
            .map(source_bytes)
            .sum::<usize>();
    let kept = setup.keep_pressure_field as usize * n * 4;
    let extremes = (setup.whole_grid_extremes.pressure as usize
        + ndim * setup.whole_grid_extremes.velocity as usize)
        * 2
        * n
        * 4;
    let magnitude = 4;
    fields
        + spectra
        + coefficients
        + pml.sum::<usize>()
        + tables
        + sensors
        + sources
        + kept
        + extremes
        + magnitude
}

/// Every device allocation the backend makes for `setup`, cuFFT's work area estimated.
pub fn estimate_device_bytes(setup: &AcousticSetup) -> u64 {
    (bytes_without_fft(setup) + fft_work_estimate(setup)) as u64
}

/// Owns the backend's allocations; hands out raw device addresses for the kernels.
pub struct DeviceMemory {
    stream: Arc<CudaStream>,
    device: String,
    free_bytes: u64,
    blocks: Vec<CudaSlice<u8>>,
    bytes: usize,
}

impl DeviceMemory {
    pub fn new(stream: Arc<CudaStream>, device: String, free_bytes: u64) -> Self {
        Self {
            stream,
            device,
            free_bytes,
            blocks: Vec::new(),
            bytes: 0,
        }
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn error(&self, bytes: usize, e: DriverError) -> DeviceError {
        if e.0 == cudarc::driver::sys::CUresult::CUDA_ERROR_OUT_OF_MEMORY {
            DeviceError::OutOfMemory {
                device: self.device.clone(),
                needed_bytes: (self.bytes + bytes) as u64,
                available_bytes: self.free_bytes,
            }
        } else {
            failed("device allocation", e)
        }
    }

    /// A zeroed allocation of `bytes` (address 0 when `bytes` is 0).
    pub fn zeroed(&mut self, bytes: usize) -> Result<u64, DeviceError> {
        if bytes == 0 {
            return Ok(0);
        }
        let block = self
            .stream
            .alloc_zeros::<u8>(bytes)
            .map_err(|e| self.error(bytes, e))?;
        let (address, _) = block.device_ptr(&self.stream);
        self.blocks.push(block);
        self.bytes += bytes;
        Ok(address)
    }

    /// An allocation holding a copy of `data` (address 0 when empty).
    pub fn upload<T: Copy>(&mut self, data: &[T]) -> Result<u64, DeviceError> {
        let address = self.zeroed(std::mem::size_of_val(data))?;
        if address != 0 {
            // SAFETY: the allocation holds size_of_val(data) bytes; the stream is synchronised
            // before `data` can go away.
            unsafe { result::memcpy_htod_async(address, data, self.stream.cu_stream()) }
                .map_err(|e| failed("upload to the device", e))?;
            self.stream
                .synchronize()
                .map_err(|e| failed("upload to the device", e))?;
        }
        Ok(address)
    }

    /// Copies `data` to device address `address` (an allocation of this arena with room for
    /// it), and waits for the copy.
    pub fn write<T: Copy>(&self, address: u64, data: &[T]) -> Result<(), DeviceError> {
        if data.is_empty() {
            return Ok(());
        }
        // SAFETY: the callers' contract: `address` holds size_of_val(data) bytes; synchronised
        // before `data` can go away.
        unsafe { result::memcpy_htod_async(address, data, self.stream.cu_stream()) }
            .map_err(|e| failed("upload to the device", e))?;
        self.stream
            .synchronize()
            .map_err(|e| failed("upload to the device", e))
    }

    /// Copies `bytes` bytes from `source` to `destination`, in stream order.
    pub fn copy(&self, destination: u64, source: u64, bytes: usize) -> Result<(), DeviceError> {
        // SAFETY: both are allocations of this arena of at least `bytes` bytes.
        unsafe { result::memcpy_dtod_async(destination, source, bytes, self.stream.cu_stream()) }
            .map_err(|e| failed("device copy", e))
    }

    /// Copies `out.len()` values from device address `address` into `out`.
    /// Copies the first `points` values of a whole-grid record (at most `out.len()`) into `out`.
    pub fn download_field(
        &self,
        address: u64,
        points: usize,
        out: &mut [f32],
    ) -> Result<(), DeviceError> {
        let n = points.min(out.len());
        self.download(address, &mut out[..n])
    }

    /// The running CW sums (re, then im, per sensor) at `address`.
    pub fn cw_sums(
        &self,
        address: u64,
        sensors: usize,
    ) -> Result<(Vec<f64>, Vec<f64>), DeviceError> {
        let mut sums = vec![0.0f64; 2 * sensors];
        self.download(address, &mut sums)?;
        let im = sums.split_off(sensors);
        Ok((sums, im))
    }

    pub fn download<T: Copy>(&self, address: u64, out: &mut [T]) -> Result<(), DeviceError> {
        if out.is_empty() {
            return Ok(());
        }
        if address == 0 {
            return Err(DeviceError::failed(
                DeviceKind::Cuda,
                "read-back of a field this run does not record",
            ));
        }
        // SAFETY: `address` is an allocation of this arena holding at least `out.len()`
        // values (the callers' contracts); synchronised before `out` is used.
        unsafe { result::memcpy_dtoh_async(out, address, self.stream.cu_stream()) }
            .map_err(|e| failed("read-back from the device", e))?;
        self.stream
            .synchronize()
            .map_err(|e| failed("read-back from the device", e))
    }

    /// Sets `bytes` bytes at `address` to zero, in stream order.
    pub fn clear(&self, address: u64, bytes: usize) -> Result<(), DeviceError> {
        // SAFETY: `address` is an allocation of this arena of at least `bytes` bytes.
        unsafe { result::memset_d8_async(address, 0, bytes, self.stream.cu_stream()) }
            .map_err(|e| failed("device memset", e))
    }
}
