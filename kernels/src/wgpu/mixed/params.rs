//! `Params` of mixed_common.wgsl (word for word) and the parameter sets of every dispatch,
//! written once at construction into one uniform buffer, `PARAMS_STRIDE` bytes apart.

use super::plan::{Sizes, PARAM_SLOTS};
use crate::cpu::mixed::tables::{Absorption, Tables};
use crate::setup::AcousticSetup;
use crate::wgpu::fft::PARAMS_STRIDE;

/// Words of `Params`.
pub(super) const PARAMS_WORDS: usize = 52;

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Params {
    pub nx: u32,
    pub ny: u32,
    pub nz: u32,
    pub nxh: u32,
    pub points: u32,
    pub half_len: u32,
    pub sensors: u32,
    pub current: u32,
    pub next: u32,
    pub field: u32,
    pub mode: u32,
    pub groups_per_row: u32,
    pub tiles_per_row: u32,
    pub count: u32,
    pub chunks: u32,
    pub gradient: u32,
    pub divergence: u32,
    pub twiddles: u32,
    pub wavenumbers: u32,
    pub pml: u32,
    pub pml_staggered: u32,
    pub source_kappa: u32,
    pub nabla1: u32,
    pub nabla2: u32,
    pub phases: u32,
    pub source_signal: u32,
    pub sensor_points: u32,
    pub source_points: u32,
    pub source_point_count: u32,
    pub source_per_point: u32,
    pub pairs: u32,
    pub spectrum_pair_count: u32,
    pub domain_pair_count: u32,
    pub cw: u32,
    pub partials: u32,
    pub record_max: u32,
    pub record_min: u32,
    pub dt_over_rho: f32,
    pub dt_rho0: f32,
    pub c0_squared: f32,
    pub inverse_scale: f32,
    pub half_c_ref_dt: f32,
    pub initial_density: f32,
    pub axis_points: f32,
    pub c0_squared_tau_rho0: f32,
    pub eta: f32,
    pub inverse_points: f32,
}

impl Params {
    /// The constants of a run; per-dispatch fields are set by `for_axis` and the slots.
    pub fn new(setup: &AcousticSetup, sizes: &Sizes, tables: &Tables) -> Self {
        let d = &sizes.dims;
        let t = &sizes.tables;
        let source = setup.pressure_source.as_ref();
        let sensors = sizes.sensors;
        let source_points = source.map_or(0, |s| s.indices.len());
        let (c0_squared_tau_rho0, eta) = match &tables.absorption {
            Some(Absorption::PowerLaw {
                c0_squared_tau_rho0,
                eta,
                ..
            }) => (*c0_squared_tau_rho0, *eta),
            Some(Absorption::Stokes {
                c0_squared_tau_rho0,
            }) => (*c0_squared_tau_rho0, 0.0),
            None => (0.0, 0.0),
        };
        let [record_max, record_min] = sizes.record_extremes();
        let word = |v: usize| v as u32;
        Self {
            nx: word(d.nx),
            ny: word(d.ny),
            nz: word(d.nz),
            nxh: word(d.nxh),
            points: word(sizes.points),
            half_len: word(sizes.half_len),
            sensors: word(sensors),
            chunks: word(sizes.chunks),
            wavenumbers: word(t.wavenumbers),
            source_kappa: word(t.source_kappa.unwrap_or(0)),
            nabla1: word(t.nabla.map_or(0, |n| n[0])),
            nabla2: word(t.nabla.map_or(0, |n| n[1])),
            phases: word(t.phases.unwrap_or(0)),
            source_signal: word(t.source_signal),
            sensor_points: 0,
            source_points: word(sensors),
            source_point_count: word(source_points),
            source_per_point: source.is_some_and(|s| s.per_point) as u32,
            pairs: word(sensors + source_points),
            spectrum_pair_count: word(sizes.spectrum_pairs),
            domain_pair_count: word(sizes.domain_pairs),
            cw: word(sizes.capacity * sensors),
            partials: word(sizes.partials()),
            record_max: word(record_max),
            record_min: word(record_min),
            dt_rho0: tables.dt_rho0,
            c0_squared: tables.c0_squared,
            half_c_ref_dt: (0.5 * setup.c_ref * setup.dt) as f32,
            c0_squared_tau_rho0,
            eta,
            inverse_points: (1.0 / sizes.points as f64) as f32,
            mode: match &tables.absorption {
                Some(Absorption::PowerLaw { .. }) => 1,
                Some(Absorption::Stokes { .. }) => 2,
                None => 0,
            },
            ..Self::default()
        }
    }

