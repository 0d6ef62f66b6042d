//! What `check` and `run` print about a scene and a plan.

use ferrowave_kernels::DeviceKind;
use ferrowave_scenes::shapes::coordinate;
use ferrowave_scenes::Scene;
use ferrowave_solvers::acoustic::memory;
use ferrowave_solvers::acoustic::{
    Grid, Plan, PlanSummary, Property, Record, SensorData, SignalUnits, SourceMode,
    TimeVaryingSource,
};

use crate::format::{bytes, num, per_axis, shape, si};

/// One "label  text" line, labels aligned.
pub fn line(label: &str, text: impl AsRef<str>) -> String {
    format!("{label:<10} {}", text.as_ref())
}

/// Points, spacing and physical size of the grid.
pub fn grid(summary: &PlanSummary) -> String {
    let size: Vec<f64> = summary
        .shape
        .iter()
        .zip(&summary.spacing_m)
        .map(|(&n, &d)| n as f64 * d)
        .collect();
    let mut text = format!(
        "{} points ({}D), spacing {}, size {}",
        shape(&summary.shape),
        summary.ndim,
        per_axis(&summary.spacing_m, "m"),
        size.iter()
            .map(|&s| si(s, "m"))
            .collect::<Vec<_>>()
            .join(" x ")
    );
    if summary.simulation_shape != summary.shape {
        text.push_str(&format!(
            "; simulated on {} with the PML outside",
            shape(&summary.simulation_shape)
        ));
    }
    text
}

/// dt, Nt and the end time.
pub fn time(summary: &PlanSummary) -> String {
    format!(
        "dt = {}, Nt = {} steps, end time {} (t = 0 .. (Nt - 1) dt)",
        si(summary.dt_s, "s"),
        summary.steps,
        si(summary.steps.saturating_sub(1) as f64 * summary.dt_s, "s")
    )
}

/// Estimated memory and whether it fits here.
pub fn memory_fit(summary: &PlanSummary) -> (String, bool) {
    host_memory_fit(
        summary.memory_bytes,
        &format!("on {} threads", summary.threads),
    )
}

/// `needed` bytes of host memory against what is available here; `context` says for what.
pub fn host_memory_fit(needed: u64, context: &str) -> (String, bool) {
    match memory::available_bytes() {
        Some(available) => {
            let fits = needed <= available;
            (
                format!(
                    "about {} {context}; {} available here: {}",
                    bytes(needed),
                    bytes(available),
                    if fits { "fits" } else { "does NOT fit" }
                ),
                fits,
            )
        }
        None => (
            format!(
                "about {} {context} (available memory unknown)",
                bytes(needed)
            ),
            true,
        ),
    }
}

/// The form of the step and the host and device memory of a run on `device`: the lines `run`
/// and `check` print.
pub fn device_memory(plan: &Plan, device: DeviceKind) -> Vec<(&'static str, String)> {
    if device == DeviceKind::Cpu {
        return vec![
            ("step", plan.summary().cpu_step.clone()),
            ("memory", memory_fit(plan.summary()).0),
        ];
    }
    let host = host_memory_fit(plan.host_bytes(device), "on the host").0;
    let gpu = match plan.device_bytes(device) {
        Ok(b) => format!(
            "about {} on the {device} device (checked against its {} before allocating)",
            bytes(b),
            match device {
                DeviceKind::Wgpu => "adapter's buffer limits",
                _ => "free memory",
            }
        ),
        Err(e) => format!("unknown: {e}"),
    };
    vec![
        ("step", plan.step_description(device)),
        ("memory", host),
        ("device", gpu),
    ]
}

fn range(p: &Property, unit: &str) -> String {
    let (lo, hi) = (p.min(), p.max());
    if lo == hi {
        format!("{} {unit}", num(lo))
    } else {
        format!("{} .. {} {unit}", num(lo), num(hi))
    }
}

/// Sound speed, density, absorption, nonlinearity.
pub fn medium(scene: &Scene, summary: &PlanSummary) -> Vec<String> {
    let m = &scene.simulation.medium;
    let c = if summary.c_min_m_s == summary.c_max_m_s {
        format!("{} m/s", num(summary.c_min_m_s))
    } else {
        format!(
            "{} .. {} m/s",
            num(summary.c_min_m_s),
            num(summary.c_max_m_s)
        )
    };
    let mut out = vec![
        format!(
            "sound speed {c}, reference c_ref = {} m/s",
            num(summary.c_ref_m_s)
        ),
        format!("density {}", range(&m.density, "kg/m^3")),
    ];
    match &m.absorption {
        Some(a) => out.push(format!(
            "absorbing: alpha_coeff {}, y = {}",
            range(&a.alpha_coeff_db, "dB/(MHz^y cm)"),
            num(a.alpha_power)
        )),
        None => out.push("lossless (no absorption)".into()),
    }
    if let Some(b) = &m.nonlinearity {
        out.push(format!("nonlinear: B/A {}", range(b, "")));
    }
    out
}

