//! Transform passes of the CPU backend.
//!
//! A 3D real transform is split in two passes over memory, each cache-resident per work item:
//! - the *plane pass* handles one z plane: x (real <-> complex, realfft) and y (complex,
//!   rustfft) transforms, fused with a point-wise update of that plane;
//! - the *line pass* handles a block of (kx, ky) lines: the z transform, a multiply by a
//!   k-space operator and the inverse z transform, without storing the full spectrum.
//!
//! Between passes a spectral buffer holds, per z plane, the x-y spectrum laid out [kx][ky].
//! One time step of the k-space scheme is then four passes instead of one per transform and
//! one per point-wise update.

use super::shared::{prefetch, SharedMut};
use num_complex::Complex32;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use std::sync::{Arc, Mutex};

/// Spectral lines per line-pass work item (cache-resident block of nz x LINES values).
const LINES: usize = 64;

/// Per-worker scratch, allocated once.
struct Scratch {
    rows: Vec<Complex32>,
    fft: Vec<Complex32>,
    planes: Vec<Vec<f32>>,
    blocks: Vec<Vec<Complex32>>,
}

pub struct Engine {
    pub nx: usize,
    pub ny: usize,
    pub nz: usize,
    /// nx / 2 + 1, the length of the half spectrum along x.
    pub nxh: usize,
    r2c: Arc<dyn RealToComplex<f32>>,
    c2r: Arc<dyn ComplexToReal<f32>>,
    fft_y: Arc<dyn Fft<f32>>,
    ifft_y: Arc<dyn Fft<f32>>,
    fft_z: Arc<dyn Fft<f32>>,
    ifft_z: Arc<dyn Fft<f32>>,
    scratch: Vec<Mutex<Scratch>>,
    buffers: Vec<Vec<Complex32>>,
    /// Views of `buffers` for workers writing disjoint parts; valid for the engine's
    /// life because the buffers are never resized.
    views: Vec<SharedMut<Complex32>>,
}

/// One z plane inside a plane pass: its scratch planes, and the x-y transforms between them
/// and plane z of the spectral buffers.
pub struct PlaneWork<'a> {
    engine: &'a Engine,
    pub z: usize,
    rows: &'a mut [Complex32],
    fft: &'a mut [Complex32],
    /// Scratch real planes, ny rows of nx values.
    pub planes: &'a mut [Vec<f32>],
}

/// Plane z of buffer `buffer`.
#[allow(clippy::mut_from_ref)] // the buffers are shared through SharedMut views
fn plane_spectrum(engine: &Engine, z: usize, buffer: usize) -> &mut [Complex32] {
    let len = engine.plane_spectrum_len();
    // SAFETY: plane z of every buffer is touched by the worker handling plane z only, and
    // each caller holds the slice for one transform step.
    unsafe { engine.views[buffer].slice(z * len, len) }
}

impl PlaneWork<'_> {
    /// Rows handled together by the row-block steps.
    pub const ROWS: usize = ROW_BLOCK;

    /// First step of an inverse x-y transform: the y transform of plane z of `buffer`, in place.
    pub fn columns_inverse(&mut self, buffer: usize) {
        let spectrum = plane_spectrum(self.engine, self.z, buffer);
        self.engine.columns_inverse(spectrum, self.fft);
    }

    /// Second step, for rows y0..y0+count: the x transform of plane z of `buffer` into the
    /// first count rows of `planes[slot]`.
    pub fn rows_inverse(&mut self, buffer: usize, y0: usize, count: usize, slot: usize) {
        let nx = self.engine.nx;
        let spectrum = plane_spectrum(self.engine, self.z, buffer);
        let out = &mut self.planes[slot][..count * nx];
        self.engine
            .rows_inverse(spectrum, y0, out, self.rows, self.fft);
    }

    /// First step of a forward x-y transform, for rows y0..y0+count: the x transform of the
    /// first count rows of `planes[slot]` (destroyed) into plane z of `buffer`. The rows of
    /// the buffer written here must already have been read by `rows_inverse` if it is also
    /// an input.
    pub fn rows_forward(&mut self, slot: usize, buffer: usize, y0: usize, count: usize) {
        let nx = self.engine.nx;
        let spectrum = plane_spectrum(self.engine, self.z, buffer);
        let input = &mut self.planes[slot][..count * nx];
        self.engine
            .rows_forward(input, spectrum, y0, self.rows, self.fft);
    }

    /// Last step of a forward x-y transform: the y transform of plane z of `buffer`.
    pub fn columns_forward(&mut self, buffer: usize) {
        let spectrum = plane_spectrum(self.engine, self.z, buffer);
        self.engine.columns_forward(spectrum, self.fft);
    }
}

