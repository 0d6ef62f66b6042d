//! How each axis pass maps onto blocks: the line length and its radices, the tile of lines a
//! block holds in shared memory, the threads and blocks of the launch, and the twiddles.

use crate::cpu::mixed::layout::Dims;
use crate::PassTuning;
use std::f64::consts::PI;

/// Shared memory a block may take without opting in: a tile and its FFT scratch.
pub const SHARED_BYTES: usize = 48 * 1024;
/// Most lines a tile holds (adjacent kx columns on y and z: 32 x 8 B is a 256 B segment).
const MAX_TILE: usize = 32;
/// Tile values per thread, and most threads per block, unless tuned.
const VALUES_PER_THREAD: usize = 4;
const MAX_THREADS: usize = 256;
/// Most threads per block CUDA allows: the cap of a tuned thread count.
const MAX_TUNED_THREADS: usize = 1024;
/// Bytes per tile element: the line value and its ping-pong scratch, complex f32 each.
const BYTES_PER_ELEMENT: usize = 16;

/// The longest line a block can hold (a tile of one line).
pub const MAX_LINE: usize = SHARED_BYTES / BYTES_PER_ELEMENT;

/// The Stockham radices of an n-point transform (8s, then one 4 or 2, then 3s, 5s, 7s), or
/// None when n has a prime factor above 7.
pub fn radices(n: usize) -> Option<Vec<usize>> {
    let mut rest = n;
    let mut twos = 0;
    while rest.is_multiple_of(2) {
        rest /= 2;
        twos += 1;
    }
    let mut out = vec![8; twos / 3];
    match twos % 3 {
        1 => out.push(2),
        2 => out.push(4),
        _ => {}
    }
    for p in [3, 5, 7] {
        while rest.is_multiple_of(p) {
            rest /= p;
            out.push(p);
        }
    }
    (rest == 1).then_some(out)
}

/// One axis pass's launch.
#[derive(Clone, Debug)]
pub struct LinePlan {
    pub len: usize,
    /// Radices, 4 bits per stage, first stage lowest.
    pub radix_code: u64,
    pub tile: usize,
    pub threads: usize,
    pub blocks: usize,
    /// Lines of the pass: x lines of mixed domain x, or kx columns (nxh) for y and z.
    pub lines: usize,
    pub shared_bytes: usize,
    /// Forward twiddles (cos, -sin), stage after stage: entry k (R - 1) + r - 1 of a stage
    /// of radix R after radices with product ns is e^(-2 pi i r k / (ns R)).
    pub twiddles: Vec<[f32; 2]>,
}

impl LinePlan {
    /// The built-in plan of `axis`, or None when the axis cannot run (prime factor or length).
    pub fn new(dims: &Dims, axis: usize) -> Option<Self> {
        Self::tuned(dims, axis, &PassTuning::default(), SHARED_BYTES)
    }

    /// The plan of `axis` shaped by `tuning`, its tile within `shared_limit` bytes (more than
    /// `SHARED_BYTES` needs the kernel's opt-in); None when the axis cannot run. Which axes
    /// run does not depend on the tuning: a one-line tile must fit `SHARED_BYTES`.
    pub fn tuned(
        dims: &Dims,
        axis: usize,
        tuning: &PassTuning,
        shared_limit: usize,
    ) -> Option<Self> {
        let len = [dims.nx, dims.ny, dims.nz][axis];
        let stages = radices(len)?;
        if len > MAX_LINE || stages.len() > 16 {
            return None;
        }
        let lines = if axis == 0 {
            dims.nzh * dims.ny
        } else {
            dims.nxh
        };
        let cap = tuning.max_tile.unwrap_or(MAX_TILE);
        let fits = (shared_limit.max(SHARED_BYTES) / (BYTES_PER_ELEMENT * len)).clamp(1, cap);
        let tile = prev_power_of_two(fits).min(lines.next_power_of_two());
        let elements = tile * len;
        let (per_thread, max_threads) = match tuning.values_per_thread {
            Some(values) => (values, MAX_TUNED_THREADS),
            None => (VALUES_PER_THREAD, MAX_THREADS),
        };
        let threads = elements
            .div_ceil(per_thread)
            .next_power_of_two()
            .clamp(32, max_threads);
        let blocks = match axis {
            0 => lines.div_ceil(tile),
            1 => dims.nz * lines.div_ceil(tile),
            _ => dims.ny * lines.div_ceil(tile),
        };
        let radix_code = stages
            .iter()
            .enumerate()
            .map(|(s, &r)| (r as u64) << (4 * s))
            .sum();
        Some(Self {
            len,
            radix_code,
            tile,
            threads,
            blocks,
            lines,
            shared_bytes: elements * BYTES_PER_ELEMENT,
            twiddles: twiddles(&stages),
        })
    }