fn mode(s: &TimeVaryingSource) -> String {
    let mode = match s.mode {
        SourceMode::Dirichlet => "dirichlet (replaces the field)",
        SourceMode::Additive => "additive",
        SourceMode::AdditiveNoCorrection => "additive, no k-space correction",
    };
    let signals = if s.per_point {
        "one signal per point"
    } else {
        "one signal for all points"
    };
    let scaled = match s.units {
        SignalUnits::Physical => "",
        SignalUnits::KWaveScaled => ", k-Wave scaled values",
    };
    format!(
        "{} points, {} samples, {signals}, {mode}{scaled}",
        s.points.len(),
        s.length
    )
}

/// One line per source.
pub fn sources(scene: &Scene) -> Vec<String> {
    let s = &scene.simulation.sources;
    let mut out = Vec::new();
    if let Some(p0) = &s.initial_pressure {
        let points = p0.iter().filter(|&&v| v != 0.0).count();
        let peak = p0.iter().fold(0.0f32, |a, &v| a.max(v.abs()));
        out.push(format!(
            "initial pressure on {points} points, max |p0| {}{}",
            si(peak as f64, "Pa"),
            if s.smooth_initial_pressure {
                " (smoothed as k-Wave does)"
            } else {
                ""
            }
        ));
    }
    if let Some(p) = &s.pressure {
        out.push(format!("pressure source: {}", mode(p)));
    }
    for (axis, u) in s.velocity.iter().enumerate() {
        if let Some(u) = u {
            out.push(format!(
                "velocity source u{}: {}",
                ["x", "y", "z"][axis],
                mode(u)
            ));
        }
    }
    if out.is_empty() {
        out.push("none".into());
    }
    out
}