    /// The fields of the pass along `axis`.
    pub fn for_axis(mut self, axis: usize, sizes: &Sizes, tables: &Tables) -> Self {
        let t = &sizes.tables;
        let n = [sizes.dims.nx, sizes.dims.ny, sizes.dims.nz][axis];
        self.field = sizes.field_start[axis] as u32;
        self.gradient = t.gradient[axis] as u32;
        self.divergence = t.divergence[axis] as u32;
        self.twiddles = t.twiddles[axis] as u32;
        self.pml = t.pml[axis] as u32;
        self.pml_staggered = t.pml_staggered[axis] as u32;
        self.dt_over_rho = tables.dt_over_rho[axis];
        self.inverse_scale = tables.inverse_scale[axis];
        let initial_scale = 1.0 / (sizes.dims.ndim as f32 * tables.c0_squared);
        self.initial_density = initial_scale * tables.inverse_scale[axis];
        self.axis_points = n as f32;
        self
    }

    /// The spectra of parity `parity`: F{p} of the last step in half `parity` of `spectra`.
    pub fn with_parity(mut self, parity: usize, half_len: usize) -> Self {
        self.current = (parity * half_len) as u32;
        self.next = ((1 - parity) * half_len) as u32;
        self
    }

    pub fn words(&self) -> [u32; PARAMS_WORDS] {
        let f = f32::to_bits;
        let mut words = [0; PARAMS_WORDS];
        let values = [
            self.nx,
            self.ny,
            self.nz,
            self.nxh,
            self.points,
            self.half_len,
            self.sensors,
            self.current,
            self.next,
            self.field,
            self.mode,
            self.groups_per_row,
            self.tiles_per_row,
            self.count,
            self.chunks,
            self.gradient,
            self.divergence,
            self.twiddles,
            self.wavenumbers,
            self.pml,
            self.pml_staggered,
            self.source_kappa,
            self.nabla1,
            self.nabla2,
            self.phases,
            self.source_signal,
            self.sensor_points,
            self.source_points,
            self.source_point_count,
            self.source_per_point,
            self.pairs,
            self.spectrum_pair_count,
            self.domain_pair_count,
            self.cw,
            self.partials,
            self.record_max,
            self.record_min,
            f(self.dt_over_rho),
            f(self.dt_rho0),
            f(self.c0_squared),
            f(self.inverse_scale),
            f(self.half_c_ref_dt),
            f(self.initial_density),
            f(self.axis_points),
            f(self.c0_squared_tau_rho0),
            f(self.eta),
            f(self.inverse_points),
        ];
        words[..values.len()].copy_from_slice(&values);
        words
    }
}

/// Parameter sets, each at its own `PARAMS_STRIDE` slot.
#[derive(Default)]
pub(super) struct Slots {
    words: Vec<u32>,
}

impl Slots {
    /// Appends `params`; returns its byte offset.
    pub fn push(&mut self, params: &Params) -> u32 {
        let stride = PARAMS_STRIDE as usize / 4;
        let at = self.words.len();
        assert!(
            at / stride < PARAM_SLOTS,
            "more parameter sets than PARAM_SLOTS"
        );
        self.words.extend(params.words());
        self.words.resize(at + stride, 0);
        (at * 4) as u32
    }

    /// The uniform buffer's contents, `PARAM_SLOTS` slots.
    pub fn bytes(mut self) -> Vec<u8> {
        self.words
            .resize(PARAM_SLOTS * PARAMS_STRIDE as usize / 4, 0);
        bytemuck::cast_slice(&self.words).to_vec()
    }
}
