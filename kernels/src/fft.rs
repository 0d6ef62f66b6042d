//! The FFT layer for grid solvers other than the acoustic stepper: real-to-complex transforms
//! of 1D and 2D periodic grids, and the cosine transform of vertex-centred Neumann grids.
//!
//! Each plan owns its scratch, so one plan serves one thread; data generators run one plan
//! per sample and parallelise over samples. Conventions, the same for every plan:
//! - forward is unnormalised: `X_k = sum_n x_n exp(-2 pi i k n / N)`;
//! - inverse divides by the number of points, so `inverse(forward(x)) == x`;
//! - a 2D real array of shape (n0, n1) is row-major; its spectrum has shape (n0, n1/2 + 1),
//!   also row-major (the last axis is halved, as numpy's `rfft2`).

use std::sync::Arc;

use num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftNum, FftPlanner};

pub use rustfft::FftNum as Float;

/// The signed wavenumber index of FFT bin `k` of an `n`-point transform: 0, 1, .., then the
/// negative ones. The Nyquist bin of an even `n` counts as negative (-n/2), as numpy's `fftfreq`.
pub fn signed_index(k: usize, n: usize) -> i64 {
    if k < n.div_ceil(2) {
        k as i64
    } else {
        k as i64 - n as i64
    }
}

/// Real FFT of a periodic line of `n` points.
pub struct RealFft1d<T: FftNum> {
    n: usize,
    forward: Arc<dyn RealToComplex<T>>,
    inverse: Arc<dyn ComplexToReal<T>>,
    real: Vec<T>,
    spectrum: Vec<Complex<T>>,
    scratch: Vec<Complex<T>>,
}

impl<T: FftNum> RealFft1d<T> {
    pub fn new(n: usize) -> Self {
        assert!(n >= 2, "an FFT needs at least 2 points, got {n}");
        let mut planner = RealFftPlanner::<T>::new();
        let forward = planner.plan_fft_forward(n);
        let inverse = planner.plan_fft_inverse(n);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        Self {
            n,
            forward,
            inverse,
            real: vec![T::zero(); n],
            spectrum: vec![Complex::new(T::zero(), T::zero()); n / 2 + 1],
            scratch: vec![Complex::new(T::zero(), T::zero()); scratch_len],
        }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Number of complex bins of the spectrum: n/2 + 1.
    pub fn spectrum_len(&self) -> usize {
        self.n / 2 + 1
    }

    /// `spectrum` = FFT(`real`); `real` is left as it was.
    pub fn forward(&mut self, real: &[T], spectrum: &mut [Complex<T>]) {
        assert_eq!(real.len(), self.n);
        assert_eq!(spectrum.len(), self.spectrum_len());
        self.real.copy_from_slice(real);
        self.forward
            .process_with_scratch(&mut self.real, spectrum, &mut self.scratch)
            .expect("buffer lengths were checked above");
    }

    /// `real` = IFFT(`spectrum`) / n. Only the Hermitian part of the spectrum counts: the
    /// imaginary parts of the zero and Nyquist bins are ignored. `spectrum` is left as it was.
    pub fn inverse(&mut self, spectrum: &[Complex<T>], real: &mut [T]) {
        assert_eq!(real.len(), self.n);
        self.spectrum.copy_from_slice(spectrum);
        make_real_ends(&mut self.spectrum, self.n);
        self.inverse
            .process_with_scratch(&mut self.spectrum, real, &mut self.scratch)
            .expect("buffer lengths were checked above");
        let scale = T::one() / T::from_usize(self.n).expect("grid size fits the float type");
        real.iter_mut().for_each(|v| *v = *v * scale);
    }
}

/// The bins a real signal's spectrum must have real: zero, and Nyquist when n is even.
fn make_real_ends<T: FftNum>(spectrum: &mut [Complex<T>], n: usize) {
    spectrum[0].im = T::zero();
    if n.is_multiple_of(2) {
        spectrum[n / 2].im = T::zero();
    }
}

/// Real FFT of a periodic 2D grid of shape (n0, n1), row-major.
pub struct RealFft2d<T: FftNum> {
    n0: usize,
    n1: usize,
    rows: RealFft1d<T>,
    column_forward: Arc<dyn Fft<T>>,
    column_inverse: Arc<dyn Fft<T>>,
    column: Vec<Complex<T>>,
    column_scratch: Vec<Complex<T>>,
    work: Vec<Complex<T>>,
}

impl<T: FftNum> RealFft2d<T> {
    pub fn new(n0: usize, n1: usize) -> Self {
        assert!(n0 >= 2 && n1 >= 2, "a 2D FFT needs at least 2x2 points");
        let mut planner = FftPlanner::<T>::new();
        let column_forward = planner.plan_fft_forward(n0);
        let column_inverse = planner.plan_fft_inverse(n0);
        let scratch_len = column_forward
            .get_inplace_scratch_len()
            .max(column_inverse.get_inplace_scratch_len());
        let zero = Complex::new(T::zero(), T::zero());
        Self {
            n0,
            n1,
            rows: RealFft1d::new(n1),
            column_forward,
            column_inverse,
            column: vec![zero; n0],
            column_scratch: vec![zero; scratch_len],
            work: vec![zero; n0 * (n1 / 2 + 1)],
        }
    }