/// The names of the recorded quantities.
pub fn recorded(record: &Record) -> String {
    let mut names: Vec<String> = [
        (record.p, "p"),
        (record.p_max, "p_max"),
        (record.p_min, "p_min"),
        (record.p_rms, "p_rms"),
        (record.p_final, "p_final"),
        (record.u, "u"),
        (record.u_max, "u_max"),
        (record.u_min, "u_min"),
        (record.u_rms, "u_rms"),
        (record.u_final, "u_final"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| n.to_string())
    .collect();
    if let Some(cw) = &record.cw {
        names.push(format!(
            "cw (amplitude and phase at {} over the last {} periods)",
            si(cw.frequency_hz, "Hz"),
            num(cw.periods)
        ));
    }
    names.join(", ")
}

/// Sensor points and where recording starts.
/// Whether the sensor covers every grid point in linear (x-fastest) order.
pub fn covers_grid(scene: &Scene) -> bool {
    let sim = &scene.simulation;
    sim.sensor.points.len() == sim.grid.num_points()
        && sim.sensor.points.iter().enumerate().all(|(i, &p)| i == p)
}

pub fn sensors(scene: &Scene) -> String {
    let sim = &scene.simulation;
    let n = sim.sensor.points.len();
    let all = covers_grid(scene);
    let what = if all {
        format!("every grid point ({n})")
    } else if n == 1 {
        "1 point".to_string()
    } else {
        format!("{n} points")
    };
    format!(
        "{what}, recording from step {}",
        sim.sensor.record_start_step
    )
}

/// Points per wavelength at the CW frequency, if recorded.
pub fn points_per_wavelength(scene: &Scene, summary: &PlanSummary) -> Option<String> {
    let cw = scene.simulation.sensor.record.cw.as_ref()?;
    let dx = summary.spacing_m.iter().cloned().fold(0.0, f64::max);
    let ppw = summary.c_min_m_s / (cw.frequency_hz * dx);
    let advice = if ppw < 3.0 {
        " (below 3: expect large errors)"
    } else if ppw < 4.0 {
        " (k-Wave suggests at least 3 to 4)"
    } else {
        ""
    };
    Some(format!(
        "{} points per wavelength at {} (min c / (f max dx)){advice}",
        num(ppw),
        si(cw.frequency_hz, "Hz")
    ))
}

/// "(x 64, y 64) = (0, 0) mm from the grid centre"
pub fn location(grid: &Grid, point: [usize; 3]) -> String {
    let axes = ["x", "y", "z"];
    let idx: Vec<String> = (0..grid.ndim)
        .map(|a| format!("{} {}", axes[a], point[a]))
        .collect();
    let pos: Vec<String> = (0..grid.ndim)
        .map(|a| num(coordinate(grid, a, point[a]) * 1e3))
        .collect();
    format!(
        "({}) = ({}) mm from the grid centre",
        idx.join(", "),
        pos.join(", ")
    )
}

fn argmax(values: impl Iterator<Item = f32>) -> Option<(usize, f32)> {
    values
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .fold(None, |best, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
}

/// Peak values of a run, one line each.
pub fn peaks(data: &SensorData, grid: &Grid, points: &[[usize; 3]]) -> Vec<String> {
    let at = |i: usize| {
        points
            .get(i)
            .map(|&p| format!(" at sensor {i} {}", location(grid, p)))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    if let Some(pm) = &data.p_max {
        if let Some((i, v)) = argmax(pm.iter().cloned()) {
            out.push(format!("max p = {}{}", si(v as f64, "Pa"), at(i)));
        }
    } else if let Some(p) = &data.p {
        let per_sensor = p
            .rows()
            .into_iter()
            .map(|r| r.iter().cloned().fold(f32::MIN, f32::max));
        if let Some((i, v)) = argmax(per_sensor) {
            out.push(format!("max p = {}{}", si(v as f64, "Pa"), at(i)));
        }
    }
    if let Some(pm) = &data.p_min {
        if let Some((i, v)) = argmax(pm.iter().map(|&v| -v)) {
            out.push(format!("min p = {}{}", si(-v as f64, "Pa"), at(i)));
        }
    }
    if let Some(a) = &data.cw_amplitude {
        if let Some((i, v)) = argmax(a.iter().cloned()) {
            out.push(format!(
                "max CW amplitude = {}{}",
                si(v as f64, "Pa"),
                at(i)
            ));
        }
    }
    if let Some(pf) = &data.p_final {
        let peak = pf.iter().fold(0.0f32, |a, &v| a.max(v.abs()));
        out.push(format!("max |p_final| = {}", si(peak as f64, "Pa")));
    }
    out
}

/// The datasets a result file gets, with their shapes: "p (4, 401), p_max (4)".
/// `grid` is the grid shape when the sensor covers every grid point: statistics then also
/// get `<name>_field` maps.
pub fn written(data: &SensorData, grid: Option<&[usize]>) -> String {
    let axes = ["x", "y", "z"];
    let mut out = Vec::new();
    let dims = |d: &[usize]| {
        format!(
            "({})",
            d.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if let Some(a) = &data.p {
        out.push(format!("p {}", dims(a.shape())));
    }
    for (name, a) in [
        ("p_max", &data.p_max),
        ("p_min", &data.p_min),
        ("p_rms", &data.p_rms),
    ] {
        if let Some(a) = a {
            out.push(format!("{name} {}", dims(a.shape())));
        }
    }
    if let Some(u) = &data.u {
        for (axis, a) in u.iter().enumerate() {
            out.push(format!("u{} {}", axes[axis], dims(a.shape())));
        }
    }
    for (suffix, parts) in [
        ("_max", &data.u_max),
        ("_min", &data.u_min),
        ("_rms", &data.u_rms),
    ] {
        if let Some(parts) = parts {
            for (axis, a) in parts.iter().enumerate() {
                out.push(format!("u{}{suffix} {}", axes[axis], dims(a.shape())));
            }
        }
    }
    if let Some(a) = &data.cw_amplitude {
        out.push(format!("cw_amplitude {}", dims(a.shape())));
        out.push(format!("cw_phase {}", dims(a.shape())));
    }
    if let Some(shape) = grid {
        let maps: Vec<String> = out
            .iter()
            .filter(|d| {
                !d.starts_with("p ")
                    && !d.starts_with("ux ")
                    && !d.starts_with("uy ")
                    && !d.starts_with("uz ")
            })
            .map(|d| format!("{}_field", d.split(' ').next().unwrap_or_default()))
            .collect();
        if !maps.is_empty() {
            out.push(format!("{} {}", maps.join(", "), dims(shape)));
        }
    }
    if let Some(a) = &data.p_final {
        out.push(format!("p_final {}", dims(a.shape())));
    }
    if let Some(u) = &data.u_final {
        for (axis, a) in u.iter().enumerate() {
            out.push(format!("u{}_final {}", axes[axis], dims(a.shape())));
        }
    }
    out.join(", ")
}
