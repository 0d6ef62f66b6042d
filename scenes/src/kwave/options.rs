//! The kspaceFirstOrder-OMP command-line options that shape a result.

use super::KwaveError;
use ferrowave_kernels::DeviceKind;

/// The recording flags (`--p_raw`, `--u_max`, ...). With none set the binary records
/// `p_raw`; [`RecordFlags::or_default`] applies that rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFlags {
    pub p_raw: bool,
    pub p_rms: bool,
    pub p_max: bool,
    pub p_min: bool,
    pub p_max_all: bool,
    pub p_min_all: bool,
    pub p_final: bool,
    pub u_raw: bool,
    pub u_non_staggered_raw: bool,
    pub u_rms: bool,
    pub u_max: bool,
    pub u_min: bool,
    pub u_max_all: bool,
    pub u_min_all: bool,
    pub u_final: bool,
}

impl RecordFlags {
    /// The flags and their command-line names, in the binary's order.
    pub fn named(&self) -> [(&'static str, bool); 15] {
        [
            ("p_raw", self.p_raw),
            ("p_rms", self.p_rms),
            ("p_max", self.p_max),
            ("p_min", self.p_min),
            ("p_max_all", self.p_max_all),
            ("p_min_all", self.p_min_all),
            ("p_final", self.p_final),
            ("u_raw", self.u_raw),
            ("u_non_staggered_raw", self.u_non_staggered_raw),
            ("u_rms", self.u_rms),
            ("u_max", self.u_max),
            ("u_min", self.u_min),
            ("u_max_all", self.u_max_all),
            ("u_min_all", self.u_min_all),
            ("u_final", self.u_final),
        ]
    }

    pub fn any(&self) -> bool {
        self.named().iter().any(|(_, on)| *on)
    }

    /// These flags, or `p_raw` alone when none is set (the binary's default).
    pub fn or_default(&self) -> Self {
        if self.any() {
            self.clone()
        } else {
            Self {
                p_raw: true,
                ..Self::default()
            }
        }
    }

    /// The names of the flags that are set, e.g. "p_raw, p_max".
    pub fn list(&self) -> String {
        self.named()
            .iter()
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Everything on a kspaceFirstOrder-OMP command line that changes what is computed or
/// written (input and output paths aside).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KwaveOptions {
    /// What to record. Use [`RecordFlags::or_default`] semantics: none set means `p_raw`.
    pub record: RecordFlags,
    /// `-s`: the first time step stored, 1-based (default 1).
    pub start_index: usize,
    /// `--copy_sensor_mask`: copy `sensor_mask_index` / `sensor_mask_corners` (and
    /// `sensor_mask_type`) into the output.
    pub copy_sensor_mask: bool,
    /// `-c`: deflate level 0..9 of the recorded datasets (default 0, as the binary).
    pub compression_level: u8,
    /// `-t`: worker threads; 0 means all cores.
    pub threads: usize,
    /// `--benchmark N`: run N time steps instead of the file's Nt.
    pub benchmark_steps: Option<usize>,
    /// `--device`: the backend that runs the simulation.
    pub device: DeviceKind,
}

impl Default for KwaveOptions {
    fn default() -> Self {
        Self {
            record: RecordFlags::default(),
            start_index: 1,
            copy_sensor_mask: false,
            compression_level: 0,
            threads: 0,
            benchmark_steps: None,
            device: DeviceKind::Cpu,
        }
    }
}

impl KwaveOptions {
    /// Checks the values the binary checks when it parses its command line.
    pub fn validate(&self) -> Result<(), KwaveError> {
        if self.start_index < 1 {
            return Err(KwaveError::invalid(format!(
                "-s (sampling start time step) must be at least 1 (got {})",
                self.start_index
            )));
        }
        if self.compression_level > 9 {
            return Err(KwaveError::invalid(format!(
                "-c (compression level) must be between 0 and 9 (got {})",
                self.compression_level
            )));
        }
        if self.benchmark_steps == Some(0) {
            return Err(KwaveError::invalid(
                "--benchmark needs a positive number of time steps",
            ));
        }
        Ok(())
    }
}