    /// (n0, n1): the real grid's shape.
    pub fn shape(&self) -> (usize, usize) {
        (self.n0, self.n1)
    }

    /// (n0, n1/2 + 1): the spectrum's shape.
    pub fn spectrum_shape(&self) -> (usize, usize) {
        (self.n0, self.n1 / 2 + 1)
    }

    pub fn spectrum_len(&self) -> usize {
        self.n0 * (self.n1 / 2 + 1)
    }

    /// `spectrum` = FFT2(`real`); `real` is left as it was.
    pub fn forward(&mut self, real: &[T], spectrum: &mut [Complex<T>]) {
        assert_eq!(real.len(), self.n0 * self.n1);
        assert_eq!(spectrum.len(), self.spectrum_len());
        let m1 = self.n1 / 2 + 1;
        for (row, out) in real
            .chunks_exact(self.n1)
            .zip(spectrum.chunks_exact_mut(m1))
        {
            self.rows.forward(row, out);
        }
        self.transform_columns(spectrum, Direction::Forward);
    }

    /// `real` = IFFT2(`spectrum`) / (n0 n1); `spectrum` is left as it was.
    pub fn inverse(&mut self, spectrum: &[Complex<T>], real: &mut [T]) {
        assert_eq!(real.len(), self.n0 * self.n1);
        assert_eq!(spectrum.len(), self.spectrum_len());
        let mut work = std::mem::take(&mut self.work);
        work.copy_from_slice(spectrum);
        self.transform_columns(&mut work, Direction::Inverse);
        let m1 = self.n1 / 2 + 1;
        for (row, out) in work.chunks_exact(m1).zip(real.chunks_exact_mut(self.n1)) {
            self.rows.inverse(row, out);
        }
        let scale = T::one() / T::from_usize(self.n0).expect("grid size fits the float type");
        real.iter_mut().for_each(|v| *v = *v * scale);
        self.work = work;
    }

    fn transform_columns(&mut self, spectrum: &mut [Complex<T>], direction: Direction) {
        let m1 = self.n1 / 2 + 1;
        let fft = match direction {
            Direction::Forward => &self.column_forward,
            Direction::Inverse => &self.column_inverse,
        };
        for c in 0..m1 {
            for (r, v) in self.column.iter_mut().enumerate() {
                *v = spectrum[r * m1 + c];
            }
            fft.process_with_scratch(&mut self.column, &mut self.column_scratch);
            for (r, v) in self.column.iter().enumerate() {
                spectrum[r * m1 + c] = *v;
            }
        }
    }
}

enum Direction {
    Forward,
    Inverse,
}

/// Cosine series on a vertex-centred grid of `n` nodes x_i = i/(n-1) of [0, 1], the
/// eigenfunctions of the Laplacian with Neumann boundaries: `synthesize` evaluates
/// `u_i = sum_k c_k cos(pi k x_i)` for k = 0..n-1 (a DCT-I with full end weights).
pub struct CosineSeries1d<T: rustdct::DctNum> {
    n: usize,
    dct: Arc<dyn rustdct::Dct1<T>>,
    scratch: Vec<T>,
}

impl<T: rustdct::DctNum> CosineSeries1d<T> {
    pub fn new(n: usize) -> Self {
        assert!(n >= 2, "a cosine series needs at least 2 nodes, got {n}");
        let dct = rustdct::DctPlanner::new().plan_dct1(n);
        let scratch = vec![T::zero(); dct.get_scratch_len()];
        Self { n, dct, scratch }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// In place: coefficients c_k in, nodal values u_i out.
    pub fn synthesize(&mut self, values: &mut [T]) {
        assert_eq!(values.len(), self.n);
        // rustdct's DCT-I halves the end terms; the series wants them whole.
        let two = T::two();
        values[0] = values[0] * two;
        values[self.n - 1] = values[self.n - 1] * two;
        self.dct
            .process_dct1_with_scratch(values, &mut self.scratch);
    }
}

/// The 2D cosine series on an (n0, n1) vertex-centred grid, row-major:
/// `u_ij = sum_kl c_kl cos(pi k x_i) cos(pi l y_j)`.
pub struct CosineSeries2d<T: rustdct::DctNum> {
    n0: usize,
    n1: usize,
    rows: CosineSeries1d<T>,
    columns: CosineSeries1d<T>,
    column: Vec<T>,
}

impl<T: rustdct::DctNum> CosineSeries2d<T> {
    pub fn new(n0: usize, n1: usize) -> Self {
        Self {
            n0,
            n1,
            rows: CosineSeries1d::new(n1),
            columns: CosineSeries1d::new(n0),
            column: vec![T::zero(); n0],
        }
    }

