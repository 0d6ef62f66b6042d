//! Numbers in words a user reads: SI prefixes, sizes, durations.

/// `v` with at most 4 significant digits and no trailing zeros.
pub fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if (1e-3..1e6).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).max(0) as usize;
        trim(format!("{v:.digits$}"))
    } else {
        let s = format!("{v:.3e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        format!("{}e{e}", trim(m.to_string()))
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `v` in `unit` with an SI prefix: 2e-8 s -> "20 ns", 0.0128 m -> "12.8 mm".
pub fn si(v: f64, unit: &str) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v} {unit}");
    }
    const PREFIXES: [(f64, &str); 9] = [
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "µ"),
        (1e-9, "n"),
        (1e-12, "p"),
    ];
    let a = v.abs();
    for (scale, prefix) in PREFIXES {
        // Round first so that 999.96 becomes "1 k", not "1000".
        let m = v / scale;
        if a >= scale * 0.99995 || scale == 1e-12 {
            return format!("{} {prefix}{unit}", num(m));
        }
    }
    unreachable!()
}

/// Bytes as MiB or GiB.
pub fn bytes(b: u64) -> String {
    let mib = b as f64 / (1024.0 * 1024.0);
    if mib >= 1024.0 {
        format!("{} GiB", num((mib / 1024.0 * 100.0).round() / 100.0))
    } else if mib >= 10.0 {
        format!("{} MiB", mib.round())
    } else if mib < 1.0 {
        format!("{} KiB", (mib * 1024.0).round())
    } else {
        format!("{} MiB", num((mib * 10.0).round() / 10.0))
    }
}

/// A duration: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "?".into();
    }
    if seconds < 1.0 {
        si(seconds, "s")
    } else if seconds < 60.0 {
        format!("{} s", num((seconds * 10.0).round() / 10.0))
    } else if seconds < 3600.0 {
        let s = seconds.round() as u64;
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        let m = (seconds / 60.0).round() as u64;
        format!("{} h {:02} min", m / 60, m % 60)
    }
}

/// "128 x 128"
pub fn shape(dims: &[usize]) -> String {
    dims.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" x ")
}

/// Values of one unit joined with " x ", or one value when all are equal: "100 µm".
pub fn per_axis(values: &[f64], unit: &str) -> String {
    if values.windows(2).all(|w| w[0] == w[1]) {
        si(values[0], unit)
    } else {
        values
            .iter()
            .map(|&v| si(v, unit))
            .collect::<Vec<_>>()
            .join(" x ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(si(2e-8, "s"), "20 ns");
        assert_eq!(si(0.0128, "m"), "12.8 mm");
        assert_eq!(si(1e-4, "m"), "100 µm");
        assert_eq!(si(1500.0, "m/s"), "1.5 km/s");
        assert_eq!(si(1e6, "Hz"), "1 MHz");
        assert_eq!(si(-3.2e5, "Pa"), "-320 kPa");
        assert_eq!(si(999.99, "Pa"), "1 kPa");
        assert_eq!(si(999.9, "Pa"), "999.9 Pa");
        assert_eq!(si(0.0, "Pa"), "0 Pa");
        assert_eq!(si(8e-6, "s"), "8 µs");
    }

    #[test]
    fn numbers_sizes_durations() {
        assert_eq!(num(0.3), "0.3");
        assert_eq!(num(1500.0), "1500");
        assert_eq!(num(1.23456e-7), "1.235e-7");
        assert_eq!(bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(bytes(200 * 1024 * 1024), "200 MiB");
        assert_eq!(bytes(5 * 1024 * 1024 * 1024), "5 GiB");
        assert_eq!(duration(0.0123), "12.3 ms");
        assert_eq!(duration(3.1e-4), "310 µs");
        assert_eq!(bytes(100 * 1024), "100 KiB");
        assert_eq!(duration(12.34), "12.3 s");
        assert_eq!(duration(245.0), "4 min 05 s");
        assert_eq!(duration(7380.0), "2 h 03 min");
        assert_eq!(shape(&[128, 64]), "128 x 64");
        assert_eq!(per_axis(&[1e-4, 1e-4], "m"), "100 µm");
        assert_eq!(per_axis(&[1e-4, 2e-4], "m"), "100 µm x 200 µm");
    }
}
