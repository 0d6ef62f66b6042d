//! Where everything lives on the device, computed from the setup alone (no device), so that
//! the memory estimate and the allocation agree: the `Grid` uniform of acoustic.wgsl, the
//! packed coefficient maps, the `tables` words (PML, wavenumbers, derivative factors, sensor
//! and source indices, source signals) and the sample block.

use crate::kspace;
use crate::setup::{AcousticSetup, Coef, PointSource, SourceInjection};

/// Coefficient slots of the `Grid` uniform, in acoustic.wgsl's order.
pub(super) const COEF_SLOTS: usize = 12;
const NO_MAP: u32 = u32::MAX;
/// Words of the `Grid` uniform.
pub(super) const GRID_WORDS: usize = 68;
/// Spectral buffers the shader binds (spec0..spec6): ndim or two, plus up to four corrected
/// sources, at most seven.
pub(super) const SPECTRAL_SLOTS: usize = 7;
/// Most sensor rows kept on the device, and the most bytes the sample block may take.
const MAX_CAPACITY: usize = 1024;
const MAX_BLOCK_BYTES: usize = 64_000_000;

/// A point source's place in `tables`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct SourceTable {
    pub indices: u32,
    pub signals: u32,
    pub points: u32,
    pub per_point: bool,
}

/// Sizes and offsets of everything the backend puts on the device.
pub(super) struct Layout {
    pub n: usize,
    pub ndim: usize,
    /// Complex elements of a half spectrum.
    pub spectral_len: usize,
    pub spectral_buffers: usize,
    pub sensors: usize,
    pub capacity: usize,
    /// Floats of the sample buffer and where its parts start.
    pub samples_len: usize,
    pub velocity_samples: usize,
    pub cw: [usize; 2],
    /// Floats of the kept p and p extremes, and where the extremes start.
    pub pressure_record_len: usize,
    pub pressure_extremes: usize,
    pub velocity_record_len: usize,
    /// Floats of the packed coefficient maps.
    pub coef_len: usize,
    pub tables_len: usize,
    /// Pressure source, then velocity sources per axis.
    pub sources: [Option<SourceTable>; 4],
    grid: [u32; GRID_WORDS],
}

/// The coefficients in slot order.
fn coefficients(setup: &AcousticSetup) -> [Option<&Coef>; COEF_SLOTS] {
    let absorption = setup.absorption.as_ref();
    [
        Some(&setup.dt_over_rho_staggered[0]),
        Some(&setup.dt_over_rho_staggered[1]),
        Some(&setup.dt_over_rho_staggered[2]),
        Some(&setup.dt_rho0),
        Some(&setup.c0_squared),
        setup.nonlinearity.as_ref(),
        absorption.map(|a| &a.tau),
        absorption.map(|a| &a.eta),
        absorption.map(|a| &a.rho0),
        setup.stokes.as_ref(),
        None,
        None,
    ]
}

/// Entries per axis of the spectral tables: nx/2 + 1 along x, the axis length otherwise.
fn spectral_counts(setup: &AcousticSetup) -> [usize; 3] {
    let [nx, ny, nz] = setup.shape;
    [nx / 2 + 1, ny, nz]
}

fn sources(setup: &AcousticSetup) -> [Option<&PointSource>; 4] {
    [
        setup.pressure_source.as_ref(),
        setup.velocity_sources[0].as_ref(),
        setup.velocity_sources[1].as_ref(),
        setup.velocity_sources[2].as_ref(),
    ]
}

/// PML profile of `axis`, at least one entry.
fn profile(values: &[f32]) -> &[f32] {
    if values.is_empty() {
        &[1.0]
    } else {
        values
    }
}

