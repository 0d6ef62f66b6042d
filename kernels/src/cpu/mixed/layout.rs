//! Array layouts of the mixed-domain stepper and the blocks of lines its passes work on.
//!
//! - F{p}: `[kz][ky][kx < nxh]`, the half spectrum along x of a real field (the other half is
//!   the conjugate at (-kx, -ky, -kz));
//! - mixed domain y: `[kz][kx < nxh][y]`, and mixed domain z: `[ky][kx < nxh][z]`: the same
//!   half, with the lines of the pass that updates them contiguous;
//! - mixed domain x: `[kz < nzh][ky][x]`, full lines along x for half of the (ky, kz) plane;
//!   the line at (-ky, -kz) is the conjugate of the line at (ky, kz).

use crate::cpu::shared::{prefetch, SharedMut};
use num_complex::Complex32;

/// Grid sizes and the derived half lengths.
#[derive(Clone, Copy, Debug)]
pub struct Dims {
    pub nx: usize,
    pub ny: usize,
    pub nz: usize,
    pub ndim: usize,
    /// nx / 2 + 1: the half spectrum along x.
    pub nxh: usize,
    /// nz / 2 + 1: the (ky, kz) half plane of mixed domain x.
    pub nzh: usize,
}

/// Values of one field in a line block, at most: three such blocks (two complex, one real)
/// stay in a 512 KiB L2 cache, and whole rows of the half spectrum fit at 128 points per line.
const BLOCK_VALUES: usize = 12 * 1024;

/// Extra values between the lines of a block in scratch: lines `len` values apart, with
/// `len` a power of two, would all fall in the same few L1 sets.
const LINE_PAD: usize = 4;

/// Rows ahead of the one being read that a block visit prefetches.
const PREFETCH_ROWS: usize = 4;

impl Dims {
    pub fn new(shape: [usize; 3], ndim: usize) -> Self {
        let [nx, ny, nz] = shape;
        Self {
            nx,
            ny,
            nz,
            ndim,
            nxh: nx / 2 + 1,
            nzh: nz / 2 + 1,
        }
    }

    pub fn points(&self) -> usize {
        self.nx * self.ny * self.nz
    }

    /// Values of F{p} and of mixed domains y and z (and of a `[z][y][kx]` array).
    pub fn half_len(&self) -> usize {
        self.nz * self.ny * self.nxh
    }

    /// Values of mixed domain x.
    pub fn x_domain_len(&self) -> usize {
        self.nzh * self.ny * self.nx
    }

    /// Whether plane kz of mixed domain x is its own conjugate partner (kz = -kz).
    pub fn self_conjugate_kz(&self, kz: usize) -> bool {
        kz == 0 || 2 * kz == self.nz
    }

    /// Whether column kx of the half spectrum is its own conjugate partner (kx = -kx).
    pub fn self_conjugate_kx(&self, kx: usize) -> bool {
        kx == 0 || 2 * kx == self.nx
    }

    /// Start of row (a, b) of a `[a][b][kx]` array.
    pub fn half_row(&self, a: usize, b: usize) -> usize {
        (a * self.ny + b) * self.nxh
    }

    /// Column blocks per row, and their width: the half spectrum split into blocks of
    /// equal width whose lines along y and z fit `BLOCK_VALUES`.
    fn column_blocks(&self) -> (usize, usize) {
        let max_width = (BLOCK_VALUES / self.ny.max(self.nz)).max(1);
        let blocks = self.nxh.div_ceil(max_width);
        let width = self.nxh.div_ceil(blocks);
        // Blocks of whole cache lines (8 values), so that no two workers write one line.
        let aligned = width.next_multiple_of(8);
        if blocks > 1 && aligned <= max_width {
            (self.nxh.div_ceil(aligned), aligned)
        } else {
            (blocks, width)
        }
    }

    /// Scratch values a line block takes (with the padding between lines).
    pub fn max_block_len(&self) -> usize {
        self.column_blocks().1 * (self.ny.max(self.nz) + LINE_PAD)
    }

    /// Number of line blocks along `axis` (1 or 2).
    pub fn line_block_count(&self, axis: usize) -> usize {
        let outer = if axis == 1 { self.nz } else { self.ny };
        outer * self.column_blocks().0
    }

