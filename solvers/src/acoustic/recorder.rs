//! Accumulates what the sensor records, sample by sample, from the backend's gathers.

use super::input::{ContinuousWave, Record};
use super::output::SensorData;
use ndarray::{Array1, Array2};
use std::f64::consts::PI;

/// Running max, min and sum of squares over the recorded samples.
struct Statistics {
    max: Vec<f32>,
    min: Vec<f32>,
    sum_sq: Vec<f64>,
}

impl Statistics {
    fn new(n: usize) -> Self {
        Self {
            max: vec![f32::NEG_INFINITY; n],
            min: vec![f32::INFINITY; n],
            sum_sq: vec![0.0; n],
        }
    }

    fn add(&mut self, samples: &[f32]) {
        for (j, &v) in samples.iter().enumerate() {
            self.max[j] = self.max[j].max(v);
            self.min[j] = self.min[j].min(v);
            self.sum_sq[j] += (v as f64) * (v as f64);
        }
    }

    fn rms(&self, count: usize) -> Array1<f32> {
        self.sum_sq
            .iter()
            .map(|&s| (s / count.max(1) as f64).sqrt() as f32)
            .collect()
    }
}

/// Running DFT at one frequency over the last samples of the run.
/// The sums themselves are kept by the backend (on the device for a GPU), fed with the
/// weights this hands out.
struct ContinuousWaveSum {
    omega_dt: f64,
    first_step: usize,
    count: usize,
}

/// A quantity recorded per sensor: the stored series and/or its statistics.
struct Channel {
    series: Option<Array2<f32>>,
    stats: Option<Statistics>,
}

impl Channel {
    fn new(series: bool, stats: bool, sensors: usize, samples: usize) -> Self {
        Self {
            series: series.then(|| Array2::zeros((sensors, samples))),
            stats: stats.then(|| Statistics::new(sensors)),
        }
    }

    fn add(&mut self, column: usize, samples: &[f32]) {
        if let Some(s) = &mut self.series {
            s.column_mut(column)
                .assign(&ndarray::ArrayView1::from(samples));
        }
        if let Some(st) = &mut self.stats {
            st.add(samples);
        }
    }
}

pub struct Recorder {
    record: Record,
    start: usize,
    samples: usize,
    pressure: Channel,
    velocity: Vec<Channel>,
    non_staggered: Vec<Channel>,
    cw: Option<ContinuousWaveSum>,
}

/// Number of samples of the CW window: the last `periods` periods, at least one sample.
pub fn cw_window(cw: &ContinuousWave, dt: f64, recorded: usize) -> usize {
    let samples = (cw.periods / (cw.frequency_hz * dt)).round() as usize;
    samples.clamp(1, recorded.max(1))
}

impl Recorder {
    pub fn new(
        record: &Record,
        start: usize,
        steps: usize,
        sensors: usize,
        ndim: usize,
        dt: f64,
    ) -> Self {
        let samples = steps.saturating_sub(start);
        let p_stats = record.p_max || record.p_min || record.p_rms;
        let u_stats = record.u_max || record.u_min || record.u_rms;
        let cw = record.cw.as_ref().map(|cw| {
            let window = cw_window(cw, dt, samples);
            ContinuousWaveSum {
                omega_dt: 2.0 * PI * cw.frequency_hz * dt,
                first_step: steps - window,
                count: 0,
            }
        });
        Self {
            record: record.clone(),
            start,
            samples,
            pressure: Channel::new(record.p, p_stats, sensors, samples),
            velocity: (0..ndim)
                .map(|_| Channel::new(record.u, u_stats, sensors, samples))
                .filter(|_| record.any_velocity())
                .collect(),
            non_staggered: (0..ndim)
                .map(|_| Channel::new(true, false, sensors, samples))
                .filter(|_| record.u_non_staggered)
                .collect(),
            cw,
        }
    }

    /// Bytes the recorder will hold for these settings.
    pub fn estimate_bytes(
        record: &Record,
        start: usize,
        steps: usize,
        sensors: usize,
        ndim: usize,
    ) -> usize {
        let samples = steps.saturating_sub(start);
        let series = |on: bool| if on { sensors * samples * 4 } else { 0 };
        let stats = sensors * 16;
        let u = if record.any_velocity() {
            ndim * (series(record.u) + stats)
        } else {
            0
        };
        series(record.p) + stats + u + record.cw.as_ref().map_or(0, |_| sensors * 16)
    }

    pub fn wants_velocity(&self) -> bool {
        !self.velocity.is_empty()
    }

    pub fn pressure(&mut self, step: usize, samples: &[f32]) {
        if step >= self.start {
            self.pressure.add(step - self.start, samples);
        }
    }

