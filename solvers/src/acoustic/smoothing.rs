//! k-Wave's default initial-pressure smoothing: `smooth(p0, true)`.
//!
//! k-Wave (MATLAB `smooth.m` + `getWin.m`, and k-wave-python's `kwave.utils.filters.smooth` +
//! `kwave.utils.signals.get_win`) smooths a field by multiplying its spectrum with a Blackman
//! window:
//!
//! ```text
//! grid_size = size(mat) with singleton axes removed
//! win    = abs(getWin(grid_size, 'Blackman', 'Rotation', true, 'Symmetric', rem(grid_size, 2)))
//! mat_sm = real(ifftn(fftn(mat) .* ifftshift(win)))
//! if restore_max: mat_sm = (max(abs(mat(:))) / max(abs(mat_sm(:)))) * mat_sm
//! ```
//!
//! The window (`getWin`):
//! * Per axis, `symmetric = N odd`. A non-symmetric axis is built with `N + 1` points and trimmed
//!   to its first `N`, so after `ifftshift` the DC bin always sees the window's centre (value 1).
//! * 1D (one non-singleton axis): the Blackman cosine series
//!   `0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))`, `n = 0 .. M-1`, with `M` the
//!   (possibly enlarged) length; no rotation in 1D.
//! * 2D / 3D (rotation): a symmetric 1D Blackman window of length `L = max(M_i)` (the enlarged
//!   sizes) is sampled on `ll = linspace(-R, R, L)`, `R = (L - 1) / 2`. Each axis gets its own
//!   coordinates `linspace(-R, R, M_i)` (so every axis spans the full radius whatever its length),
//!   `r = |(x, y, z)|` is clipped to `R` (corners beyond the radius take the window's end value,
//!   which is zero up to rounding) and the window is the linear interpolation of the 1D window at
//!   `r`. Then each non-symmetric axis is trimmed to its first `N_i` points.
//!
//! Restoring the maximum uses `max(abs(.))` of both fields (MATLAB and Python agree on that).
//!
//! Everything is computed in `f64` with full complex FFTs (axis by axis); it runs once per
//! simulation.

use std::f64::consts::PI;

use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::FftPlanner;

/// The sizes of the axes that k-Wave keeps (singleton axes removed), with their axis numbers.
fn effective_axes(shape: [usize; 3], ndim: usize) -> Vec<(usize, usize)> {
    assert!(
        (1..=3).contains(&ndim),
        "ndim must be 1, 2 or 3 (got {ndim})"
    );
    debug_assert!(
        shape[ndim..].iter().all(|&n| n == 1),
        "axes beyond ndim must have one point: {shape:?}, ndim {ndim}"
    );
    (0..3)
        .filter(|&a| shape[a] > 1)
        .map(|a| (a, shape[a]))
        .collect()
}

/// getWin's Blackman cosine series (param 0.16) for sample `n` of an `m`-point symmetric window.
fn blackman_sample(n: usize, m: usize) -> f64 {
    let alpha = 0.16f64;
    let coeffs = [(1.0 - alpha) / 2.0, 0.5, alpha / 2.0];
    let denom = (m - 1) as f64;
    let mut s = coeffs[0];
    for (i, c) in coeffs.iter().enumerate().skip(1) {
        let sign = if i % 2 == 1 { -1.0 } else { 1.0 };
        s += sign * c * ((i as f64) * 2.0 * PI * (n as f64) / denom).cos();
    }
    s
}

/// `numpy.linspace(-radius, radius, m)`.
fn linspace(radius: f64, m: usize) -> Vec<f64> {
    if m == 1 {
        return vec![-radius];
    }
    let step = (2.0 * radius) / (m - 1) as f64;
    let mut v: Vec<f64> = (0..m).map(|i| i as f64 * step - radius).collect();
    v[m - 1] = radius;
    v
}