impl Layout {
    pub fn new(setup: &AcousticSetup) -> Self {
        let [nx, ny, nz] = setup.shape;
        let n = nx * ny * nz;
        let ndim = setup.ndim;
        let spectral_len = (nx / 2 + 1) * ny * nz;
        let sensors = setup.sensor_points.len();
        let sampled_axes = if setup.sample_velocity { ndim } else { 0 };
        let per_step = 4 * sensors * (1 + sampled_axes);
        let capacity = MAX_BLOCK_BYTES
            .checked_div(per_step)
            .map_or(MAX_CAPACITY, |rows| rows.clamp(1, MAX_CAPACITY));
        let velocity_samples = capacity * sensors;
        let cw_re = velocity_samples + sampled_axes * capacity * sensors;
        let cw = [cw_re, cw_re + sensors];
        let samples_len = cw_re + 2 * sensors;

        let keep = if setup.keep_pressure_field { n } else { 0 };
        let pressure_record_len = keep + 2 * n * setup.whole_grid_extremes.pressure as usize;
        let velocity_record_len = 2 * ndim * n * setup.whole_grid_extremes.velocity as usize;

        let mut grid = [0u32; GRID_WORDS];
        let mut coef_len = 0;
        for (slot, coef) in coefficients(setup).iter().enumerate() {
            let (offset, value) = match coef {
                Some(Coef::Map(m)) => {
                    coef_len += m.len();
                    ((coef_len - m.len()) as u32, 0.0)
                }
                Some(Coef::Uniform(v)) => (NO_MAP, *v),
                None => (NO_MAP, 0.0),
            };
            grid[36 + slot] = offset;
            grid[48 + slot] = value.to_bits();
        }

        // The tables' words, in the order `fill_tables` writes them.
        let mut words = 0usize;
        let mut take = |count: usize| {
            words += count;
            (words - count) as u32
        };
        for axis in 0..3 {
            grid[12 + axis] = take(profile(&setup.pml[axis]).len());
            grid[16 + axis] = take(profile(&setup.pml_staggered[axis]).len());
        }
        let counts = spectral_counts(setup);
        for axis in 0..3 {
            grid[20 + axis] = take(counts[axis]);
            grid[24 + axis] = take(2 * counts[axis]);
            grid[28 + axis] = take(2 * counts[axis]);
        }
        grid[32] = take(sensors);
        let mut tables = [None; 4];
        for (slot, source) in sources(setup).iter().enumerate() {
            if let Some(s) = source {
                tables[slot] = Some(SourceTable {
                    indices: take(s.indices.len()),
                    signals: take(s.signals.len()),
                    points: s.indices.len() as u32,
                    per_point: s.per_point,
                });
            }
        }
        let tables_len = words;

        grid[..4].copy_from_slice(&[nx as u32, ny as u32, nz as u32, n as u32]);
        grid[4..8].copy_from_slice(&[
            ndim as u32,
            (nx / 2 + 1) as u32,
            spectral_len as u32,
            sensors as u32,
        ]);
        grid[8..12].copy_from_slice(&[
            capacity as u32,
            setup.nonlinearity.is_some() as u32,
            setup.absorption.is_some() as u32,
            setup.stokes.is_some() as u32,
        ]);
        grid[33] = velocity_samples as u32;
        grid[34] = cw[0] as u32;
        grid[35] = cw[1] as u32;
        let power = setup.absorption.as_ref().map_or(0.0, |a| a.power);
        grid[60..64].copy_from_slice(&[
            (setup.dt as f32).to_bits(),
            ((0.5 * setup.c_ref * setup.dt) as f32).to_bits(),
            ((power - 2.0) as f32).to_bits(),
            ((power - 1.0) as f32).to_bits(),
        ]);
        grid[64] = keep as u32;

        Self {
            n,
            ndim,
            spectral_len,
            spectral_buffers: crate::cpu::spectral_buffers_needed(setup),
            sensors,
            capacity,
            samples_len,
            velocity_samples,
            cw,
            pressure_record_len,
            pressure_extremes: keep,
            velocity_record_len,
            coef_len,
            tables_len,
            sources: tables,
            grid,
        }
    }

    /// The `Grid` uniform's bytes.
    pub fn grid_bytes(&self) -> &[u8] {
        bytemuck::cast_slice(&self.grid)
    }