    /// The weights (cos, -sin of the drive phase) with which the backend adds step `step`'s
    /// pressure to the CW sums, when the step lies in the CW window.
    pub fn cw_weights(&mut self, step: usize) -> Option<(f64, f64)> {
        let cw = self.cw.as_mut()?;
        if step < cw.first_step {
            return None;
        }
        cw.count += 1;
        let (s, c) = (cw.omega_dt * step as f64).sin_cos();
        Some((c, -s))
    }

    /// Whether the run records CW amplitude and phase.
    pub fn wants_cw(&self) -> bool {
        self.cw.is_some()
    }

    pub fn non_staggered(&mut self, step: usize, axis: usize, samples: &[f32]) {
        if step >= self.start {
            self.non_staggered[axis].add(step - self.start, samples);
        }
    }

    pub fn velocity(&mut self, step: usize, axis: usize, samples: &[f32]) {
        if step >= self.start {
            self.velocity[axis].add(step - self.start, samples);
        }
    }

    /// Fills `data`; `cw_sums` are the backend's running CW sums (re, im) when CW is recorded.
    pub fn finish(self, data: &mut SensorData, cw_sums: Option<(Vec<f64>, Vec<f64>)>) {
        let r = &self.record;
        let n = self.samples;
        data.p = self.pressure.series;
        if let Some(st) = &self.pressure.stats {
            data.p_max = r.p_max.then(|| Array1::from(st.max.clone()));
            data.p_min = r.p_min.then(|| Array1::from(st.min.clone()));
            data.p_rms = r.p_rms.then(|| st.rms(n));
        }
        if !self.velocity.is_empty() {
            let stats = |f: &dyn Fn(&Statistics) -> Array1<f32>| -> Vec<Array1<f32>> {
                self.velocity
                    .iter()
                    .filter_map(|c| c.stats.as_ref().map(f))
                    .collect()
            };
            data.u_max = r.u_max.then(|| stats(&|s| Array1::from(s.max.clone())));
            data.u_min = r.u_min.then(|| stats(&|s| Array1::from(s.min.clone())));
            data.u_rms = r.u_rms.then(|| stats(&|s| s.rms(n)));
            data.u =
                r.u.then(|| self.velocity.into_iter().filter_map(|c| c.series).collect());
        }
        if !self.non_staggered.is_empty() {
            data.u_non_staggered = Some(
                self.non_staggered
                    .into_iter()
                    .filter_map(|c| c.series)
                    .collect(),
            );
        }
        if let (Some(cw), Some((re, im))) = (self.cw, cw_sums) {
            let k = cw.count.max(1) as f64;
            data.cw_amplitude = Some(
                re.iter()
                    .zip(&im)
                    .map(|(a, b)| (2.0 * a.hypot(*b) / k) as f32)
                    .collect(),
            );
            data.cw_phase = Some(
                re.iter()
                    .zip(&im)
                    .map(|(a, b)| b.atan2(*a) as f32)
                    .collect(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cw_recovers_amplitude_and_phase_of_a_sampled_cosine() {
        let (f, dt, steps) = (1e6, 2e-8, 1000);
        let record = Record {
            cw: Some(ContinuousWave {
                frequency_hz: f,
                periods: 4.0,
            }),
            ..Default::default()
        };
        let mut rec = Recorder::new(&record, 0, steps, 1, 1, dt);
        let (mut re, mut im) = (0.0, 0.0);
        for n in 0..steps {
            let t = n as f64 * dt;
            let p = (2.5 * (2.0 * PI * f * t + 0.7).cos()) as f32;
            rec.pressure(n, &[p]);
            if let Some((w_re, w_im)) = rec.cw_weights(n) {
                re += w_re * p as f64;
                im += w_im * p as f64;
            }
        }
        let mut data = SensorData::default();
        rec.finish(&mut data, Some((vec![re], vec![im])));
        assert!((data.cw_amplitude.unwrap()[0] - 2.5).abs() < 1e-4);
        assert!((data.cw_phase.unwrap()[0] - 0.7).abs() < 1e-4);
    }

    #[test]
    fn statistics_follow_the_start_step() {
        let record = Record {
            p: true,
            p_max: true,
            p_min: true,
            p_rms: true,
            ..Default::default()
        };
        let mut rec = Recorder::new(&record, 1, 3, 1, 1, 1.0);
        for (n, v) in [5.0f32, -1.0, 2.0].iter().enumerate() {
            rec.pressure(n, &[*v]);
        }
        let mut data = SensorData::default();
        rec.finish(&mut data, None);
        assert_eq!(data.p.unwrap().row(0).to_vec(), vec![-1.0, 2.0]);
        assert_eq!(data.p_max.unwrap()[0], 2.0);
        assert_eq!(data.p_min.unwrap()[0], -1.0);
        assert!((data.p_rms.unwrap()[0] - (2.5f32).sqrt()).abs() < 1e-6);
    }
}
