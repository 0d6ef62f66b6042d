//! The conjugate pairs of the GPU layouts, as lists of element index pairs (a, b) for the
//! restore kernel (a == b: a value that is its own partner). F{p} and mixed domain x share
//! the CPU's layouts (`ConjugatePairs`); mixed domains y (`[kz][y][kx]`) and z (`[z][ky][kx]`)
//! hold F{p}'s layout, where the kx = 0 and nx/2 columns pair kz ~ -kz (y) or ky ~ -ky (z)
//! element by element along the line.

use crate::cpu::mixed::layout::Dims;
use crate::cpu::mixed::symmetry::ConjugatePairs;

/// Element pairs of F{p}.
pub fn spectrum(d: &Dims) -> Vec<u32> {
    expand(&ConjugatePairs::spectrum(d))
}

/// Element pairs of mixed domain `axis`.
pub fn domain(d: &Dims, axis: usize) -> Vec<u32> {
    if axis == 0 {
        return expand(&ConjugatePairs::x_domain(d));
    }
    let (outer, len) = if axis == 1 {
        (d.nz, d.ny)
    } else {
        (d.ny, d.nz)
    };
    let index = |o: usize, e: usize, kx: usize| -> u32 {
        let (z, y) = if axis == 1 { (o, e) } else { (e, o) };
        (d.half_row(z, y) + kx) as u32
    };
    let mut out = Vec::new();
    for kx in (0..d.nxh).filter(|&kx| d.self_conjugate_kx(kx)) {
        for o in 0..outer {
            let partner = (outer - o) % outer;
            if o <= partner {
                for e in 0..len {
                    out.extend([index(o, e, kx), index(partner, e, kx)]);
                }
            }
        }
    }
    out
}

fn expand(pairs: &ConjugatePairs) -> Vec<u32> {
    let len = pairs.line_len();
    pairs
        .line_pairs()
        .iter()
        .flat_map(|&(a, b)| (0..len).flat_map(move |e| [(a + e) as u32, (b + e) as u32]))
        .collect()
}