/// The block of spectral lines a line-pass callback works on: lines first_line.. (line =
/// kx * ny + ky), each holding nz values.
pub struct LineBlock {
    pub first_line: usize,
    pub lines: usize,
    pub nz: usize,
}

impl Engine {
    /// `buffers` spectral buffers; scratch for `max_planes` real planes and `max_blocks`
    /// line blocks per worker, one worker per thread of the current rayon pool.
    pub fn new(shape: [usize; 3], buffers: usize, max_planes: usize, max_blocks: usize) -> Self {
        let [nx, ny, nz] = shape;
        let nxh = nx / 2 + 1;
        let mut real = RealFftPlanner::<f32>::new();
        let mut complex = FftPlanner::<f32>::new();
        let r2c = real.plan_fft_forward(nx);
        let c2r = real.plan_fft_inverse(nx);
        let fft_y = complex.plan_fft_forward(ny);
        let ifft_y = complex.plan_fft_inverse(ny);
        let fft_z = complex.plan_fft_forward(nz);
        let ifft_z = complex.plan_fft_inverse(nz);
        let fft_len = [
            r2c.get_scratch_len(),
            c2r.get_scratch_len(),
            fft_y.get_inplace_scratch_len(),
            ifft_y.get_inplace_scratch_len(),
            fft_z.get_inplace_scratch_len(),
            ifft_z.get_inplace_scratch_len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .max(1);
        let workers = rayon::current_num_threads().max(1);
        let scratch = (0..workers)
            .map(|_| {
                Mutex::new(Scratch {
                    rows: vec![Complex32::default(); ROW_BLOCK * nxh],
                    fft: vec![Complex32::default(); fft_len],
                    planes: (0..max_planes).map(|_| vec![0.0; nx * ny]).collect(),
                    blocks: (0..max_blocks)
                        .map(|_| vec![Complex32::default(); LINES * nz])
                        .collect(),
                })
            })
            .collect();
        let plane_len = nxh * ny;
        let mut buffers: Vec<Vec<Complex32>> = (0..buffers)
            .map(|_| super::huge_pages::zeroed::<Complex32>(plane_len * nz))
            .collect();
        let views = buffers.iter_mut().map(|b| SharedMut::new(b)).collect();
        Self {
            nx,
            ny,
            nz,
            nxh,
            r2c,
            c2r,
            fft_y,
            ifft_y,
            fft_z,
            ifft_z,
            scratch,
            buffers,
            views,
        }
    }

    pub fn buffer_count(&self) -> usize {
        self.buffers.len()
    }

    pub fn plane_spectrum_len(&self) -> usize {
        self.nxh * self.ny
    }

    pub fn bytes(&self) -> usize {
        let buffers: usize =
            self.buffers.iter().map(|b| b.len() * 8).sum::<usize>() + self.views.len() * 16;
        let per_worker = {
            let s = self.scratch[0].lock().unwrap();
            s.rows.len() * 8
                + s.fft.len() * 8
                + s.planes.iter().map(|p| p.len() * 4).sum::<usize>()
                + s.blocks.iter().map(|b| b.len() * 8).sum::<usize>()
        };
        buffers + per_worker * self.scratch.len()
    }

    fn worker_scratch(&self) -> std::sync::MutexGuard<'_, Scratch> {
        let worker = rayon::current_thread_index().unwrap_or(0) % self.scratch.len();
        self.scratch[worker]
            .lock()
            .expect("scratch mutex poisoned by a panicking worker")
    }

