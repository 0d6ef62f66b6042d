//! What a mixed-domain run needs, from the setup alone (no device): whether the WGSL stepper
//! takes it, the sizes of its buffers, and the memory estimate.

use super::tables::{pair_count, TableLayout};
use crate::cpu::mixed::layout::Dims;
use crate::cpu::mixed::{absorbing, forms_grid_pressure, unsupported_reason};
use crate::setup::AcousticSetup;
use crate::wgpu::fft::{radices, COMPLEX_BYTES};
use crate::wgpu::{GpuRealFft, Lengths};

/// Workgroup memory every wgpu device offers (`wgpu::Limits::default()`): the pass kernels
/// hold at least one line of each axis in it.
pub(super) const GUARANTEED_WORKGROUP_BYTES: usize = 16 * 1024;
/// Storage buffers the kernels bind.
pub(super) const STORAGE_BINDINGS: u32 = 10;
/// Parameter sets in the uniform buffer (see `params.rs`), `PARAMS_STRIDE` apart.
pub(super) const PARAM_SLOTS: usize = 32;
/// Invocations per workgroup of the sensor reductions (mixed_points.wgsl REDUCTION).
pub(super) const REDUCTION: usize = 256;
/// Most workgroups per sensor in the first stage of the spectral sensor sums.
const MAX_SENSOR_CHUNKS: usize = 128;
/// Most steps of samples held on the device, and most bytes the sample block takes.
const MAX_CAPACITY: usize = 1024;
const MAX_SAMPLE_BYTES: usize = 64 << 20;

/// Why the WGSL mixed-domain stepper cannot run `setup`, or None. Pure: assumes only the
/// workgroup memory every device has.
pub fn mixed_domain_unsupported(setup: &AcousticSetup) -> Option<String> {
    if let Some(reason) = unsupported_reason(setup) {
        return Some(reason.to_string());
    }
    for axis in 0..setup.ndim {
        let n = setup.shape[axis];
        if let Some(reason) = axis_unsupported(n, GUARANTEED_WORKGROUP_BYTES) {
            return Some(format!("axis {axis} of length {n}: {reason}"));
        }
    }
    None
}

/// Why a pass cannot hold lines of `n` in `workgroup_bytes` of workgroup memory.
pub(super) fn axis_unsupported(n: usize, workgroup_bytes: usize) -> Option<String> {
    let capacity = workgroup_bytes / COMPLEX_BYTES as usize;
    if n < 2 {
        Some("an axis pass needs at least 2 points".into())
    } else if radices(n).is_err() {
        Some("the pass FFT takes lengths whose prime factors are 2, 3, 5 and 7".into())
    } else if n > capacity {
        Some(format!(
            "a line of {n} complex values does not fit {workgroup_bytes} bytes of workgroup memory"
        ))
    } else {
        None
    }
}

/// Sizes and offsets of the run's buffers (in elements unless named bytes).
#[derive(Clone, Debug)]
pub(super) struct Sizes {
    pub dims: Dims,
    pub points: usize,
    pub half_len: usize,
    /// Complex values of u_i (or rho_i) of all axes, and where each axis starts.
    pub field_len: usize,
    pub field_start: [usize; 3],
    pub sensors: usize,
    /// Steps of samples held before a read-back.
    pub capacity: usize,
    /// Workgroups per sensor of the spectral sums; 0 when p is formed on the grid.
    pub chunks: usize,
    pub grid_pressure: bool,
    pub absorbing: bool,
    /// F{S} and p on the grid share one half-spectrum buffer.
    pub needs_work: bool,
    pub keep: bool,
    pub extremes: bool,
    pub tables: TableLayout,
    /// Words of `indices`: sensor points, source points, then index pairs.
    pub index_len: usize,
    pub spectrum_pairs: usize,
    pub domain_pairs: usize,
}