    /// The coefficient maps, packed in slot order.
    pub fn fill_coefficients(&self, setup: &AcousticSetup) -> Vec<f32> {
        let mut data = Vec::with_capacity(self.coef_len);
        for coef in coefficients(setup).into_iter().flatten() {
            if let Coef::Map(m) = coef {
                data.extend_from_slice(m);
            }
        }
        data
    }

    /// The `tables` words, in the order `new` laid them out.
    pub fn fill_tables(&self, setup: &AcousticSetup) -> Vec<u32> {
        let mut words: Vec<u32> = Vec::with_capacity(self.tables_len);
        let floats = |words: &mut Vec<u32>, values: &mut dyn Iterator<Item = f32>| {
            words.extend(values.map(f32::to_bits));
        };
        for axis in 0..3 {
            floats(&mut words, &mut profile(&setup.pml[axis]).iter().copied());
            floats(
                &mut words,
                &mut profile(&setup.pml_staggered[axis]).iter().copied(),
            );
        }
        let counts = spectral_counts(setup);
        for (axis, &count) in counts.iter().enumerate() {
            let k = kspace::wavenumbers(setup.shape[axis], setup.spacing[axis]);
            floats(&mut words, &mut k[..count].iter().map(|&v| v as f32));
            for sign in [1.0, -1.0] {
                let mut factors = k[..count].iter().flat_map(|&k| {
                    if axis >= setup.ndim {
                        return [0.0, 0.0];
                    }
                    let (re, im) = kspace::shifted_derivative(k, setup.spacing[axis], sign);
                    [re as f32, im as f32]
                });
                floats(&mut words, &mut factors);
            }
        }
        words.extend(setup.sensor_points.iter().map(|&i| i as u32));
        for source in sources(setup).into_iter().flatten() {
            words.extend(source.indices.iter().map(|&i| i as u32));
            floats(&mut words, &mut source.signals.iter().copied());
        }
        debug_assert_eq!(words.len(), self.tables_len);
        words
    }

    /// (name, bytes) of every device buffer the backend allocates, in allocation order;
    /// empty buffers take 16 bytes (a binding cannot be empty).
    pub fn buffers(&self) -> Vec<(&'static str, u64)> {
        let floats = |count: usize| (4 * count as u64).max(16);
        let mut list = vec![
            ("grid uniform", (4 * GRID_WORDS) as u64),
            ("job uniform", super::kernels::JOB_BUFFER_BYTES),
            ("velocity", floats(self.ndim * self.n)),
            ("density", floats(self.ndim * self.n)),
            ("coefficient maps", floats(self.coef_len)),
            ("tables", floats(self.tables_len)),
            ("pressure record", floats(self.pressure_record_len)),
            ("velocity record", floats(self.velocity_record_len)),
            ("samples", floats(self.samples_len)),
            ("reduction", 16),
            ("sample staging", floats(self.samples_len)),
            ("reduction staging", 16),
        ];
        for _ in 0..self.spectral_buffers {
            list.push(("spectral buffer", (8 * self.spectral_len as u64).max(16)));
        }
        list
    }
}

/// Whether `source` is applied point-wise (not through a corrected source grid).
pub(super) fn point_wise(source: &PointSource) -> bool {
    source.injection != SourceInjection::Additive
}

/// The setup with its coefficient maps dropped once they are on the device: the backend
/// keeps only what it needs on the host (shape, sources, sensors, flags).
pub(super) fn without_maps(mut setup: AcousticSetup) -> AcousticSetup {
    let release = |c: &mut Coef| {
        if matches!(c, Coef::Map(_)) {
            *c = Coef::Uniform(f32::NAN);
        }
    };
    setup.dt_over_rho_staggered.iter_mut().for_each(release);
    release(&mut setup.dt_rho0);
    release(&mut setup.c0_squared);
    if let Some(c) = setup.nonlinearity.as_mut() {
        release(c);
    }
    if let Some(a) = setup.absorption.as_mut() {
        release(&mut a.tau);
        release(&mut a.eta);
        release(&mut a.rho0);
    }
    if let Some(c) = setup.stokes.as_mut() {
        release(c);
    }
    setup
}
