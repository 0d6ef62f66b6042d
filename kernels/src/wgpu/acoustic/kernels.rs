//! The pipelines of acoustic.wgsl, the bind group that ties them to the backend's buffers,
//! and the per-dispatch `Job` parameters (slots of one small uniform buffer, written once per
//! catalogue call with `queue.write_buffer`; nothing is allocated per step).

use std::num::NonZeroU64;

use super::super::device::{storage_entry, uniform_entry};
use super::super::fft::{workgroups, WORKGROUP};

const SHADER: &str = include_str!("../../../wgsl/acoustic.wgsl");

/// Bytes between job slots: the largest uniform offset alignment devices ask for.
pub(super) const JOB_STRIDE: u64 = 256;
/// Dispatches one catalogue call may record.
pub(super) const JOB_SLOTS: usize = 8;
pub(super) const JOB_BUFFER_BYTES: u64 = JOB_STRIDE * JOB_SLOTS as u64;
/// Storage buffers the kernels bind.
pub(super) const STORAGE_BINDINGS: u32 = 15;
const NONE: u32 = u32::MAX;

/// `Job` of acoustic.wgsl.
#[derive(Clone, Copy, Debug)]
pub(super) struct Job {
    pub inputs: [u32; 8],
    pub outputs: [u32; 4],
    /// kind, step, axis count or outputs, sample row.
    pub what: [u32; 4],
    /// invocations, invocations per grid row, keep, extremes.
    pub extent: [u32; 4],
    pub source: [u32; 4],
    pub source_target: [u32; 4],
    pub corrected: [u32; 4],
    pub weights: [f32; 4],
}

/// Words of `Job`.
const JOB_WORDS: usize = 36;
const JOB_BYTES: usize = 4 * JOB_WORDS;

impl Job {
    fn words(&self) -> [u32; JOB_WORDS] {
        let mut words = [0; JOB_WORDS];
        words[..8].copy_from_slice(&self.inputs);
        words[8..12].copy_from_slice(&self.outputs);
        words[12..16].copy_from_slice(&self.what);
        words[16..20].copy_from_slice(&self.extent);
        words[20..24].copy_from_slice(&self.source);
        words[24..28].copy_from_slice(&self.source_target);
        words[28..32].copy_from_slice(&self.corrected);
        words[32..36].copy_from_slice(&self.weights.map(f32::to_bits));
        words
    }

    pub fn new() -> Self {
        Self {
            inputs: [0; 8],
            outputs: [0; 4],
            what: [0; 4],
            extent: [0; 4],
            source: [0; 4],
            source_target: [0; 4],
            corrected: [NONE; 4],
            weights: [0.0; 4],
        }
    }

    pub fn with_inputs(mut self, inputs: &[usize]) -> Self {
        for (slot, &b) in self.inputs.iter_mut().zip(inputs) {
            *slot = b as u32;
        }
        self
    }

    pub fn with_outputs(mut self, outputs: &[usize]) -> Self {
        for (slot, &b) in self.outputs.iter_mut().zip(outputs) {
            *slot = b as u32;
        }
        self
    }
}

/// Entry points of acoustic.wgsl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kernel {
    Spectral,
    InitialPressure,
    InitialVelocity,
    VelocityUpdate,
    DensityUpdate,
    AbsorbingPressure,
    ScatterSource,
    PointSource,
    GatherPressure,
    GatherVelocity,
    AccumulateCw,
    DensityMagnitude,
}

impl Kernel {
    const ALL: [Kernel; 12] = [
        Kernel::Spectral,
        Kernel::InitialPressure,
        Kernel::InitialVelocity,
        Kernel::VelocityUpdate,
        Kernel::DensityUpdate,
        Kernel::AbsorbingPressure,
        Kernel::ScatterSource,
        Kernel::PointSource,
        Kernel::GatherPressure,
        Kernel::GatherVelocity,
        Kernel::AccumulateCw,
        Kernel::DensityMagnitude,
    ];

    fn entry_point(self) -> &'static str {
        match self {
            Kernel::Spectral => "spectral",
            Kernel::InitialPressure => "initial_pressure",
            Kernel::InitialVelocity => "initial_velocity",
            Kernel::VelocityUpdate => "velocity_update",
            Kernel::DensityUpdate => "density_update",
            Kernel::AbsorbingPressure => "absorbing_pressure",
            Kernel::ScatterSource => "scatter_source",
            Kernel::PointSource => "point_source",
            Kernel::GatherPressure => "gather_pressure",
            Kernel::GatherVelocity => "gather_velocity",
            Kernel::AccumulateCw => "accumulate_cw",
            Kernel::DensityMagnitude => "density_magnitude",
        }
    }
}