/// Linear interpolation of `y` sampled at `xs` (increasing), as `scipy.interpolate.interp1d`
/// computes it; `x` must lie within `[xs[0], xs[last]]`.
fn interp_linear(xs: &[f64], y: &[f64], x: f64) -> f64 {
    let n = xs.len();
    // searchsorted(side = 'left'): first index with xs[i] >= x, clipped to [1, n - 1].
    let hi = xs.partition_point(|&v| v < x).clamp(1, n - 1);
    let lo = hi - 1;
    let slope = (y[hi] - y[lo]) / (xs[hi] - xs[lo]);
    slope * (x - xs[lo]) + y[lo]
}

/// k-Wave's default smoothing window for a grid, i.e.
/// `abs(getWin(grid_size, 'Blackman', 'Rotation', true, 'Symmetric', rem(grid_size, 2)))`
/// with singleton axes removed, laid out flat over `shape` with x fastest.
///
/// The window is returned in getWin's **centred order, before `ifftshift`**: along an axis of `N`
/// points, index `i` is at `linspace(-R, R, M)[i]` (`M = N` for odd `N`, `N + 1` for even `N`), so
/// the centre (value 1) sits at index `N / 2` (integer division), which `ifftshift` moves to the
/// DC bin. Singleton axes carry no variation. A grid with a single point gives `[1.0]` (k-Wave
/// itself would divide by zero there).
pub fn blackman_window(shape: [usize; 3], ndim: usize) -> Vec<f64> {
    let window = Window::new(shape, ndim);
    let [nx, ny, _] = shape;
    let mut out = vec![0.0f64; shape.iter().product()];
    out.par_chunks_mut(nx * ny)
        .enumerate()
        .for_each(|(z, plane)| {
            for y in 0..ny {
                for x in 0..nx {
                    plane[x + nx * y] = window.value(x, y, z);
                }
            }
        });
    out
}

/// The window as a function of the grid point, so smoothing never stores it whole.
enum Window {
    /// No axis with more than one point.
    Unit,
    /// One axis: the plain 1D window along `axis`.
    Line { axis: usize, w: Vec<f64> },
    /// Rotation: the 1D symmetric window of length L interpolated at the radius.
    Rotated {
        coords: [Vec<f64>; 3],
        radius: f64,
        ll: Vec<f64>,
        win_lin: Vec<f64>,
    },
}

impl Window {
    fn new(shape: [usize; 3], ndim: usize) -> Self {
        let axes = effective_axes(shape, ndim);
        if axes.is_empty() {
            return Window::Unit;
        }
        // Enlarged sizes: symmetric (odd N) keeps N, non-symmetric (even N) builds N + 1.
        let enlarged: Vec<usize> = axes.iter().map(|&(_, n)| n + (n + 1) % 2).collect();
        if axes.len() == 1 {
            let (axis, n) = axes[0];
            let m = enlarged[0];
            return Window::Line {
                axis,
                w: (0..n).map(|i| blackman_sample(i, m).abs()).collect(),
            };
        }
        let l = *enlarged.iter().max().unwrap();
        let radius = (l - 1) as f64 / 2.0;
        // Coordinates along each real axis (zero for singleton axes), trimmed to N points.
        let mut coords: [Vec<f64>; 3] = [vec![0.0], vec![0.0], vec![0.0]];
        for (k, &(axis, n)) in axes.iter().enumerate() {
            let mut c = linspace(radius, enlarged[k]);
            c.truncate(n);
            coords[axis] = c;
        }
        Window::Rotated {
            coords,
            radius,
            ll: linspace(radius, l),
            win_lin: (0..l).map(|i| blackman_sample(i, l)).collect(),
        }
    }