    /// Runs `update` on every z plane (in parallel). The update moves data between the
    /// spectral buffers and its scratch planes with `PlaneWork::inverse` / `forward`, one
    /// field at a time, so the working set stays a couple of planes.
    pub fn plane_pass<F>(&mut self, update: F)
    where
        F: Fn(&mut PlaneWork) + Sync,
    {
        let this = &*self;
        (0..this.nz).into_par_iter().for_each(|z| {
            let mut guard = this.worker_scratch();
            let scratch = &mut *guard;
            let mut work = PlaneWork {
                engine: this,
                z,
                rows: &mut scratch.rows,
                fft: &mut scratch.fft,
                planes: &mut scratch.planes,
            };
            update(&mut work);
        });
    }

    /// Inverse y transform of a plane spectrum ([kx][ky]) in place.
    fn columns_inverse(&self, spectrum: &mut [Complex32], fft: &mut [Complex32]) {
        if self.ny > 1 {
            self.ifft_y.process_with_scratch(spectrum, fft);
        }
    }

    /// Forward y transform of a plane spectrum ([kx][ky]) in place.
    fn columns_forward(&self, spectrum: &mut [Complex32], fft: &mut [Complex32]) {
        if self.ny > 1 {
            self.fft_y.process_with_scratch(spectrum, fft);
        }
    }

    /// Inverse x transform of rows y0..y0+count of a y-transformed plane spectrum into `out`
    /// (count rows of nx values).
    fn rows_inverse(
        &self,
        spectrum: &mut [Complex32],
        y0: usize,
        out: &mut [f32],
        rows: &mut [Complex32],
        fft: &mut [Complex32],
    ) {
        let (nx, ny, nxh) = (self.nx, self.ny, self.nxh);
        let count = out.len() / nx;
        let block = &mut rows[..count * nxh];
        move_rows(spectrum, block, ny, nxh, y0, count, Direction::Gather);
        for (row, out) in block.chunks_exact_mut(nxh).zip(out.chunks_exact_mut(nx)) {
            // The real transform ignores these, as FFTW's does; realfft insists on zeros.
            row[0].im = 0.0;
            if nx % 2 == 0 {
                row[nxh - 1].im = 0.0;
            }
            self.c2r
                .process_with_scratch(row, out, fft)
                .expect("c2r sizes are fixed at plan time");
        }
    }

    /// Forward x transform of `input` (count rows of nx values, destroyed) into rows
    /// y0..y0+count of a plane spectrum awaiting its y transform.
    fn rows_forward(
        &self,
        input: &mut [f32],
        spectrum: &mut [Complex32],
        y0: usize,
        rows: &mut [Complex32],
        fft: &mut [Complex32],
    ) {
        let (nx, ny, nxh) = (self.nx, self.ny, self.nxh);
        let count = input.len() / nx;
        let block = &mut rows[..count * nxh];
        for (input, row) in input.chunks_exact_mut(nx).zip(block.chunks_exact_mut(nxh)) {
            self.r2c
                .process_with_scratch(input, row, fft)
                .expect("r2c sizes are fixed at plan time");
        }
        move_rows(spectrum, block, ny, nxh, y0, count, Direction::Scatter);
    }

