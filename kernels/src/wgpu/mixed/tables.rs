//! The host-built contents of `tables` (floats) and `indices` (words): twiddles, derivative
//! factors, squared wavenumbers and PML profiles per axis; the source correction, absorption
//! and sensor phase tables when the run needs them; the source signal; sensor and source
//! points and the conjugate pairs of the GPU layouts.

use crate::cpu::mixed::layout::Dims;
use crate::cpu::mixed::symmetry::ConjugatePairs;
use crate::cpu::mixed::tables::{Absorption, Tables};
use crate::kspace;
use crate::setup::{AcousticSetup, SourceInjection};
use crate::wgpu::fft::{push_twiddles, radices};
use num_complex::Complex64;
use std::f64::consts::PI;

/// Float offsets in `tables` (complex tables start at even offsets).
#[derive(Clone, Debug, Default)]
pub(in crate::wgpu) struct TableLayout {
    pub twiddles: [usize; 3],
    pub gradient: [usize; 3],
    pub divergence: [usize; 3],
    pub pml: [usize; 3],
    pub pml_staggered: [usize; 3],
    /// k^2 along x (nx), then y (ny), then z (nz).
    pub wavenumbers: usize,
    pub source_kappa: Option<usize>,
    pub nabla: Option<[usize; 2]>,
    /// exp(+2 pi i k m_s / n): [kx < nxh][sensor], then [ky][sensor], then [kz][sensor].
    pub phases: Option<usize>,
    pub source_signal: usize,
    pub len: usize,
}

impl TableLayout {
    pub fn new(setup: &AcousticSetup, dims: &Dims, spectral_sensors: bool) -> Self {
        let mut t = Self::default();
        let mut at = 0usize;
        let mut take = |floats: usize| {
            let start = at.next_multiple_of(2);
            at = start + floats;
            start
        };
        for (axis, &n) in setup.shape.iter().enumerate().take(setup.ndim) {
            // The Stockham stages of a length-n transform hold n - 1 twiddles in all.
            t.twiddles[axis] = take(2 * (n - 1).max(1));
            t.gradient[axis] = take(2 * n);
            t.divergence[axis] = take(2 * n);
            t.pml[axis] = take(n);
            t.pml_staggered[axis] = take(n);
        }
        t.wavenumbers = take(setup.shape.iter().sum());
        let source = setup.pressure_source.as_ref();
        if source.is_some_and(|s| s.injection == SourceInjection::Additive) {
            t.source_kappa = Some(take(dims.half_len()));
        }
        if setup.absorption.is_some() {
            t.nabla = Some([take(dims.half_len()), take(dims.half_len())]);
        }
        if spectral_sensors {
            let sensors = setup.sensor_points.len();
            t.phases = Some(take(2 * sensors * (dims.nxh + dims.ny + dims.nz)));
        }
        t.source_signal = take(source.map_or(0, |s| s.signals.len()));
        t.len = at;
        t
    }

    /// The table contents.
    pub fn fill(&self, setup: &AcousticSetup, dims: &Dims, tables: &Tables) -> Vec<f32> {
        let mut out = vec![0.0f32; self.len];
        let complex = |out: &mut [f32], at: usize, values: &[num_complex::Complex32]| {
            for (k, v) in values.iter().enumerate() {
                out[at + 2 * k] = v.re;
                out[at + 2 * k + 1] = v.im;
            }
        };
        let n = setup.shape;
        for axis in 0..setup.ndim {
            let mut twiddles = Vec::new();
            let mut ns = 1;
            for radix in radices(n[axis]).expect("checked by mixed_domain_unsupported") {
                push_twiddles(&mut twiddles, ns, radix);
                ns *= radix;
            }
            let at = self.twiddles[axis];
            out[at..at + twiddles.len()].copy_from_slice(&twiddles);
            complex(&mut out, self.gradient[axis], &tables.gradient[axis]);
            complex(&mut out, self.divergence[axis], &tables.divergence[axis]);
            let pml = self.pml[axis];
            out[pml..pml + n[axis]].copy_from_slice(&setup.pml[axis]);
            let pml = self.pml_staggered[axis];
            out[pml..pml + n[axis]].copy_from_slice(&setup.pml_staggered[axis]);
        }
        let mut at = self.wavenumbers;
        for (&len, &spacing) in n.iter().zip(&setup.spacing) {
            for k in kspace::wavenumbers(len, spacing) {
                out[at] = (k * k) as f32;
                at += 1;
            }
        }
        if let Some(at) = self.source_kappa {
            let kappa = Tables::source_kappa(setup, dims);
            out[at..at + kappa.len()].copy_from_slice(&kappa);
        }
        if let (Some([n1, n2]), Some(Absorption::PowerLaw { nabla1, nabla2, .. })) =
            (self.nabla, &tables.absorption)
        {
            out[n1..n1 + nabla1.len()].copy_from_slice(nabla1);
            out[n2..n2 + nabla2.len()].copy_from_slice(nabla2);
        }
        if let Some(at) = self.phases {
            let phases = sensor_phases(&setup.sensor_points, dims);
            out[at..at + phases.len()].copy_from_slice(&phases);
        }
        if let Some(source) = &setup.pressure_source {
            let at = self.source_signal;
            out[at..at + source.signals.len()].copy_from_slice(&source.signals);
        }
        out
    }
}