    fn value(&self, x: usize, y: usize, z: usize) -> f64 {
        match self {
            Window::Unit => 1.0,
            Window::Line { axis, w } => w[[x, y, z][*axis]],
            Window::Rotated {
                coords,
                radius,
                ll,
                win_lin,
                ..
            } => {
                let pick = |c: &Vec<f64>, i: usize| c[if c.len() > 1 { i } else { 0 }];
                let (cx, cy, cz) = (
                    pick(&coords[0], x),
                    pick(&coords[1], y),
                    pick(&coords[2], z),
                );
                let r = (cx * cx + cy * cy + cz * cz).sqrt().min(*radius);
                interp_linear(ll, win_lin, r).abs()
            }
        }
    }
}

/// A raw pointer that may cross threads; used only to write disjoint lines of one array.
#[derive(Clone, Copy)]
struct LinePtr(*mut Complex64);
// SAFETY: `fft_axis` hands every line of the array to exactly one task, so no element is
// accessed by two threads, and the array outlives the parallel loop.
unsafe impl Send for LinePtr {}
unsafe impl Sync for LinePtr {}

impl LinePtr {
    /// A method (not the field) so closures capture the whole `Send + Sync` wrapper.
    fn get(self) -> *mut Complex64 {
        self.0
    }
}

/// In-place complex FFT of a flat x-fastest 3D array along `axis` (unnormalised both ways).
fn fft_axis(data: &mut [Complex64], shape: [usize; 3], axis: usize, inverse: bool) {
    let n = shape[axis];
    if n <= 1 {
        return;
    }
    let mut planner = FftPlanner::<f64>::new();
    let fft = if inverse {
        planner.plan_fft_inverse(n)
    } else {
        planner.plan_fft_forward(n)
    };
    let [nx, ny, nz] = shape;
    if axis == 0 {
        let lines = data.len() / n;
        let per_task = (lines / (4 * rayon::current_num_threads())).max(1);
        data.par_chunks_mut(n * per_task)
            .for_each(|c| fft.process(c));
        return;
    }
    // Strided axis: a task takes a run of up to BX consecutive x for one value of the other
    // axis, gathers those lines into a local buffer, transforms them and writes them back.
    const BX: usize = 16;
    let stride = if axis == 1 { nx } else { nx * ny };
    let outer = if axis == 1 { nz } else { ny };
    let outer_step = if axis == 1 { nx * ny } else { nx };
    let xblocks = nx.div_ceil(BX);
    let ptr = LinePtr(data.as_mut_ptr());
    let len = data.len();
    (0..outer * xblocks).into_par_iter().for_each_init(
        || vec![Complex64::new(0.0, 0.0); n * BX],
        |buf, task| {
            let (o, xb) = (task / xblocks, task % xblocks);
            let x0 = xb * BX;
            let bx = BX.min(nx - x0);
            let base = x0 + o * outer_step;
            let buf = &mut buf[..n * bx];
            for i in 0..n {
                let row = base + i * stride;
                debug_assert!(row + bx <= len);
                for j in 0..bx {
                    // SAFETY: in bounds (row + j < len); the lines (x0 + j, o) belong to this
                    // task only.
                    buf[j * n + i] = unsafe { *ptr.get().add(row + j) };
                }
            }
            fft.process(buf);
            for i in 0..n {
                let row = base + i * stride;
                for j in 0..bx {
                    // SAFETY: as above.
                    unsafe { *ptr.get().add(row + j) = buf[j * n + i] };
                }
            }
        },
    );
}

/// k-Wave's `smooth(data, restore_max)` with its default Blackman window (see the module docs):
/// `real(ifftn(fftn(data) .* ifftshift(win)))`, then, with `restore_max`, scaled by
/// `max|data| / max|smoothed|`.
///
/// `data` is flat with x fastest (`index = x + Nx (y + Ny z)`), unused axes of `shape` are 1 and
/// singleton axes are dropped as k-Wave does (a `[N, 1, 1]` or `[1, N, 1]` grid is smoothed as 1D
/// with no rotation). Computed in f64 (see [`smooth_like_kwave_f64`]) and rounded to f32.
pub fn smooth_like_kwave(
    data: &[f32],
    shape: [usize; 3],
    ndim: usize,
    restore_max: bool,
) -> Vec<f32> {
    let spectrum: Vec<Complex64> = data
        .iter()
        .map(|&v| Complex64::new(v as f64, 0.0))
        .collect();
    let max_in = data.iter().fold(0.0f64, |m, &v| m.max((v as f64).abs()));
    finish(filter(spectrum, shape, ndim), max_in, restore_max)
        .into_iter()
        .map(|v| v as f32)
        .collect()
}