    /// The compile-time constants of this axis for mixed.cu.
    pub fn defines(&self, axis: usize) -> Vec<String> {
        vec![
            format!("-DLEN_{axis}={}u", self.len),
            format!("-DTILE_{axis}={}u", self.tile),
            format!("-DRADICES_{axis}={:#x}ull", self.radix_code),
        ]
    }
}

fn prev_power_of_two(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.leading_zeros())
}

fn twiddles(stages: &[usize]) -> Vec<[f32; 2]> {
    let mut out = Vec::new();
    let mut ns = 1;
    for &radix in stages {
        for k in 0..ns {
            for r in 1..radix {
                let angle = 2.0 * PI * (r * k) as f64 / (ns * radix) as f64;
                out.push([angle.cos() as f32, -angle.sin() as f32]);
            }
        }
        ns *= radix;
    }
    out.push([0.0, 0.0]); // never empty: a 1-point axis has no stage
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radices_take_eights_first_then_odd_primes() {
        assert_eq!(radices(128), Some(vec![8, 8, 2]));
        assert_eq!(radices(384), Some(vec![8, 8, 2, 3]));
        assert_eq!(radices(1), Some(vec![]));
        assert_eq!(radices(22), None);
    }

    #[test]
    fn tuning_sets_the_tile_and_threads_within_the_limits() {
        let dims = Dims::new([256, 256, 256], 3);
        let tuned = |text: &str, limit| {
            let plan = LinePlan::tuned(&dims, 1, &text.parse().unwrap(), limit).unwrap();
            (plan.tile, plan.threads, plan.shared_bytes)
        };
        assert_eq!(tuned("-x-", SHARED_BYTES), (8, 256, 32768));
        assert_eq!(tuned("4x8", SHARED_BYTES), (4, 128, 16384));
        // 16 lines of 256 take 64 KB: only with an opt-in limit above 48 KB.
        assert_eq!(tuned("16x4", SHARED_BYTES), (8, 512, 32768));
        assert_eq!(tuned("16x4", 227 * 1024), (16, 1024, 65536));
        assert_eq!(tuned("32x1", 227 * 1024), (32, 1024, 131072));
        // A 1D grid has one line: the tile stays 1.
        let line = LinePlan::tuned(
            &Dims::new([64, 1, 1], 1),
            0,
            &"32x2".parse().unwrap(),
            SHARED_BYTES,
        );
        assert_eq!(line.map(|p| (p.tile, p.threads)), Some((1, 32)));
    }

    #[test]
    fn tiles_fit_the_shared_memory() {
        for n in [128, 256, 384] {
            let dims = Dims::new([n, n, n], 3);
            for axis in 0..3 {
                let plan = LinePlan::new(&dims, axis).expect("supported");
                assert!(plan.shared_bytes <= SHARED_BYTES);
                eprintln!(
                    "{n}: axis {axis} tile {} shared {} B",
                    plan.tile, plan.shared_bytes
                );
            }
        }
    }
}