impl Sizes {
    pub fn new(setup: &AcousticSetup) -> Self {
        let dims = Dims::new(setup.shape, setup.ndim);
        let half_len = dims.half_len();
        let x_len = dims.x_domain_len();
        let field_start = [0, x_len, x_len + half_len];
        let field_len = x_len + (setup.ndim - 1) * half_len;
        let sensors = setup.sensor_points.len();
        let grid_pressure = forms_grid_pressure(setup);
        let chunks = if grid_pressure || sensors == 0 {
            0
        } else {
            half_len.div_ceil(REDUCTION).min(MAX_SENSOR_CHUNKS)
        };
        let capacity = (MAX_SAMPLE_BYTES / (4 * sensors.max(1))).clamp(1, MAX_CAPACITY);
        let (spectrum_pairs, domain_pairs) = pair_count(&dims, &field_start);
        let source_points = setup
            .pressure_source
            .as_ref()
            .map_or(0, |s| s.indices.len());
        Self {
            points: dims.points(),
            half_len,
            field_len,
            field_start,
            sensors,
            capacity,
            chunks,
            grid_pressure,
            absorbing: absorbing(setup),
            needs_work: grid_pressure || setup.pressure_source.is_some(),
            keep: setup.keep_pressure_field,
            extremes: setup.whole_grid_extremes.pressure,
            tables: TableLayout::new(setup, &dims, chunks > 0),
            index_len: sensors + source_points + 2 * (spectrum_pairs + domain_pairs),
            spectrum_pairs,
            domain_pairs,
            dims,
        }
    }

    /// Floats of `samples`: the sample block, the CW sums, the partial sensor sums.
    pub fn sample_floats(&self) -> usize {
        self.capacity * self.sensors + 2 * self.sensors + self.chunks * self.sensors
    }

    /// Float offset of the partial sums in `samples`.
    pub fn partials(&self) -> usize {
        self.capacity * self.sensors + 2 * self.sensors
    }

    /// Float offsets of the max and min records in `records`.
    pub fn record_extremes(&self) -> [usize; 2] {
        let kept = if self.keep { self.points } else { 0 };
        [kept, kept + self.points]
    }

    /// (name, bytes) of every buffer `MixedDomainWgpu::new` makes (the field read-back's
    /// staging buffer included: it is made at the first whole-field read-back), not counting
    /// the real FFT plan.
    pub fn buffers(&self) -> Vec<(&'static str, u64)> {
        let c = COMPLEX_BYTES;
        let at_least = |bytes: u64| bytes.max(16);
        let half = self.half_len as u64 * c;
        let records = (self.keep as u64 + 2 * self.extremes as u64) * self.points as u64 * 4;
        vec![
            ("spectra", 2 * half),
            ("velocity", self.field_len as u64 * c),
            ("density", self.field_len as u64 * c),
            ("work", at_least(if self.needs_work { half } else { 0 })),
            (
                "divergence",
                at_least(if self.absorbing { half } else { 0 }),
            ),
            ("tables", at_least(4 * self.tables.len as u64)),
            ("indices", at_least(4 * self.index_len as u64)),
            ("samples", at_least(4 * self.sample_floats() as u64)),
            ("records", at_least(records)),
            ("magnitude", 16),
            (
                "params",
                (PARAM_SLOTS as u64) * crate::wgpu::fft::PARAMS_STRIDE,
            ),
            ("step", 16),
            ("sample staging", at_least(4 * self.staged_floats() as u64)),
            ("magnitude staging", 16),
            ("field staging", 4 * self.points as u64),
        ]
    }

    /// Floats the sample staging buffer takes: a sample block or the CW sums.
    pub fn staged_floats(&self) -> usize {
        (self.capacity * self.sensors).max(2 * self.sensors)
    }
}

/// The shape of the 3D real transforms (F{p0}, F{S}, p on the grid): used axes, slowest first.
pub(super) fn real_fft_shape(setup: &AcousticSetup) -> Vec<usize> {
    let [nx, ny, nz] = setup.shape;
    [nz, ny, nx][3 - setup.ndim..].to_vec()
}

/// Every device byte `MixedDomainWgpu::new` allocates for `setup` (and the read-backs after).
pub fn estimate_mixed_domain_bytes(setup: &AcousticSetup) -> u64 {
    let sizes = Sizes::new(setup);
    let buffers: u64 = sizes.buffers().iter().map(|(_, bytes)| bytes).sum();
    buffers + GpuRealFft::estimate_bytes(&real_fft_shape(setup), Lengths::Smooth).unwrap_or(0)
}