    /// Line block `index` along `axis` (1: y, 2: z) of a `[z][y][kx]` array. Its line t is
    /// line `(outer * nxh + kx0 + t)` of the mixed domain of `axis`.
    pub fn line_block(&self, axis: usize, index: usize) -> LineBlock {
        let (blocks, width) = self.column_blocks();
        let (outer, column_block) = (index / blocks, index % blocks);
        let kx0 = column_block * width;
        let width = width.min(self.nxh - kx0);
        let plane = self.ny * self.nxh;
        match axis {
            1 => LineBlock {
                base: outer * plane + kx0,
                stride: self.nxh,
                len: self.ny,
                width,
                outer,
                kx0,
            },
            2 => LineBlock {
                base: outer * self.nxh + kx0,
                stride: plane,
                len: self.nz,
                width,
                outer,
                kx0,
            },
            _ => unreachable!("line blocks run along y or z"),
        }
    }
}

/// `width` adjacent lines (kx0.. of the half spectrum) of `len` values, value e of line t at
/// `base + e * stride + t`. `outer` is the index of the third axis: kz (or z) for lines along
/// y, ky for lines along z. In scratch, line t starts at `t * pitch()`.
#[derive(Clone, Copy, Debug)]
pub struct LineBlock {
    pub base: usize,
    pub stride: usize,
    pub len: usize,
    pub width: usize,
    pub outer: usize,
    pub kx0: usize,
}

impl LineBlock {
    pub fn pitch(&self) -> usize {
        self.len + LINE_PAD
    }

    /// Scratch values the block takes.
    pub fn scratch_len(&self) -> usize {
        self.width * self.pitch()
    }

    /// Copies the block of `data` into scratch `out`, line by line.
    pub fn gather<T: Copy>(&self, data: &[T], out: &mut [T]) {
        let pitch = self.pitch();
        let out = &mut out[..self.scratch_len()];
        for e in 0..self.len {
            self.prefetch_ahead(data.as_ptr(), e);
            let row = &data[self.base + e * self.stride..][..self.width];
            for (t, &v) in row.iter().enumerate() {
                out[t * pitch + e] = v;
            }
        }
    }

    /// Copies the block of `a` into `out_a` and of `b` into `out_b` in one walk over the rows.
    pub fn gather_pair<A: Copy, B: Copy>(
        &self,
        a: &[A],
        out_a: &mut [A],
        b: &[B],
        out_b: &mut [B],
    ) {
        let pitch = self.pitch();
        let (out_a, out_b) = (
            &mut out_a[..self.scratch_len()],
            &mut out_b[..self.scratch_len()],
        );
        for e in 0..self.len {
            self.prefetch_ahead(a.as_ptr(), e);
            self.prefetch_ahead(b.as_ptr(), e);
            let start = self.base + e * self.stride;
            let (row_a, row_b) = (&a[start..][..self.width], &b[start..][..self.width]);
            for (t, (&va, &vb)) in row_a.iter().zip(row_b).enumerate() {
                out_a[t * pitch + e] = va;
                out_b[t * pitch + e] = vb;
            }
        }
    }

    /// Visits the block of a shared array value by value: `f(&mut value, scratch index, e)`.
    ///
    /// # Safety
    /// No other worker may touch this block of `data` during the call.
    pub unsafe fn for_each_mut(
        &self,
        data: SharedMut<Complex32>,
        mut f: impl FnMut(&mut Complex32, usize, usize),
    ) {
        let pitch = self.pitch();
        for e in 0..self.len {
            self.prefetch_ahead(data.as_ptr(), e);
            let row = data.slice(self.base + e * self.stride, self.width);
            for (t, v) in row.iter_mut().enumerate() {
                f(v, t * pitch + e, e);
            }
        }
    }

    /// The scratch lines of the block, for the 1D transforms.
    pub fn lines<'a, T>(&self, scratch: &'a mut [T]) -> impl Iterator<Item = &'a mut [T]> {
        let len = self.len;
        scratch[..self.scratch_len()]
            .chunks_exact_mut(self.pitch())
            .map(move |line| &mut line[..len])
    }

    /// Rows along z are a plane apart, too far for the hardware prefetcher.
    #[inline(always)]
    fn prefetch_ahead<T>(&self, data: *const T, e: usize) {
        if e + PREFETCH_ROWS < self.len {
            let start = self.base + (e + PREFETCH_ROWS) * self.stride;
            prefetch(data.wrapping_add(start), self.width);
        }
    }
}
