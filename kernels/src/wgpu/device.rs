//! Adapter and device selection.

use num_complex::Complex32;

use super::GpuError;
use wgpu::util::DeviceExt;

/// A wgpu device and queue, with the description of the adapter they came from. Cloning shares
/// the device.
#[derive(Clone)]
pub struct WgpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
}

impl WgpuContext {
    /// Opens the best adapter: the one whose name contains `WGPU_ADAPTER_NAME` (case
    /// insensitive) when that variable is set, otherwise a discrete GPU before an integrated or
    /// virtual one before a software rasteriser (lavapipe). The device gets every limit the
    /// adapter offers, so storage buffers can be as large as the hardware allows.
    pub fn new() -> Result<Self, GpuError> {
        let adapters = adapters();
        let wanted = std::env::var("WGPU_ADAPTER_NAME")
            .ok()
            .map(|name| name.to_lowercase());
        let adapter = match &wanted {
            Some(name) => {
                let names: Vec<String> = adapters.iter().map(|a| describe(&a.get_info())).collect();
                adapters
                    .into_iter()
                    .find(|a| a.get_info().name.to_lowercase().contains(name))
                    .ok_or_else(|| {
                        GpuError::NoAdapter(format!(
                            "no GPU adapter named like WGPU_ADAPTER_NAME={name}; found: [{}]",
                            names.join(", ")
                        ))
                    })?
            }
            None => adapters
                .into_iter()
                .min_by_key(|a| preference(a.get_info().device_type))
                .ok_or_else(|| {
                    let restricted = std::env::var("WGPU_BACKEND")
                        .map(|b| format!(" (WGPU_BACKEND={b} restricts the search)"))
                        .unwrap_or_default();
                    GpuError::NoAdapter(format!(
                        "no GPU adapter found (wgpu: Vulkan/Metal/DX12){restricted}; on Linux \
                         without a GPU install mesa-vulkan-drivers for lavapipe"
                    ))
                })?,
        };
        let info = adapter.get_info();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("ferrowave"),
            required_features: wgpu::Features::empty(),
            required_limits: adapter.limits(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| GpuError::Device(format!("{}: {e}", info.name)))?;
        Ok(Self {
            device,
            queue,
            info,
        })
    }

    /// Adapter name, backend and device type, e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)".
    pub fn adapter_description(&self) -> String {
        describe(&self.info)
    }

    /// Descriptions of every adapter wgpu finds, as `adapter_description` writes them.
    pub fn available_adapters() -> Vec<String> {
        adapters().iter().map(|a| describe(&a.get_info())).collect()
    }

    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Waits until all submitted work has finished.
    pub fn wait(&self) -> Result<(), GpuError> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(drop)
            .map_err(|e| GpuError::Device(e.to_string()))
    }

    /// Writes f32 values to the start of a COPY_DST buffer (queued, in order with submitted
    /// work).
    pub fn upload_real(&self, buffer: &wgpu::Buffer, data: &[f32]) {
        self.queue
            .write_buffer(buffer, 0, bytemuck::cast_slice(data));
    }

    /// Writes interleaved complex values to the start of a COPY_DST buffer.
    pub fn upload_complex(&self, buffer: &wgpu::Buffer, data: &[Complex32]) {
        let interleaved: Vec<f32> = data.iter().flat_map(|z| [z.re, z.im]).collect();
        self.upload_real(buffer, &interleaved);
    }

    /// Waits for submitted work and reads a whole COPY_SRC buffer of complex values back.
    pub fn download_complex(&self, buffer: &wgpu::Buffer) -> Result<Vec<Complex32>, GpuError> {
        Ok(self
            .download_real(buffer)?
            .chunks_exact(2)
            .map(|pair| Complex32::new(pair[0], pair[1]))
            .collect())
    }

    /// Waits for submitted work and reads a whole COPY_SRC buffer of f32 values back.
    pub fn download_real(&self, buffer: &wgpu::Buffer) -> Result<Vec<f32>, GpuError> {
        let readback = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: buffer.size(),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(buffer, 0, &readback, 0, buffer.size());
        self.queue.submit([encoder.finish()]);
        let (sender, receiver) = std::sync::mpsc::channel();
        readback.map_async(wgpu::MapMode::Read, .., move |result| {
            // The receiver waits below; a failed send could only mean it had gone.
            let _ = sender.send(result);
        });
        self.wait()?;
        let unmapped = |e: &dyn std::fmt::Display| GpuError::Device(format!("reading back: {e}"));
        receiver
            .recv()
            .map_err(|e| unmapped(&e))?
            .map_err(|e| unmapped(&e))?;
        let values = {
            let view = readback.get_mapped_range(..).map_err(|e| unmapped(&e))?;
            bytemuck::cast_slice::<u8, f32>(&view).to_vec()
        };
        readback.unmap();
        Ok(values)
    }
}

fn adapters() -> Vec<wgpu::Adapter> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
}

fn describe(info: &wgpu::AdapterInfo) -> String {
    format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
}

fn preference(device_type: wgpu::DeviceType) -> u8 {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    }
}

/// A storage buffer binding of a compute shader.
pub(crate) fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A uniform buffer binding of a compute shader, at a dynamic offset when `dynamic`.
pub(crate) fn uniform_entry(binding: u32, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

/// Makes a backend's device buffers by name, each of the size its list of (name, bytes)
/// gives: the list its memory estimate sums, so allocation and estimate agree.
pub(crate) struct NamedBuffers<'a> {
    device: &'a wgpu::Device,
    sizes: &'a [(&'static str, u64)],
}

impl<'a> NamedBuffers<'a> {
    pub fn new(device: &'a wgpu::Device, sizes: &'a [(&'static str, u64)]) -> Self {
        Self { device, sizes }
    }

    fn size_of(&self, name: &str) -> u64 {
        self.sizes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .expect("every buffer is in the size list")
    }

    /// A zeroed buffer.
    pub fn empty(&self, name: &'static str, usage: wgpu::BufferUsages) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(name),
            size: self.size_of(name),
            usage,
            mapped_at_creation: false,
        })
    }

    /// A buffer holding `contents`, zero-padded to its size.
    pub fn filled(
        &self,
        name: &'static str,
        usage: wgpu::BufferUsages,
        contents: &[u8],
    ) -> wgpu::Buffer {
        let mut bytes = contents.to_vec();
        bytes.resize(self.size_of(name) as usize, 0);
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(name),
                contents: &bytes,
                usage,
            })
    }
}
