//! How the GPU mixed-domain passes lay lines onto blocks (CUDA) or workgroups (WGSL): how
//! many lines a block holds in shared memory, and how many values of that tile each thread
//! takes. The built-in choice is one reasonable point; the best one depends on the card, so
//! the device check (benches/gpu/check.sh) times a sweep of them and the result sets the
//! defaults. Results do not depend on it: every shape computes the same arithmetic.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassTuning {
    /// Most lines per block (rounded down to a power of two). The tile also stops at what the
    /// shared memory holds (on CUDA, with the opt-in above 48 KB where the card has it) and at
    /// the lines of the pass. None: the backend's own cap.
    pub max_tile: Option<usize>,
    /// Values of the tile per thread: threads = tile x line / this, rounded up to a power of
    /// two (CUDA) or whole 64-thread groups (WGSL), within the device's limit. None: the
    /// backend's own (4 on CUDA, 8 on WGSL).
    pub values_per_thread: Option<usize>,
}

/// The shape one axis pass took, for reports and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassShape {
    /// Lines per block or workgroup, and the shared memory they take.
    pub tile: usize,
    pub shared_bytes: usize,
    pub threads: usize,
    pub blocks: usize,
}

impl fmt::Display for PassShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines x {} threads ({} KiB)",
            self.tile,
            self.threads,
            self.shared_bytes.div_ceil(1024)
        )
    }
}

/// `TILExVALUES`, e.g. `16x4`; either may be `-` for the built-in choice.
impl FromStr for PassTuning {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let part = |value: &str| -> Result<Option<usize>, String> {
            match value {
                "-" => Ok(None),
                v => match v.parse::<usize>() {
                    Ok(n) if n > 0 => Ok(Some(n)),
                    _ => Err(format!(
                        "pass tuning {text:?}: {v:?} is not a positive number or -"
                    )),
                },
            }
        };
        let (tile, values) = text
            .split_once('x')
            .ok_or_else(|| format!("pass tuning {text:?}: expected TILExVALUES, e.g. 16x4"))?;
        Ok(Self {
            max_tile: part(tile)?,
            values_per_thread: part(values)?,
        })
    }
}

impl fmt::Display for PassTuning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |v: Option<usize>| v.map_or("-".to_string(), |n| n.to_string());
        // `pad`, so that table columns line up.
        f.pad(&format!(
            "{}x{}",
            part(self.max_tile),
            part(self.values_per_thread)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_tile_by_values() {
        let tuning: PassTuning = "16x4".parse().unwrap();
        assert_eq!(tuning.max_tile, Some(16));
        assert_eq!(tuning.values_per_thread, Some(4));
        assert_eq!(tuning.to_string(), "16x4");
        let partial: PassTuning = "-x2".parse().unwrap();
        assert_eq!(partial.max_tile, None);
        assert_eq!(partial.to_string(), "-x2");
        assert_eq!("-x-".parse::<PassTuning>().unwrap(), PassTuning::default());
        for bad in ["16", "0x4", "ax4", "16x"] {
            assert!(bad.parse::<PassTuning>().is_err(), "{bad}");
        }
    }
}