    /// For each block of spectral lines: z-transforms the `inputs` buffers into blocks
    /// [line][kz], lets `apply(block, blocks)` replace them in place by the output spectra
    /// (unnormalised), and inverse z-transforms the first `outputs.len()` blocks into the
    /// `outputs` buffers. Inputs and outputs may alias.
    pub fn line_pass<F>(&mut self, inputs: &[usize], outputs: &[usize], apply: F)
    where
        F: Fn(&LineBlock, &mut [Vec<Complex32>]) + Sync,
    {
        let plane_len = self.plane_spectrum_len();
        let nz = self.nz;
        let this = &*self;
        let views = &this.views;
        let blocks = plane_len.div_ceil(LINES);
        let used = inputs.len().max(outputs.len());
        (0..blocks).into_par_iter().for_each(|block| {
            let first = block * LINES;
            let lines = LINES.min(plane_len - first);
            let mut guard = this.worker_scratch();
            let scratch = &mut *guard;
            let work = &mut scratch.blocks[..used];
            for (data, &b) in work.iter_mut().zip(inputs) {
                let data = &mut data[..lines * nz];
                move_lines(
                    views[b],
                    data,
                    plane_len,
                    first,
                    lines,
                    nz,
                    Direction::Gather,
                );
                if nz > 1 {
                    this.fft_z.process_with_scratch(data, &mut scratch.fft);
                }
            }
            let view = LineBlock {
                first_line: first,
                lines,
                nz,
            };
            apply(&view, work);
            for (data, &b) in work.iter_mut().zip(outputs) {
                let data = &mut data[..lines * nz];
                if nz > 1 {
                    this.ifft_z.process_with_scratch(data, &mut scratch.fft);
                }
                move_lines(
                    views[b],
                    data,
                    plane_len,
                    first,
                    lines,
                    nz,
                    Direction::Scatter,
                );
            }
        });
    }
}

/// Planes moved together between a buffer and a line block: one cache line of the block
/// ([line][kz]) holds 8 consecutive kz, so a tile of 8 planes writes whole cache lines.
const Z_TILE: usize = 8;

/// Which way `move_lines` copies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// From the buffer into the line block.
    Gather,
    /// From the line block back into the buffer.
    Scatter,
}

/// Moves lines first..first+lines of every plane of `view` between the buffer and `block`
/// ([line][z]), a tile of Z_TILE planes at a time, prefetching the next tile.
fn move_lines(
    view: SharedMut<Complex32>,
    block: &mut [Complex32],
    plane_len: usize,
    first: usize,
    lines: usize,
    nz: usize,
    direction: Direction,
) {
    assert!(block.len() >= lines * nz);
    for z0 in (0..nz).step_by(Z_TILE) {
        let z1 = (z0 + Z_TILE).min(nz);
        for z in z1..(z1 + Z_TILE).min(nz) {
            // Each plane of a line block is a short run far from the previous one, which
            // the hardware prefetcher misses.
            prefetch(view.as_ptr().wrapping_add(z * plane_len + first), lines);
        }
        for z in z0..z1 {
            // SAFETY: lines first..first+lines of every plane belong to this block's worker.
            let plane = unsafe { view.slice(z * plane_len + first, lines) };
            for (t, v) in plane.iter_mut().enumerate() {
                // SAFETY: t < lines and z < nz (checked above).
                let b = unsafe { block.get_unchecked_mut(t * nz + z) };
                match direction {
                    Direction::Gather => *b = *v,
                    Direction::Scatter => *v = *b,
                }
            }
        }
    }
}

/// Rows of the x-y transforms handled together (a block of ROW_BLOCK x (nx/2+1) values).
const ROW_BLOCK: usize = 16;

/// Moves rows y0..y0+count of a [kx][y] plane (ny values per kx) between the plane and
/// `block` ([y][kx]).
fn move_rows(
    spectrum: &mut [Complex32],
    block: &mut [Complex32],
    ny: usize,
    nxh: usize,
    y0: usize,
    count: usize,
    direction: Direction,
) {
    assert!(spectrum.len() >= nxh * ny && block.len() >= count * nxh && y0 + count <= ny);
    for kx in 0..nxh {
        for r in 0..count {
            // SAFETY: kx < nxh, y0 + r < ny, r < count (checked above).
            let (s, b) = unsafe {
                (
                    spectrum.get_unchecked_mut(kx * ny + y0 + r),
                    block.get_unchecked_mut(r * nxh + kx),
                )
            };
            match direction {
                Direction::Gather => *b = *s,
                Direction::Scatter => *s = *b,
            }
        }
    }
}
