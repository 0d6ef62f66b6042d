//! How much memory a run may use on this machine.

/// Bytes available to a new run: `FERROWAVE_MEMORY_LIMIT_MIB` if set (to cap a shared node
/// or test the refusal), else MemAvailable from /proc/meminfo; None if unknown.
pub fn available_bytes() -> Option<u64> {
    if let Ok(limit) = std::env::var("FERROWAVE_MEMORY_LIMIT_MIB") {
        if let Ok(mib) = limit.trim().parse::<f64>() {
            return Some((mib * 1024.0 * 1024.0) as u64);
        }
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| kib * 1024)
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