/// [`smooth_like_kwave`] in f64 throughout. Where k-Wave would produce NaN (a field that is zero
/// everywhere with `restore_max`, or a single-point grid) this returns the unscaled result / the
/// input instead.
pub fn smooth_like_kwave_f64(
    data: &[f64],
    shape: [usize; 3],
    ndim: usize,
    restore_max: bool,
) -> Vec<f64> {
    let spectrum: Vec<Complex64> = data.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    let max_in = data.iter().fold(0.0f64, |m, &v| m.max(v.abs()));
    finish(filter(spectrum, shape, ndim), max_in, restore_max)
}

/// real(ifftn(fftn(data) .* ifftshift(win))) for `data` given as complex values (consumed).
fn filter(mut spec: Vec<Complex64>, shape: [usize; 3], ndim: usize) -> Vec<f64> {
    let total: usize = shape.iter().product();
    assert_eq!(
        spec.len(),
        total,
        "data has {} values but shape {shape:?} holds {total}",
        spec.len()
    );
    if effective_axes(shape, ndim).is_empty() {
        return spec.iter().map(|c| c.re).collect();
    }
    let window = Window::new(shape, ndim);
    for axis in 0..3 {
        fft_axis(&mut spec, shape, axis, false);
    }
    // Multiply by ifftshift(win): bin k along an N-point axis takes win[(k + N / 2) % N].
    let [nx, ny, nz] = shape;
    spec.par_chunks_mut(nx * ny)
        .enumerate()
        .for_each(|(kz, plane)| {
            let wz = (kz + nz / 2) % nz;
            for ky in 0..ny {
                let wy = (ky + ny / 2) % ny;
                for kx in 0..nx {
                    let wx = (kx + nx / 2) % nx;
                    plane[kx + nx * ky] *= window.value(wx, wy, wz);
                }
            }
        });
    for axis in 0..3 {
        fft_axis(&mut spec, shape, axis, true);
    }
    let norm = 1.0 / total as f64;
    spec.par_iter().map(|c| c.re * norm).collect()
}