/// exp(+2 pi i k m_s / n) per axis and sensor, in f64 rounded to f32, as `TableLayout::phases`
/// lays them out.
fn sensor_phases(points: &[usize], d: &Dims) -> Vec<f32> {
    let coords: Vec<[usize; 3]> = points
        .iter()
        .map(|&p| [p % d.nx, (p / d.nx) % d.ny, p / (d.nx * d.ny)])
        .collect();
    let mut out = Vec::new();
    for (axis, (len, n)) in [(d.nxh, d.nx), (d.ny, d.ny), (d.nz, d.nz)]
        .into_iter()
        .enumerate()
    {
        for k in 0..len {
            for c in &coords {
                let angle = 2.0 * PI * ((k * c[axis]) % n) as f64 / n as f64;
                let z = Complex64::from_polar(1.0, angle);
                out.extend([z.re as f32, z.im as f32]);
            }
        }
    }
    out
}

/// The index pairs (a, b) that must stay conjugates (a == b: a value that must stay real):
/// those of F{p}, and those of the mixed domains at offsets `field_start` of `velocity` and
/// `density` (GPU layouts: y `[kz][y][kx]`, z `[z][ky][kx]`).
pub(super) fn conjugate_pairs(d: &Dims, field_start: &[usize; 3]) -> [Vec<(usize, usize)>; 2] {
    let spectrum = ConjugatePairs::spectrum(d).line_pairs().to_vec();
    let mut domain = Vec::new();
    let x = ConjugatePairs::x_domain(d);
    for &(a, b) in x.line_pairs() {
        domain.extend((0..x.line_len()).map(|i| (a + i, b + i)));
    }
    let columns = (0..d.nxh).filter(|&kx| d.self_conjugate_kx(kx));
    for kx in columns {
        let row = |a: usize, b: usize| (a * d.ny + b) * d.nxh + kx;
        if d.ndim > 1 {
            for kz in 0..d.nz {
                let partner = (d.nz - kz) % d.nz;
                if kz <= partner {
                    let base = field_start[1];
                    domain.extend((0..d.ny).map(|y| (base + row(kz, y), base + row(partner, y))));
                }
            }
        }
        if d.ndim > 2 {
            for ky in 0..d.ny {
                let partner = (d.ny - ky) % d.ny;
                if ky <= partner {
                    let base = field_start[2];
                    domain.extend((0..d.nz).map(|z| (base + row(z, ky), base + row(z, partner))));
                }
            }
        }
    }
    [spectrum, domain]
}

/// (spectrum pairs, domain pairs) that `conjugate_pairs` returns.
pub(super) fn pair_count(d: &Dims, field_start: &[usize; 3]) -> (usize, usize) {
    let [spectrum, domain] = conjugate_pairs(d, field_start);
    (spectrum.len(), domain.len())
}

/// `indices`: sensor points, source points, then the conjugate pairs (F{p}'s first).
pub(super) fn fill_indices(setup: &AcousticSetup, d: &Dims, field_start: &[usize; 3]) -> Vec<u32> {
    let mut out: Vec<u32> = setup.sensor_points.iter().map(|&i| i as u32).collect();
    if let Some(source) = &setup.pressure_source {
        out.extend(source.indices.iter().map(|&i| i as u32));
    }
    for pairs in conjugate_pairs(d, field_start) {
        out.extend(pairs.into_iter().flat_map(|(a, b)| [a as u32, b as u32]));
    }
    out
}