/// The compiled kernels and their one bind group.
pub(super) struct Kernels {
    pipelines: Vec<wgpu::ComputePipeline>,
    group: wgpu::BindGroup,
    limits: wgpu::Limits,
    /// Jobs of the catalogue call being recorded, as uniform slot bytes.
    jobs: Vec<u8>,
    job_count: usize,
}

/// The buffers the kernels bind, in binding order after the two uniforms.
pub(super) struct Bindings<'a> {
    pub grid: &'a wgpu::Buffer,
    pub jobs: &'a wgpu::Buffer,
    pub spectral: &'a [wgpu::Buffer],
    pub velocity: &'a wgpu::Buffer,
    pub density: &'a wgpu::Buffer,
    pub coefficients: &'a wgpu::Buffer,
    pub tables: &'a wgpu::Buffer,
    pub pressure_record: &'a wgpu::Buffer,
    pub velocity_record: &'a wgpu::Buffer,
    pub samples: &'a wgpu::Buffer,
    pub reduction: &'a wgpu::Buffer,
}

impl Kernels {
    pub fn new(device: &wgpu::Device, buffers: &Bindings) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("acoustic.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let mut entries = vec![uniform_entry(0, false), uniform_entry(1, true)];
        let read_only = [11, 12];
        for binding in 2..2 + STORAGE_BINDINGS {
            entries.push(storage_entry(binding, read_only.contains(&binding)));
        }
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("acoustic"),
            entries: &entries,
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("acoustic"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipelines = Kernel::ALL
            .iter()
            .map(|kernel| {
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(kernel.entry_point()),
                    layout: Some(&pipeline_layout),
                    module: &module,
                    entry_point: Some(kernel.entry_point()),
                    compilation_options: Default::default(),
                    cache: None,
                })
            })
            .collect();

        // Unused spectral slots bind buffer 0 again: the kernels never touch them.
        let spectral = |slot: usize| {
            buffers
                .spectral
                .get(slot)
                .unwrap_or(&buffers.spectral[0])
                .as_entire_binding()
        };
        let mut resources = vec![
            buffers.grid.as_entire_binding(),
            wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: buffers.jobs,
                offset: 0,
                size: NonZeroU64::new(JOB_BYTES as u64),
            }),
        ];
        resources.extend((0..super::layout::SPECTRAL_SLOTS).map(spectral));
        resources.extend(
            [
                buffers.velocity,
                buffers.density,
                buffers.coefficients,
                buffers.tables,
                buffers.pressure_record,
                buffers.velocity_record,
                buffers.samples,
                buffers.reduction,
            ]
            .map(|b| b.as_entire_binding()),
        );
        let entries: Vec<wgpu::BindGroupEntry> = resources
            .into_iter()
            .enumerate()
            .map(|(binding, resource)| wgpu::BindGroupEntry {
                binding: binding as u32,
                resource,
            })
            .collect();
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("acoustic"),
            layout: &layout,
            entries: &entries,
        });
        Self {
            pipelines,
            group,
            limits: device.limits(),
            jobs: vec![0; JOB_BUFFER_BYTES as usize],
            job_count: 0,
        }
    }

    /// Starts the jobs of a new catalogue call.
    pub fn begin(&mut self) {
        self.job_count = 0;
    }

    /// Records `kernel` over `invocations` with the parameters of `job` into its own compute
    /// pass (passes order the dispatches' memory accesses).
    pub fn dispatch(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        kernel: Kernel,
        mut job: Job,
        invocations: usize,
    ) {
        if invocations == 0 {
            return;
        }
        assert!(
            self.job_count < JOB_SLOTS,
            "more than {JOB_SLOTS} dispatches in one catalogue call"
        );
        let grid = workgroups(invocations as u32, &self.limits);
        job.extent[0] = invocations as u32;
        job.extent[1] = grid[0] * WORKGROUP;
        let slot = self.job_count;
        self.job_count += 1;
        let at = slot * JOB_STRIDE as usize;
        self.jobs[at..at + JOB_BYTES].copy_from_slice(bytemuck::cast_slice(&job.words()));
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(kernel.entry_point()),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipelines[kernel as usize]);
        pass.set_bind_group(0, &self.group, &[(slot as u64 * JOB_STRIDE) as u32]);
        pass.dispatch_workgroups(grid[0], grid[1], 1);
    }

    /// Writes the recorded jobs to the job buffer (ahead of the submission that uses them).
    pub fn upload(&self, queue: &wgpu::Queue, jobs: &wgpu::Buffer) {
        if self.job_count > 0 {
            let bytes = self.job_count * JOB_STRIDE as usize;
            queue.write_buffer(jobs, 0, &self.jobs[..bytes]);
        }
    }
}