/// Restores the maximum magnitude of the input, as k-Wave's `restore_max`.
fn finish(mut sm: Vec<f64>, max_in: f64, restore_max: bool) -> Vec<f64> {
    if restore_max {
        let max_sm = sm.iter().fold(0.0f64, |m, &v| m.max(v.abs()));
        if max_sm > 0.0 {
            let scale = max_in / max_sm;
            sm.par_iter_mut().for_each(|v| *v *= scale);
        }
    }
    sm
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // reference values are printed with 17 significant digits
mod tests {
    //! Reference values come from k-wave-python 0.6.2 (`kwave.utils.filters.smooth`,
    //! `kwave.utils.signals.get_win`, `make_disc`, `make_ball`), printed by
    //! `validation/scripts/kwave_smooth_reference.py`, and from the shared k-Wave reference inputs
    //! (`homogeneous_3d_input.h5`, `homogeneous_2d_input.h5`, dataset `p0_source_input`).
    use super::*;

    /// k-Wave's make_disc / make_ball: integer points with |p - (c - 1)| <= radius, centre 1-based.
    fn mask(shape: [usize; 3], centre_1based: [i64; 3], radius: i64) -> Vec<f64> {
        let mut v = vec![0.0; shape.iter().product()];
        for z in 0..shape[2] {
            for y in 0..shape[1] {
                for x in 0..shape[0] {
                    let d = [
                        x as i64 - (centre_1based[0] - 1),
                        y as i64 - (centre_1based[1] - 1),
                        z as i64 - (centre_1based[2] - 1),
                    ];
                    if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= radius * radius {
                        v[x + shape[0] * (y + shape[1] * z)] = 1.0;
                    }
                }
            }
        }
        v
    }

    fn at<T: Copy>(v: &[T], shape: [usize; 3], p: [usize; 3]) -> T {
        v[p[0] + shape[0] * (p[1] + shape[1] * p[2])]
    }

    fn check(v: &[f64], shape: [usize; 3], expected: &[([usize; 3], f64)], sum: f64, tol: f64) {
        for &(p, e) in expected {
            let got = at(v, shape, p);
            assert!(
                (got - e).abs() <= tol,
                "at {p:?}: got {got:e}, k-Wave {e:e}"
            );
        }
        let s: f64 = v.iter().sum();
        assert!(
            (s - sum).abs() <= tol * sum.abs().max(1.0),
            "sum {s} vs k-Wave {sum}"
        );
    }

    const TOL64: f64 = 1e-12;

    #[test]
    fn window_1d_matches_get_win() {
        // get_win(64, 'Blackman', symmetric=False): 65-point window trimmed to 64.
        let w = blackman_window([64, 1, 1], 1);
        for (i, e) in [
            (0, 1.3877787807814457e-17),
            (1, 0.000870459096159959),
            (17, 0.3905457477325219),
            (31, 0.9960551857683568),
            (32, 0.9999999999999999),
            (33, 0.9960551857683569),
            (63, 0.000870459096159959),
        ] {
            assert!(
                (w[i] - e).abs() < 1e-15,
                "64-point window at {i}: {} vs {e}",
                w[i]
            );
        }
        // get_win(33, 'Blackman', symmetric=True).
        let w = blackman_window([33, 1, 1], 1);
        for (i, e) in [
            (0, 1.3877787807814457e-17),
            (5, 0.11160020890099166),
            (16, 0.9999999999999999),
            (32, 1.3877787807814457e-17),
        ] {
            assert!(
                (w[i] - e).abs() < 1e-15,
                "33-point window at {i}: {} vs {e}",
                w[i]
            );
        }
        // A 1D grid along y or z gets the same window.
        assert_eq!(
            blackman_window([1, 64, 1], 2),
            blackman_window([64, 1, 1], 1)
        );
        assert_eq!(
            blackman_window([1, 1, 64], 3),
            blackman_window([64, 1, 1], 1)
        );
    }

    #[test]
    fn rotated_windows_match_get_win() {
        // abs(get_win((45, 64), 'Blackman', rotation=True, symmetric=[True, False])).
        let shape = [45, 64, 1];
        let w = blackman_window(shape, 2);
        for (p, e) in [
            ([22, 32, 0], 0.9999999999999999),
            ([0, 0, 0], 1.3877787807814457e-17),
            ([0, 32, 0], 1.3877787807814457e-17),
            ([22, 0, 0], 1.3877787807814457e-17),
            ([30, 40, 0], 0.43720666653908835),
            ([10, 50, 0], 0.04806213063479103),
            ([44, 63, 0], 1.3877787807814457e-17),
            ([5, 20, 0], 0.019187663673761974),
        ] {
            let got = at(&w, shape, p);
            assert!((got - e).abs() < 1e-14, "2D window at {p:?}: {got} vs {e}");
        }
        // abs(get_win((21, 32, 17), 'Blackman', rotation=True, symmetric=[True, False, True])).
        let shape = [21, 32, 17];
        let w = blackman_window(shape, 3);
        for (p, e) in [
            ([10, 16, 8], 0.9999999999999999),
            ([0, 0, 0], 1.3877787807814457e-17),
            ([3, 20, 12], 0.010926814279272471),
            ([15, 5, 9], 0.019737578302851538),
            ([10, 16, 0], 1.3877787807814457e-17),
            ([20, 31, 16], 1.3877787807814457e-17),
        ] {
            let got = at(&w, shape, p);
            assert!((got - e).abs() < 1e-14, "3D window at {p:?}: {got} vs {e}");
        }
        // The centre (index N / 2 on every axis) is what ifftshift puts on DC: 1.
        for shape in [[48, 48, 48], [45, 64, 1], [21, 32, 17], [128, 1, 1]] {
            let w = blackman_window(shape, 3);
            let c = at(&w, shape, [shape[0] / 2, shape[1] / 2, shape[2] / 2]);
            assert!((c - 1.0).abs() < 1e-15, "{shape:?}: centre {c}");
        }
    }

    #[test]
    fn smooth_1d_even_restores_max_abs() {
        // 64 points: 1 on 20..30 and -2 at 45; restore_max scales by max|a| / max|a_sm| (= 2 / ~1).
        let shape = [64, 1, 1];
        let mut a = vec![0.0; 64];
        a[20..30].iter_mut().for_each(|v| *v = 1.0);
        a[45] = -2.0;
        let sm = smooth_like_kwave_f64(&a, shape, 1, true);
        let expected = [
            ([24, 0, 0], 2.0),
            ([22, 0, 0], 1.9999999999999998),
            ([23, 0, 0], 1.9999999999999998),
            ([25, 0, 0], 2.0),
            ([27, 0, 0], 2.0),
            ([60, 0, 0], -4.4408920985006262e-16),
            ([40, 0, 0], -4.5986943405861863e-17),
            ([43, 0, 0], -0.16000000000000009),
        ];
        check(&sm, shape, &expected, 16.0, TOL64);
        let min = sm.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!((min - -1.6799999999999999).abs() < TOL64, "min {min}");
        // The f32 entry point agrees to f32 rounding.
        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let sm32 = smooth_like_kwave(&a32, shape, 1, true);
        for (p, e) in expected {
            assert!(
                (at(&sm32, shape, p) as f64 - e).abs() < 2e-6,
                "f32 at {p:?}"
            );
        }
    }

    #[test]
    fn smooth_1d_odd_without_restore() {
        let shape = [33, 1, 1];
        let mut a = vec![0.0; 33];
        a[10..17].iter_mut().for_each(|v| *v = 1.0);
        let sm = smooth_like_kwave_f64(&a, shape, 1, false);
        let expected = [
            ([12, 0, 0], 0.99985485029316812),
            ([10, 0, 0], 0.70369119010170333),
            ([11, 0, 0], 0.9538617483377726),
            ([13, 0, 0], 0.999800279577718),
            ([15, 0, 0], 0.9538617483377726),
            ([29, 0, 0], -3.1229151247774869e-06),
            ([19, 0, 0], 0.00021621142800969318),
            ([25, 0, 0], -3.4271258371524375e-05),
        ];
        check(&sm, shape, &expected, 6.9999999999999991, TOL64);
    }

    #[test]
    fn smooth_2d_odd_by_even_disc() {
        // make_disc((45, 64), centre (20, 33) 1-based, radius 7).
        let shape = [45, 64, 1];
        let disc = mask(shape, [20, 33, 1], 7);
        assert_eq!(disc.iter().sum::<f64>(), 149.0);
        let sm = smooth_like_kwave_f64(&disc, shape, 2, true);
        let expected = [
            ([17, 30, 0], 1.0),
            ([15, 30, 0], 0.99899798921586203),
            ([16, 30, 0], 0.99939195054437335),
            ([18, 30, 0], 0.99961177199252038),
            ([20, 30, 0], 0.99961177199252038),
            ([17, 28, 0], 0.99913702151607275),
            ([17, 29, 0], 0.99945551717237391),
            ([17, 31, 0], 0.9996943914293539),
            ([17, 33, 0], 0.9996943914293539),
            ([37, 14, 0], 1.0206493696495167e-05),
            ([2, 19, 0], -1.7975394239918289e-05),
            ([12, 55, 0], -3.5572904855538117e-05),
        ];
        check(&sm, shape, &expected, 149.02814157983426, TOL64);

        let sm = smooth_like_kwave_f64(&disc, shape, 2, false);
        let expected = [
            ([17, 30, 0], 0.99981116600169651),
            ([15, 30, 0], 0.99880934443126124),
            ([16, 30, 0], 0.9992032313664797),
            ([18, 30, 0], 0.99942301130486377),
            ([20, 30, 0], 0.99942301130486377),
            ([17, 28, 0], 0.99894835047744679),
            ([17, 29, 0], 0.99926678599093977),
            ([17, 31, 0], 0.99950561514033864),
            ([17, 33, 0], 0.99950561514033864),
            ([41, 0, 0], -2.7457476386417325e-05),
            ([22, 52, 0], 9.4284114009870755e-06),
            ([5, 51, 0], -1.7722751862998632e-05),
        ];
        check(&sm, shape, &expected, 148.99999999999997, TOL64);
    }

    #[test]
    fn smooth_3d_ball_48() {
        // make_ball((48, 48, 48), centre (22, 25, 24) 1-based, radius 4).
        let shape = [48, 48, 48];
        let ball = mask(shape, [22, 25, 24], 4);
        let sm = smooth_like_kwave_f64(&ball, shape, 3, true);
        let expected = [
            ([21, 24, 22], 1.0),
            ([19, 24, 22], 0.94989451231911826),
            ([20, 24, 22], 0.99930517151973763),
            ([22, 24, 22], 0.99930517151973774),
            ([24, 24, 22], 0.70768310368875043),
            ([21, 22, 22], 0.94989451231911837),
            ([21, 23, 22], 0.99930517151973763),
            ([21, 25, 22], 0.99930517151973763),
            ([21, 27, 22], 0.70768310368875009),
            ([21, 24, 20], 0.75161285508877995),
            ([21, 24, 21], 0.96892086156893353),
            ([21, 24, 23], 0.99969132832039342),
            ([21, 24, 25], 0.96892086156893353),
            ([34, 12, 47], -5.2120038392771e-05),
            ([21, 22, 24], 0.94989451231911837),
            ([27, 26, 24], 4.6074522212389772e-05),
        ];
        check(&sm, shape, &expected, 257.34431716070276, TOL64);
        let min = sm.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!((min - -0.00014666249028097688).abs() < TOL64, "min {min}");
    }

    #[test]
    fn smooth_3d_mixed_odd_even_ball() {
        // make_ball((21, 32, 17), centre (10, 17, 9) 1-based, radius 3): rotation with unequal
        // sizes and mixed symmetric / non-symmetric axes.
        let shape = [21, 32, 17];
        let ball = mask(shape, [10, 17, 9], 3);
        let sm = smooth_like_kwave_f64(&ball, shape, 3, true);
        let expected = [
            ([9, 16, 8], 1.0),
            ([7, 16, 8], 0.738465451366902),
            ([8, 16, 8], 0.95930413611015231),
            ([10, 16, 8], 0.95930413611015219),
            ([12, 16, 8], 0.35985327305154929),
            ([9, 14, 8], 0.74479434243329545),
            ([9, 15, 8], 0.96614937807905943),
            ([9, 17, 8], 0.96614937807905943),
            ([9, 19, 8], 0.3493574140451961),
            ([9, 16, 6], 0.7370022695546018),
            ([9, 16, 7], 0.95765487386962211),
            ([9, 16, 9], 0.95765487386962245),
            ([9, 16, 11], 0.36225007464882419),
            ([20, 25, 13], -2.3870193784982171e-05),
            ([14, 19, 5], 0.00021473035164438651),
            ([20, 14, 3], 4.6633429313866255e-05),
        ];
        check(&sm, shape, &expected, 123.42065115212922, TOL64);
    }

    #[test]
    fn matches_shared_kwave_reference_p0() {
        // homogeneous_3d_input.h5 p0_source_input (float32), (x, y, z).
        let shape = [48, 48, 48];
        let ball: Vec<f32> = mask(shape, [22, 25, 24], 4)
            .iter()
            .map(|&v| v as f32)
            .collect();
        let sm = smooth_like_kwave(&ball, shape, 3, true);
        for (p, e) in [
            ([20, 24, 23], 1.0f32),
            ([17, 24, 23], 0.35740754),
            ([19, 24, 23], 0.9689209),
            ([22, 24, 23], 1.0),
            ([20, 21, 23], 0.7076831),
            ([20, 23, 23], 0.9993052),
            ([20, 26, 23], 0.9498945),
            ([20, 24, 20], 0.7076831),
            ([20, 24, 22], 0.9993052),
            ([20, 24, 25], 0.9498945),
            ([40, 7, 41], -2.3860317e-05),
            ([29, 5, 2], 1.7524982e-05),
        ] {
            let got = at(&sm, shape, p);
            assert!(
                (got - e).abs() <= 1e-6,
                "3D p0 at {p:?}: {got:e} vs file {e:e}"
            );
        }
        // homogeneous_2d_input.h5 p0_source_input (float32), (x, y).
        let shape = [128, 128, 1];
        let disc: Vec<f32> = mask(shape, [60, 70, 1], 6)
            .iter()
            .map(|&v| v as f32)
            .collect();
        let sm = smooth_like_kwave(&disc, shape, 2, true);
        for (p, e) in [
            ([59, 69, 0], 1.0f32),
            ([56, 69, 0], 0.9996241),
            ([58, 69, 0], 0.99930155),
            ([61, 69, 0], 0.9995846),
            ([59, 66, 0], 0.9996241),
            ([59, 68, 0], 0.99930155),
            ([59, 71, 0], 0.9995846),
            ([56, 4, 0], 5.0022186e-06),
            ([18, 65, 0], 1.084942e-05),
        ] {
            let got = at(&sm, shape, p);
            assert!(
                (got - e).abs() <= 1e-6,
                "2D p0 at {p:?}: {got:e} vs file {e:e}"
            );
        }
    }

    #[test]
    fn singleton_axes_are_dropped() {
        let mut a = vec![0.0; 64];
        a[20..30].iter_mut().for_each(|v| *v = 1.0);
        a[45] = -2.0;
        let x = smooth_like_kwave_f64(&a, [64, 1, 1], 1, true);
        assert_eq!(smooth_like_kwave_f64(&a, [1, 64, 1], 2, true), x);
        assert_eq!(smooth_like_kwave_f64(&a, [1, 1, 64], 3, true), x);
        // A 45 x 1 x 64 grid is smoothed as the 45 x 64 2D grid (same flat layout).
        let disc = mask([45, 64, 1], [20, 33, 1], 7);
        let sm2 = smooth_like_kwave_f64(&disc, [45, 64, 1], 2, true);
        let sm3 = smooth_like_kwave_f64(&disc, [45, 1, 64], 3, true);
        for (u, v) in sm2.iter().zip(&sm3) {
            assert!((u - v).abs() < 1e-14);
        }
    }

    #[test]
    fn degenerate_inputs_stay_finite() {
        // A constant passes at the window's DC value (1 up to rounding).
        let sm = smooth_like_kwave_f64(&[3.0; 5 * 6 * 7], [5, 6, 7], 3, false);
        assert!(sm.iter().all(|v| (v - 3.0).abs() < 1e-12));
        // All zero with restore_max: zeros, not NaN.
        let sm = smooth_like_kwave(&[0.0; 16 * 16], [16, 16, 1], 2, true);
        assert!(sm.iter().all(|&v| v == 0.0));
        // A single point is returned as is.
        assert_eq!(smooth_like_kwave(&[2.5], [1, 1, 1], 1, true), vec![2.5]);
    }
}
