//! `--device` and `ferrowave devices`: which backend runs a simulation, and what is usable here.

use ferrowave_kernels::device::list_gpus;
use ferrowave_kernels::DeviceKind;

use crate::failure::Failure;
use crate::format::bytes;
use crate::report::line;

/// The backend a command runs on.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeviceArg {
    /// The CPU stepper (rustfft + rayon); always available
    #[default]
    Cpu,
    /// The CUDA stepper (cuFFT + NVRTC kernels) on NVIDIA GPU 0; needs a build with
    /// `--features cuda` and the NVIDIA driver
    Cuda,
    /// The WGSL stepper (wgpu) on the first Vulkan/Metal/DX12 adapter; needs a build with
    /// `--features wgpu`
    Wgpu,
}

impl From<DeviceArg> for DeviceKind {
    fn from(d: DeviceArg) -> Self {
        match d {
            DeviceArg::Cpu => DeviceKind::Cpu,
            DeviceArg::Cuda => DeviceKind::Cuda,
            DeviceArg::Wgpu => DeviceKind::Wgpu,
        }
    }
}

/// One line per device of `kind`, or the reason there is none.
fn describe(kind: DeviceKind) -> Vec<String> {
    match list_gpus(kind) {
        Ok(devices) if devices.is_empty() => vec!["none found".to_string()],
        Ok(devices) => devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let memory = match (d.memory_bytes, d.free_bytes) {
                    (Some(total), Some(free)) => {
                        format!(", {} ({} free)", bytes(total), bytes(free))
                    }
                    (Some(total), None) => format!(", {}", bytes(total)),
                    _ => String::new(),
                };
                let used = if i == 0 { " [used by --device]" } else { "" };
                format!("{i}: {}{memory}{used}", d.name)
            })
            .collect(),
        Err(e) => vec![format!("not usable: {e}")],
    }
}

/// `ferrowave devices`.
pub fn list() -> Result<(), Failure> {
    let threads = rayon::current_num_threads();
    println!(
        "{}",
        line(
            "cpu",
            format!("usable: {threads} threads (rustfft + rayon)")
        )
    );
    for kind in [DeviceKind::Cuda, DeviceKind::Wgpu] {
        for (i, text) in describe(kind).iter().enumerate() {
            println!("{}", line(if i == 0 { kind.name() } else { "" }, text));
        }
    }
    Ok(())
}