    /// In place: coefficients c_kl (row-major, k along axis 0) in, nodal values out.
    pub fn synthesize(&mut self, values: &mut [T]) {
        assert_eq!(values.len(), self.n0 * self.n1);
        for row in values.chunks_exact_mut(self.n1) {
            self.rows.synthesize(row);
        }
        for c in 0..self.n1 {
            for (r, v) in self.column.iter_mut().enumerate() {
                *v = values[r * self.n1 + c];
            }
            self.columns.synthesize(&mut self.column);
            for (r, v) in self.column.iter().enumerate() {
                values[r * self.n1 + c] = *v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dft2(real: &[f64], n0: usize, n1: usize, k0: usize, k1: usize) -> Complex<f64> {
        let mut sum = Complex::new(0.0, 0.0);
        for i in 0..n0 {
            for j in 0..n1 {
                let phase = -2.0
                    * std::f64::consts::PI
                    * ((k0 * i) as f64 / n0 as f64 + (k1 * j) as f64 / n1 as f64);
                sum += real[i * n1 + j] * Complex::from_polar(1.0, phase);
            }
        }
        sum
    }

    fn test_signal(len: usize) -> Vec<f64> {
        (0..len)
            .map(|i| ((i * 7919) % 113) as f64 / 113.0 - 0.4)
            .collect()
    }

    #[test]
    fn forward_2d_matches_the_direct_dft_and_inverse_undoes_it() {
        for (n0, n1) in [(6, 10), (7, 9), (8, 8), (5, 12)] {
            let real = test_signal(n0 * n1);
            let mut plan = RealFft2d::<f64>::new(n0, n1);
            let mut spectrum = vec![Complex::new(0.0, 0.0); plan.spectrum_len()];
            plan.forward(&real, &mut spectrum);
            let m1 = n1 / 2 + 1;
            for k0 in 0..n0 {
                for k1 in 0..m1 {
                    let expected = dft2(&real, n0, n1, k0, k1);
                    assert!((spectrum[k0 * m1 + k1] - expected).norm() < 1e-10);
                }
            }
            let mut back = vec![0.0; n0 * n1];
            plan.inverse(&spectrum, &mut back);
            for (a, b) in back.iter().zip(&real) {
                assert!((a - b).abs() < 1e-12, "{n0}x{n1}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn inverse_1d_divides_by_n() {
        let real = test_signal(15);
        let mut plan = RealFft1d::<f64>::new(15);
        let mut spectrum = vec![Complex::new(0.0, 0.0); plan.spectrum_len()];
        plan.forward(&real, &mut spectrum);
        assert!((spectrum[0].re - real.iter().sum::<f64>()).abs() < 1e-12);
        let mut back = vec![0.0; 15];
        plan.inverse(&spectrum, &mut back);
        for (a, b) in back.iter().zip(&real) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn signed_index_follows_numpy_fftfreq() {
        let even: Vec<i64> = (0..6).map(|k| signed_index(k, 6)).collect();
        assert_eq!(even, [0, 1, 2, -3, -2, -1]);
        let odd: Vec<i64> = (0..5).map(|k| signed_index(k, 5)).collect();
        assert_eq!(odd, [0, 1, 2, -2, -1]);
    }

    #[test]
    fn cosine_series_2d_matches_the_direct_sum() {
        let (n0, n1) = (5, 7);
        let coefficients = test_signal(n0 * n1);
        let mut values = coefficients.clone();
        CosineSeries2d::<f64>::new(n0, n1).synthesize(&mut values);
        let pi = std::f64::consts::PI;
        for i in 0..n0 {
            for j in 0..n1 {
                let mut sum = 0.0;
                for k in 0..n0 {
                    for l in 0..n1 {
                        sum += coefficients[k * n1 + l]
                            * (pi * (k * i) as f64 / (n0 - 1) as f64).cos()
                            * (pi * (l * j) as f64 / (n1 - 1) as f64).cos();
                    }
                }
                assert!((values[i * n1 + j] - sum).abs() < 1e-12);
            }
        }
    }
}
