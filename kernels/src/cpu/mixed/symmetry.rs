//! The conjugate symmetry of the fields, restored once per step.
//!
//! Each field is the transform of a real field along one or two axes, so its value at
//! wavenumbers -k is the conjugate of its value at k. The layouts keep one of each such pair,
//! except where an axis' wavenumber is its own negative (kx = 0 and nx/2 of the half spectrum;
//! the kz = 0 and nz/2 planes of mixed domain x): there both values are held, and are updated
//! separately. Their difference (an imaginary part of the real field) is not damped by the
//! scheme and would grow with round-off step after step, and leak into the physical values.
//! Real transforms discard it at every step; here each such pair is replaced by its
//! conjugate-symmetric part, a pass over O(n^(2/3)) of the values.

use super::layout::Dims;
use num_complex::Complex32;

/// Pairs of lines (start of each, the same start for a line that is its own partner) of one
/// array, each `len` values long, that must be conjugates of each other value by value.
pub struct ConjugatePairs {
    pairs: Vec<(usize, usize)>,
    len: usize,
}

impl ConjugatePairs {
    /// The kx = 0 and nx/2 values of F{p} (`[kz][ky][kx]`), in pairs (ky, kz) ~ (-ky, -kz).
    pub fn spectrum(d: &Dims) -> Self {
        let mut pairs = Vec::new();
        for kx in self_conjugate(d.nx, d.nxh) {
            for kz in 0..d.nz {
                for ky in 0..d.ny {
                    let own = d.half_row(kz, ky) + kx;
                    let partner = d.half_row((d.nz - kz) % d.nz, (d.ny - ky) % d.ny) + kx;
                    if own <= partner {
                        pairs.push((own, partner));
                    }
                }
            }
        }
        Self { pairs, len: 1 }
    }

    /// The lines of mixed domain x (`[kz < nzh][ky][x]`) on the kz = 0 and nz/2 planes, in
    /// pairs ky ~ -ky.
    pub fn x_domain(d: &Dims) -> Self {
        let mut pairs = Vec::new();
        for kz in self_conjugate(d.nz, d.nzh) {
            for ky in 0..d.ny {
                let partner = (d.ny - ky) % d.ny;
                if ky <= partner {
                    pairs.push(((kz * d.ny + ky) * d.nx, (kz * d.ny + partner) * d.nx));
                }
            }
        }
        Self { pairs, len: d.nx }
    }

    /// The kx = 0 and nx/2 lines of mixed domain y (`[kz][kx][y]`, `axis` 1: pairs kz ~ -kz)
    /// or z (`[ky][kx][z]`, `axis` 2: pairs ky ~ -ky).
    pub fn line_domain(d: &Dims, axis: usize) -> Self {
        let (outer, len) = if axis == 1 {
            (d.nz, d.ny)
        } else {
            (d.ny, d.nz)
        };
        let mut pairs = Vec::new();
        for kx in self_conjugate(d.nx, d.nxh) {
            for o in 0..outer {
                let partner = (outer - o) % outer;
                if o <= partner {
                    pairs.push(((o * d.nxh + kx) * len, (partner * d.nxh + kx) * len));
                }
            }
        }
        Self { pairs, len }
    }

    pub fn bytes(&self) -> usize {
        self.pairs.len() * 16
    }

    #[cfg_attr(not(any(feature = "cuda", feature = "wgpu")), allow(dead_code))]
    /// The pairs of line starts (equal for a line that is its own partner).
    pub fn line_pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    #[cfg_attr(not(any(feature = "cuda", feature = "wgpu")), allow(dead_code))]
    /// Values per line.
    pub fn line_len(&self) -> usize {
        self.len
    }

    /// Replaces each pair (a, b) by (s, conj s) with s = (a + conj b) / 2 (a line that is its
    /// own partner keeps its real part).
    pub fn restore(&self, data: &mut [Complex32]) {
        let len = self.len;
        for &(a, b) in &self.pairs {
            if a == b {
                for v in &mut data[a..a + len] {
                    v.im = 0.0;
                }
                continue;
            }
            let (low, high) = data.split_at_mut(b);
            let (line_a, line_b) = (&mut low[a..a + len], &mut high[..len]);
            for (va, vb) in line_a.iter_mut().zip(line_b.iter_mut()) {
                let s = (*va + vb.conj()) * 0.5;
                *va = s;
                *vb = s.conj();
            }
        }
    }
}

/// The indices below `half` of an `n`-point axis whose wavenumber is its own negative: 0, and
/// n/2 when n is even.
fn self_conjugate(n: usize, half: usize) -> impl Iterator<Item = usize> {
    (0..half).filter(move |&k| k == 0 || 2 * k == n)
}
