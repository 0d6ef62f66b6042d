//! Velocity at the sensor points moved from its staggered grid back to the regular grid, as
//! kspaceFirstOrder's u_non_staggered_raw: along each axis, F^-1{exp(-i k d / 2) F{u_i}} on
//! the grid lines through the sensors (k-Wave shifts the whole grid; only these lines matter).

use ferrowave_kernels::kspace;
use ferrowave_kernels::{AcousticState, DeviceError};
use num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// The sensors on one grid line along an axis: (sensor column, position on the line).
struct Line {
    start: usize,
    sensors: Vec<(usize, usize)>,
}

struct Axis {
    lines: Vec<Line>,
    stride: usize,
    r2c: Arc<dyn RealToComplex<f32>>,
    c2r: Arc<dyn ComplexToReal<f32>>,
    /// exp(-i k d / 2) / n (the inverse transform's normalisation folded in).
    shift: Vec<Complex32>,
}

pub struct NonStaggered {
    axes: Vec<Axis>,
    line: Vec<f32>,
    spectrum: Vec<Complex32>,
    scratch: Vec<Complex32>,
    samples: Vec<f32>,
}

impl NonStaggered {
    /// For sensors at `points` (linear indices) of a grid of `shape` and `spacing`.
    pub fn new(points: &[usize], shape: [usize; 3], spacing: [f64; 3], ndim: usize) -> Self {
        let strides = [1, shape[0], shape[0] * shape[1]];
        let mut planner = RealFftPlanner::<f32>::new();
        let longest = shape[..ndim].iter().copied().max().unwrap_or(1);
        let mut scratch_len = 0;
        let axes: Vec<Axis> = (0..ndim)
            .map(|a| {
                let (n, stride) = (shape[a], strides[a]);
                let mut lines: Vec<Line> = Vec::new();
                let mut by_start = std::collections::BTreeMap::<usize, usize>::new();
                for (j, &p) in points.iter().enumerate() {
                    let position = (p / stride) % n;
                    let start = p - position * stride;
                    let index = *by_start.entry(start).or_insert_with(|| {
                        lines.push(Line {
                            start,
                            sensors: Vec::new(),
                        });
                        lines.len() - 1
                    });
                    lines[index].sensors.push((j, position));
                }
                let r2c = planner.plan_fft_forward(n);
                let c2r = planner.plan_fft_inverse(n);
                scratch_len = scratch_len
                    .max(r2c.get_scratch_len())
                    .max(c2r.get_scratch_len());
                let k = kspace::wavenumbers(n, spacing[a]);
                let shift = (0..n / 2 + 1)
                    .map(|i| {
                        let phase = -0.5 * k[i] * spacing[a];
                        Complex32::new(
                            (phase.cos() / n as f64) as f32,
                            (phase.sin() / n as f64) as f32,
                        )
                    })
                    .collect();
                Axis {
                    lines,
                    stride,
                    r2c,
                    c2r,
                    shift,
                }
            })
            .collect();
        Self {
            axes,
            line: vec![0.0; longest],
            spectrum: vec![Complex32::default(); longest / 2 + 1],
            scratch: vec![Complex32::default(); scratch_len.max(1)],
            samples: vec![0.0; points.len()],
        }
    }

    /// Bytes this holds besides the plans.
    pub fn estimate_bytes(points: usize, shape: [usize; 3]) -> usize {
        let longest = shape.iter().copied().max().unwrap_or(1);
        points * 40 + longest * 16
    }

    /// Non-staggered velocity component `axis` at the sensors, from the backend's field.
    pub fn sample(
        &mut self,
        backend: &mut dyn AcousticState,
        axis: usize,
    ) -> Result<&[f32], DeviceError> {
        let a = &self.axes[axis];
        let n = a.r2c.len();
        let (line, spectrum) = (&mut self.line[..n], &mut self.spectrum[..n / 2 + 1]);
        for l in &a.lines {
            backend.velocity_line(axis, l.start, a.stride, line)?;
            a.r2c
                .process_with_scratch(line, spectrum, &mut self.scratch)
                .expect("line transform sizes are fixed at construction");
            for (s, f) in spectrum.iter_mut().zip(&a.shift) {
                *s *= f;
            }
            spectrum[0].im = 0.0;
            if n % 2 == 0 {
                spectrum[n / 2].im = 0.0;
            }
            a.c2r
                .process_with_scratch(spectrum, line, &mut self.scratch)
                .expect("line transform sizes are fixed at construction");
            for &(j, position) in &l.sensors {
                self.samples[j] = line[position];
            }
        }
        Ok(&self.samples)
    }
}
