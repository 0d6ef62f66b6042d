//! Complex-to-complex FFT of 1D, 2D and 3D arrays in WGSL. An axis whose lines fit in workgroup
//! memory is transformed in one dispatch (fft_shared.wgsl: all Stockham stages in workgroup
//! memory, one read and one write of the array); longer axes and axes with prime factors above 7
//! take one dispatch per Stockham pass of radix 2, 3, 4, 5, 7, 8 or a generic prime
//! (fft.wgsl). Dispatches ping-pong between the data and a scratch buffer.

use std::num::NonZeroU64;

use num_complex::Complex32;
use wgpu::util::DeviceExt;

use super::device::storage_entry;
use super::{GpuError, WgpuContext};
use crate::PassTuning;

const SHADER: &str = include_str!("../../wgsl/fft.wgsl");
const SHARED_SHADER: &str = include_str!("../../wgsl/fft_shared.wgsl");
/// The Stockham stages of a tile of lines in workgroup memory, appended to fft_shared.wgsl
/// and to the mixed-domain pass kernel.
pub(super) const STOCKHAM_TILE: &str = include_str!("../../wgsl/stockham_tile.wgsl");
/// The radix DFTs every FFT shader uses, appended to each.
pub(super) const BUTTERFLIES: &str = include_str!("../../wgsl/butterflies.wgsl");
/// Most lines one workgroup of the shared-memory kernel transforms together: enough adjacent
/// lines of a strided axis for coalesced loads, few enough to keep small transforms spread
/// over many workgroups.
const MAX_LINE_TILE: usize = 32;
/// Tile values per invocation of the shared-memory kernels, unless tuned.
const VALUES_PER_INVOCATION: usize = 8;
pub(super) const WORKGROUP: u32 = 64;
/// `Params` in fft.wgsl: eight 32-bit words.
pub(super) const PARAMS_BYTES: u64 = 32;
pub(super) const COMPLEX_BYTES: u64 = 8;
/// Bytes between parameter sets in a uniform buffer: 256 is a multiple of every device's
/// uniform offset alignment, so plan sizes (and memory estimates) do not depend on the device.
pub(super) const PARAMS_STRIDE: u64 = 256;

/// Sign of the exponent: forward is e^{-2πi kn/N} (unnormalised), inverse e^{+2πi kn/N} / N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Inverse,
}

/// A planned FFT of one array shape: pipelines, twiddles, per-pass parameters and a scratch
/// buffer, made once. Transforms run along every axis of a row-major array of interleaved
/// complex f32 (`vec2<f32>` in WGSL).
pub struct GpuFft {
    context: WgpuContext,
    shape: Vec<usize>,
    len: usize,
    layout: wgpu::BindGroupLayout,
    pipelines: Vec<wgpu::ComputePipeline>,
    shared_pipelines: Vec<wgpu::ComputePipeline>,
    passes: Vec<Pass>,
    twiddles: wgpu::Buffer,
    params: wgpu::Buffer,
    scratch: wgpu::Buffer,
}

/// Bind groups that let a plan transform one particular data buffer in place.
pub struct FftBinding {
    data: wgpu::Buffer,
    data_to_scratch: wgpu::BindGroup,
    scratch_to_data: wgpu::BindGroup,
}

/// One dispatch: a Stockham pass of one radix, or a whole axis in workgroup memory; its
/// pipeline and where its parameters sit in the uniform buffer (byte offsets, one set per
/// direction).
struct Pass {
    kernel: PassKernel,
    forward_params: u32,
    inverse_params: u32,
    workgroups: [u32; 2],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PassKernel {
    /// Index into the Stockham pipelines.
    Stockham(usize),
    /// Index into the shared-memory pipelines; `in_place` for the one whole-axis pass that
    /// `record` runs reading and writing the same buffer, so that a plan with an odd number of
    /// passes needs no copy back.
    Shared {
        pipeline: usize,
        in_place: Option<usize>,
    },
}

/// The compile-time shape of one whole-axis (shared-memory) pipeline; the mixed-domain pass
/// kernels take their tiles from it too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SharedKernel {
    pub(super) line_length: usize,
    pub(super) line_tile: usize,
    radices: Vec<usize>,
    pub(super) threads: u32,
    max_butterflies: usize,
    in_place: bool,
}

impl SharedKernel {
    /// The kernel for lines of `n` with `radices`, `lines` lines in all, on a device whose
    /// workgroups hold `capacity` complex values and run at most `max_threads` invocations.
    pub(super) fn new(
        n: usize,
        radices: &[usize],
        lines: usize,
        capacity: usize,
        max_threads: u32,
    ) -> Self {
        Self::tuned(
            n,
            radices,
            lines,
            capacity,
            max_threads,
            &PassTuning::default(),
        )
    }

    /// As `new`, with the tile cap and the values per invocation from `tuning` where set.
    pub(super) fn tuned(
        n: usize,
        radices: &[usize],
        lines: usize,
        capacity: usize,
        max_threads: u32,
        tuning: &PassTuning,
    ) -> Self {
        // Largest power of two of lines that fits (a power of two keeps tile indexing cheap).
        let cap = tuning.max_tile.unwrap_or(MAX_LINE_TILE);
        let fit = (capacity / n).min(cap).min(lines).max(1);
        let line_tile = 1 << fit.ilog2();
        let elements = n * line_tile;
        // About eight values per invocation (unless tuned), in whole 64-wide groups.
        let per_invocation = tuning.values_per_thread.unwrap_or(VALUES_PER_INVOCATION);
        let wanted = (elements.div_ceil(per_invocation) as u32).div_ceil(WORKGROUP) * WORKGROUP;
        let threads = wanted.clamp(WORKGROUP.min(max_threads), max_threads);
        let smallest_radix = radices.iter().copied().min().unwrap_or(2);
        let max_butterflies = (elements / smallest_radix).div_ceil(threads as usize);
        Self {
            line_length: n,
            line_tile,
            radices: radices.to_vec(),
            threads,
            max_butterflies,
            in_place: false,
        }
    }

    /// The constants stockham_tile.wgsl reads, as WGSL declarations.
    pub(super) fn constants(&self) -> String {
        let radices: Vec<String> = self.radices.iter().map(|r| format!("{r}u")).collect();
        let stages = self.radices.len();
        format!(
            "const LINE_LENGTH: u32 = {}u;\n\
             const LINE_TILE: u32 = {}u;\n\
             const STAGES: u32 = {stages}u;\n\
             const STAGE_RADICES = array<u32, {stages}>({});\n\
             const WORKGROUP_THREADS: u32 = {}u;\n\
             const MAX_BUTTERFLIES: u32 = {}u;\n",
            self.line_length,
            self.line_tile,
            radices.join(", "),
            self.threads,
            self.max_butterflies,
        )
    }

    /// fft_shared.wgsl with this kernel's constants in front.
    fn source(&self) -> String {
        format!(
            "{}const IN_PLACE: bool = {};\n{SHARED_SHADER}\n{STOCKHAM_TILE}\n{BUTTERFLIES}",
            self.constants(),
            self.in_place,
        )
    }
}

/// Appends one parameter set at the next multiple of `PARAMS_STRIDE`; returns its byte offset.
fn push_params(params: &mut Vec<u32>, words: [u32; 8]) -> u32 {
    let stride = PARAMS_STRIDE as usize / 4;
    let at = params.len().div_ceil(stride);
    params.resize(at * stride, 0);
    params.extend(words);
    params.resize((at + 1) * stride, 0);
    (at * PARAMS_STRIDE as usize) as u32
}

/// Complex values one workgroup's memory holds on this device.
pub(super) fn shared_capacity(limits: &wgpu::Limits) -> usize {
    limits.max_compute_workgroup_storage_size as usize / COMPLEX_BYTES as usize
}

impl GpuFft {
    /// Plans the transform of an array of `shape` (1 to 3 axes, last axis contiguous) along
    /// every axis. Every axis length must be a product of 2, 3, 5 and 7.
    pub fn new(context: &WgpuContext, shape: &[usize]) -> Result<Self, GpuError> {
        let axes: Vec<usize> = (0..shape.len()).collect();
        Self::along_axes(context, shape, &axes)
    }

    /// As `along_axes`, but axis lengths may also have prime factors up to
    /// `MAX_GENERIC_RADIX` (passes of O(radix) work per element for those).
    pub fn along_axes_any_length(
        context: &WgpuContext,
        shape: &[usize],
        axes: &[usize],
    ) -> Result<Self, GpuError> {
        Self::plan(context, shape, axes, Lengths::Any)
    }

    /// Plans the transform of an array of `shape` along the given axes only (in increasing
    /// order); the inverse then scales by 1 / (product of their lengths).
    pub fn along_axes(
        context: &WgpuContext,
        shape: &[usize],
        axes: &[usize],
    ) -> Result<Self, GpuError> {
        Self::plan(context, shape, axes, Lengths::Smooth)
    }

    /// As `along_axes`, but only axes of at most `max_shared_length` (and no longer than the
    /// device's workgroup memory holds) go through the one-dispatch shared-memory kernel; 0
    /// sends every axis through the multi-pass path. For tests and comparisons of the paths.
    pub fn along_axes_shared_up_to(
        context: &WgpuContext,
        shape: &[usize],
        axes: &[usize],
        max_shared_length: usize,
    ) -> Result<Self, GpuError> {
        Self::plan_limited(context, shape, axes, Lengths::Smooth, max_shared_length)
    }

    fn plan(
        context: &WgpuContext,
        shape: &[usize],
        axes: &[usize],
        lengths: Lengths,
    ) -> Result<Self, GpuError> {
        Self::plan_limited(context, shape, axes, lengths, usize::MAX)
    }

    fn plan_limited(
        context: &WgpuContext,
        shape: &[usize],
        axes: &[usize],
        lengths: Lengths,
        max_shared_length: usize,
    ) -> Result<Self, GpuError> {
        if shape.is_empty() || shape.len() > 3 || shape.contains(&0) {
            return Err(GpuError::Shape(format!(
                "FFT shape {shape:?}: expected 1 to 3 non-zero axis lengths"
            )));
        }
        if !axes.windows(2).all(|pair| pair[0] < pair[1]) || axes.iter().any(|&a| a >= shape.len())
        {
            return Err(GpuError::Shape(format!(
                "FFT axes {axes:?} of shape {shape:?}: expected increasing axis numbers"
            )));
        }
        let axis_radices = axes
            .iter()
            .map(|&axis| lengths.radices(shape[axis]))
            .collect::<Result<Vec<_>, _>>()?;
        let len: usize = shape.iter().product();
        let bytes = len as u64 * COMPLEX_BYTES;
        let device = context.device();
        let limits = device.limits();
        let max_bytes = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        if bytes > max_bytes || len > u32::MAX as usize {
            return Err(GpuError::Shape(format!(
                "FFT shape {shape:?} needs {bytes} bytes per buffer; this device binds at most {max_bytes}"
            )));
        }

        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("fft.wgsl"),
            source: wgpu::ShaderSource::Wgsl(format!("{SHADER}\n{BUTTERFLIES}").into()),
        });
        let layout = bind_group_layout(device);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("fft"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });

        let align = PARAMS_STRIDE;
        let capacity = shared_capacity(&limits);
        let max_threads = limits
            .max_compute_invocations_per_workgroup
            .min(limits.max_compute_workgroup_size_x);
        let mut used_radices: Vec<usize> = Vec::new();
        let mut shared_kernels: Vec<SharedKernel> = Vec::new();
        let mut twiddles: Vec<f32> = Vec::new();
        let mut params: Vec<u32> = Vec::new();
        let mut passes = Vec::new();
        // Appends one parameter set at the next multiple of `align`; returns its byte offset.
        for (&axis, radices) in axes.iter().zip(&axis_radices) {
            let n = shape[axis];
            let stride: usize = shape[axis + 1..].iter().product();
            let shared = !radices.is_empty()
                && !radices.iter().any(|&r| is_generic(r))
                && n <= capacity.min(max_shared_length);
            let axis_twiddles = twiddles.len() / 2;
            let axis_slots = params.len();
            let mut ns = 1;
            for (index, &radix) in radices.iter().enumerate() {
                let twiddle_offset = twiddles.len() / 2;
                push_twiddles(&mut twiddles, ns, radix);
                let butterflies = (len / radix) as u32;
                // A generic pass runs one invocation per element, a fixed one per butterfly.
                let invocations = if is_generic(radix) {
                    len as u32
                } else {
                    butterflies
                };
                let grid = workgroups(invocations, &limits);
                let last = index + 1 == radices.len();
                let mut pass_slot = |dir: f32, scale: f32| {
                    push_params(
                        &mut params,
                        [
                            n as u32,
                            stride as u32,
                            ns as u32,
                            twiddle_offset as u32,
                            butterflies,
                            grid[0] * WORKGROUP,
                            dir.to_bits(),
                            scale.to_bits(),
                        ],
                    )
                };
                let forward_params = pass_slot(1.0, 1.0);
                let inverse_params =
                    pass_slot(-1.0, if last { (1.0 / n as f64) as f32 } else { 1.0 });
                if !shared {
                    let pipeline = match used_radices.iter().position(|&r| r == radix) {
                        Some(p) => p,
                        None => {
                            used_radices.push(radix);
                            used_radices.len() - 1
                        }
                    };
                    passes.push(Pass {
                        kernel: PassKernel::Stockham(pipeline),
                        forward_params,
                        inverse_params,
                        workgroups: grid,
                    });
                }
                ns *= radix;
            }
            if shared {
                // The whole axis in one dispatch. Its parameters overwrite the axis's first
                // two Stockham slots; every slot stays allocated so that plan sizes, and
                // `estimate_bytes`, do not depend on the device's workgroup memory.
                let lines = len / n;
                let kernel = SharedKernel::new(n, radices, lines, capacity, max_threads);
                let groups = lines.div_ceil(kernel.line_tile) as u32;
                let max_groups = limits.max_compute_workgroups_per_dimension;
                let grid = [groups.min(max_groups), groups.div_ceil(max_groups)];
                let words = |dir: f32, scale: f32| {
                    [
                        stride as u32,
                        lines as u32,
                        axis_twiddles as u32,
                        grid[0],
                        0,
                        0,
                        dir.to_bits(),
                        scale.to_bits(),
                    ]
                };
                let first = axis_slots;
                let second = axis_slots + align as usize / 4;
                params[first..first + 8].copy_from_slice(&words(1.0, 1.0));
                params[second..second + 8].copy_from_slice(&words(-1.0, (1.0 / n as f64) as f32));
                let pipeline = match shared_kernels.iter().position(|k| *k == kernel) {
                    Some(p) => p,
                    None => {
                        shared_kernels.push(kernel);
                        shared_kernels.len() - 1
                    }
                };
                passes.push(Pass {
                    kernel: PassKernel::Shared {
                        pipeline,
                        in_place: None,
                    },
                    forward_params: (first * 4) as u32,
                    inverse_params: (second * 4) as u32,
                    workgroups: grid,
                });
            }
        }
        // With an odd number of passes, the first whole-axis pass runs in place instead, so
        // that the result ends in the data buffer without a copy.
        if passes.len() % 2 == 1 {
            let first_shared = passes.iter_mut().find_map(|pass| match &mut pass.kernel {
                PassKernel::Shared { pipeline, in_place } => Some((*pipeline, in_place)),
                PassKernel::Stockham(_) => None,
            });
            if let Some((pipeline, in_place)) = first_shared {
                let mut kernel = shared_kernels[pipeline].clone();
                kernel.in_place = true;
                shared_kernels.push(kernel);
                *in_place = Some(shared_kernels.len() - 1);
            }
        }
        let pipelines: Vec<wgpu::ComputePipeline> = used_radices
            .iter()
            .map(|&radix| {
                let generic = [("GENERIC_RADIX", radix as f64)];
                let (entry_point, constants) = if is_generic(radix) {
                    ("radix_generic".to_string(), &generic[..])
                } else {
                    (format!("radix{radix}"), &[][..])
                };
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&entry_point),
                    layout: Some(&pipeline_layout),
                    module: &module,
                    entry_point: Some(&entry_point),
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants,
                        ..Default::default()
                    },
                    cache: None,
                })
            })
            .collect();
        let shared_pipelines = shared_kernels
            .iter()
            .map(|kernel| {
                let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some("fft_shared.wgsl"),
                    source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
                });
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some("fft_lines"),
                    layout: Some(&pipeline_layout),
                    module: &module,
                    entry_point: Some("fft_lines"),
                    compilation_options: Default::default(),
                    cache: None,
                })
            })
            .collect();
        // A 1-point transform has no twiddles, but a binding must not be empty.
        twiddles.resize(twiddles.len().max(2), 0.0);
        let twiddles = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("fft twiddles"),
            contents: bytemuck::cast_slice(&twiddles),
            usage: wgpu::BufferUsages::STORAGE,
        });
        params.resize(params.len().max(align as usize / 4), 0);
        let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("fft pass parameters"),
            contents: bytemuck::cast_slice(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let scratch = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("fft scratch"),
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        check(scope)?;
        Ok(Self {
            context: context.clone(),
            shape: shape.to_vec(),
            len,
            layout,
            pipelines,
            shared_pipelines,
            passes,
            twiddles,
            params,
            scratch,
        })
    }

    /// Device bytes the plan holds: scratch, twiddles and pass parameters.
    pub fn device_bytes(&self) -> u64 {
        self.scratch.size() + self.twiddles.size() + self.params.size()
    }

    /// What `device_bytes` will be for a plan of `shape` along `axes`, without a device
    /// (parameter sets `PARAMS_STRIDE` apart, as the plan lays them out).
    pub fn estimate_bytes(
        shape: &[usize],
        axes: &[usize],
        lengths: Lengths,
    ) -> Result<u64, GpuError> {
        let len: usize = shape.iter().product();
        let mut twiddles = 0u64;
        let mut passes = 0u64;
        for &axis in axes {
            let mut ns = 1;
            for radix in lengths.radices(shape[axis])? {
                twiddles += (ns * (radix - 1)) as u64;
                if is_generic(radix) {
                    twiddles += radix as u64;
                }
                ns *= radix;
                passes += 1;
            }
        }
        Ok(len as u64 * COMPLEX_BYTES
            + twiddles.max(1) * COMPLEX_BYTES
            + (2 * passes).max(1) * PARAMS_STRIDE)
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of complex elements in the array.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A device buffer of the right size for this plan, usable as storage and for copies.
    pub fn create_buffer(&self, label: &str) -> wgpu::Buffer {
        self.context
            .device()
            .create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: self.len as u64 * COMPLEX_BYTES,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
    }

    /// Prepares in-place transforms of `data`, which needs STORAGE and COPY_DST usage and at
    /// least `len()` complex elements.
    pub fn bind(&self, data: &wgpu::Buffer) -> Result<FftBinding, GpuError> {
        let needed = self.len as u64 * COMPLEX_BYTES;
        if data.size() < needed {
            return Err(GpuError::Shape(format!(
                "FFT buffer holds {} bytes, the plan for {:?} needs {needed}",
                data.size(),
                self.shape
            )));
        }
        // The copy back after an odd number of passes needs COPY_DST; checked here so that it
        // cannot fail later, at submission.
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        if !data.usage().contains(usage) {
            return Err(GpuError::Shape(format!(
                "FFT buffer usage {:?} lacks {usage:?}",
                data.usage()
            )));
        }
        let scope = self
            .context
            .device()
            .push_error_scope(wgpu::ErrorFilter::Validation);
        let group = |src: &wgpu::Buffer, dst: &wgpu::Buffer| self.pass_group(src, dst);
        let binding = FftBinding {
            data: data.clone(),
            data_to_scratch: group(data, &self.scratch),
            scratch_to_data: group(&self.scratch, data),
        };
        check(scope)?;
        Ok(binding)
    }

    /// Records the forward transform of the bound buffer, in place.
    pub fn forward(&self, encoder: &mut wgpu::CommandEncoder, binding: &FftBinding) {
        self.record(encoder, binding, Direction::Forward);
    }

    /// Records the inverse transform (scaled by 1/len) of the bound buffer, in place.
    pub fn inverse(&self, encoder: &mut wgpu::CommandEncoder, binding: &FftBinding) {
        self.record(encoder, binding, Direction::Inverse);
    }

    /// A bind group for one pass reading the plan's array from `src` and writing it to `dst`
    /// (each at least `len()` complex elements).
    pub(super) fn pass_group(&self, src: &wgpu::Buffer, dst: &wgpu::Buffer) -> wgpu::BindGroup {
        let needed = self.len as u64 * COMPLEX_BYTES;
        let whole = |buffer| wgpu::BufferBinding {
            buffer,
            offset: 0,
            size: NonZeroU64::new(needed),
        };
        self.context
            .device()
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("fft pass"),
                layout: &self.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: wgpu::BindingResource::Buffer(whole(src)),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::Buffer(whole(dst)),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: self.twiddles.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: &self.params,
                            offset: 0,
                            size: NonZeroU64::new(PARAMS_BYTES),
                        }),
                    },
                ],
            })
    }

    /// The plan's scratch buffer (`len()` complex elements).
    pub(super) fn scratch(&self) -> &wgpu::Buffer {
        &self.scratch
    }

    /// Number of Stockham passes of one transform.
    pub(super) fn pass_count(&self) -> usize {
        self.passes.len()
    }

    /// Records the passes of one transform, pass k with bind group `groups[k]` (which say
    /// where each pass reads and writes).
    pub(super) fn record_routed(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        groups: &[wgpu::BindGroup],
        direction: Direction,
    ) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("fft"),
            timestamp_writes: None,
        });
        for (step, group) in self.passes.iter().zip(groups) {
            let pipeline = match step.kernel {
                PassKernel::Stockham(p) => &self.pipelines[p],
                PassKernel::Shared { pipeline, .. } => &self.shared_pipelines[pipeline],
            };
            self.dispatch(&mut pass, step, pipeline, group, direction);
        }
    }

    fn dispatch(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        step: &Pass,
        pipeline: &wgpu::ComputePipeline,
        group: &wgpu::BindGroup,
        direction: Direction,
    ) {
        let params = match direction {
            Direction::Forward => step.forward_params,
            Direction::Inverse => step.inverse_params,
        };
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, group, &[params]);
        pass.dispatch_workgroups(step.workgroups[0], step.workgroups[1], 1);
    }

    /// Records one transform of the bound buffer, in place: the passes alternate between the
    /// data and the scratch buffer; a whole-axis pass run in place keeps the data where it is
    /// (bound as the destination, its kernel reads it there), which makes the number of
    /// buffer changes even. Otherwise an odd number ends with a copy back.
    pub fn record(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        binding: &FftBinding,
        direction: Direction,
    ) {
        let mut in_scratch = false;
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("fft"),
                timestamp_writes: None,
            });
            for step in &self.passes {
                let (pipeline, moves) = match step.kernel {
                    PassKernel::Stockham(p) => (&self.pipelines[p], true),
                    PassKernel::Shared {
                        in_place: Some(p), ..
                    } => (&self.shared_pipelines[p], false),
                    PassKernel::Shared { pipeline, .. } => (&self.shared_pipelines[pipeline], true),
                };
                // Reading from the data buffer means writing to scratch, and vice versa; an
                // in-place pass binds its buffer as the destination.
                let group = if in_scratch == moves {
                    &binding.scratch_to_data
                } else {
                    &binding.data_to_scratch
                };
                self.dispatch(&mut pass, step, pipeline, group, direction);
                in_scratch ^= moves;
            }
        }
        if in_scratch {
            let bytes = self.len as u64 * COMPLEX_BYTES;
            encoder.copy_buffer_to_buffer(&self.scratch, 0, &binding.data, 0, bytes);
        }
    }

    /// Dispatches of one `record`ed transform, copies included.
    pub fn dispatch_count(&self) -> usize {
        let in_place = self.passes.iter().any(|p| {
            matches!(
                p.kernel,
                PassKernel::Shared {
                    in_place: Some(_),
                    ..
                }
            )
        });
        let copy = self.passes.len() % 2 == 1 && !in_place;
        self.passes.len() + usize::from(copy)
    }

    /// Number of axes transformed in one dispatch each by the shared-memory kernel.
    pub fn shared_axis_count(&self) -> usize {
        self.passes
            .iter()
            .filter(|p| matches!(p.kernel, PassKernel::Shared { .. }))
            .count()
    }

    /// Uploads `data`, transforms it and reads it back; for tests and one-off use.
    pub fn transform_host(
        &self,
        data: &[Complex32],
        direction: Direction,
    ) -> Result<Vec<Complex32>, GpuError> {
        if data.len() != self.len {
            return Err(GpuError::Shape(format!(
                "{} values given for an array of shape {:?}",
                data.len(),
                self.shape
            )));
        }
        let context = &self.context;
        let buffer = self.create_buffer("fft data");
        context.upload_complex(&buffer, data);
        let binding = self.bind(&buffer)?;
        let mut encoder = context.device().create_command_encoder(&Default::default());
        self.record(&mut encoder, &binding, direction);
        context.queue().submit([encoder.finish()]);
        context.download_complex(&buffer)
    }
}

/// A grid of 64-wide workgroups covering `invocations`: rows of at most the device's
/// per-dimension limit. Shaders recover the index as id.x + id.y * (groups per row * 64).
pub(super) fn workgroups(invocations: u32, limits: &wgpu::Limits) -> [u32; 2] {
    let groups = invocations.div_ceil(WORKGROUP);
    let max_groups = limits.max_compute_workgroups_per_dimension;
    [groups.min(max_groups), groups.div_ceil(max_groups)]
}

pub(super) fn check(scope: wgpu::ErrorScopeGuard) -> Result<(), GpuError> {
    match pollster::block_on(scope.pop()) {
        Some(error) => Err(GpuError::Device(error.to_string())),
        None => Ok(()),
    }
}

/// Source (read), destination (read-write), a read-only table and 32 bytes of parameters at a
/// dynamic offset: the bindings of every shader in this module.
pub(super) fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("fft"),
        entries: &[
            storage_entry(0, true),
            storage_entry(1, false),
            storage_entry(2, true),
            wgpu::BindGroupLayoutEntry {
                binding: 3,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: NonZeroU64::new(PARAMS_BYTES),
                },
                count: None,
            },
        ],
    })
}

/// Largest prime factor a plan that allows any length takes.
pub const MAX_GENERIC_RADIX: usize = 97;

/// Which axis lengths a plan takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lengths {
    /// Products of 2, 3, 5 and 7.
    Smooth,
    /// Also prime factors up to `MAX_GENERIC_RADIX`, through slower generic passes.
    Any,
}

impl Lengths {
    pub(super) fn radices(self, n: usize) -> Result<Vec<usize>, GpuError> {
        match self {
            Lengths::Smooth => radices(n),
            Lengths::Any => radices_any(n),
        }
    }
}

/// Whether `radix` runs through the generic pass.
fn is_generic(radix: usize) -> bool {
    !matches!(radix, 2 | 3 | 4 | 5 | 7 | 8)
}

/// `radices`, followed by the other prime factors of `n` (each at most `MAX_GENERIC_RADIX`).
fn radices_any(n: usize) -> Result<Vec<usize>, GpuError> {
    let mut rest = n;
    for p in [2, 3, 5, 7] {
        while rest.is_multiple_of(p) {
            rest /= p;
        }
    }
    let mut out = radices(n / rest)?;
    let mut p = 11;
    while rest > 1 {
        while rest.is_multiple_of(p) {
            if p > MAX_GENERIC_RADIX {
                return Err(GpuError::UnsupportedSize(n));
            }
            out.push(p);
            rest /= p;
        }
        p += 2;
    }
    Ok(out)
}

/// The radices of the passes for an axis of length `n`: eights, then one four or two for the
/// remaining powers of two, then threes, fives and sevens.
pub(super) fn radices(n: usize) -> Result<Vec<usize>, GpuError> {
    let mut rest = n;
    let mut count = |p: usize| {
        let mut k = 0;
        while rest.is_multiple_of(p) {
            rest /= p;
            k += 1;
        }
        k
    };
    let twos = count(2);
    let threes = count(3);
    let fives = count(5);
    let sevens = count(7);
    if rest != 1 {
        return Err(GpuError::UnsupportedSize(n));
    }
    let mut out = vec![8; twos / 3];
    match twos % 3 {
        1 => out.push(2),
        2 => out.push(4),
        _ => {}
    }
    out.extend(std::iter::repeat_n(3, threes));
    out.extend(std::iter::repeat_n(5, fives));
    out.extend(std::iter::repeat_n(7, sevens));
    Ok(out)
}

/// Appends the twiddles of a pass of `radix` after radices with product `ns`, computed in f64 and
/// rounded once: e^{-2πi k r / (ns radix)} for 0 <= k < ns, 1 <= r < radix, as (re, im) pairs.
pub(super) fn push_twiddles(table: &mut Vec<f32>, ns: usize, radix: usize) {
    for k in 0..ns {
        for r in 1..radix {
            let angle = -2.0 * std::f64::consts::PI * (k * r) as f64 / (ns * radix) as f64;
            table.extend([angle.cos() as f32, angle.sin() as f32]);
        }
    }
    if is_generic(radix) {
        for m in 0..radix {
            let angle = -2.0 * std::f64::consts::PI * m as f64 / radix as f64;
            table.extend([angle.cos() as f32, angle.sin() as f32]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radices_multiply_to_the_length() {
        assert_eq!(radices(1).unwrap(), Vec::<usize>::new());
        assert_eq!(radices(64).unwrap(), vec![8, 8]);
        assert_eq!(radices(32).unwrap(), vec![8, 4]);
        assert_eq!(radices(2 * 9 * 5 * 7).unwrap(), vec![2, 3, 3, 5, 7]);
        assert_eq!(radices(22), Err(GpuError::UnsupportedSize(22)));
        assert_eq!(radices_any(94).unwrap(), vec![2, 47]);
        assert_eq!(radices_any(2 * 11 * 11 * 9).unwrap(), vec![2, 3, 3, 11, 11]);
        assert_eq!(radices_any(2 * 101), Err(GpuError::UnsupportedSize(202)));
    }

    #[test]
    fn large_dispatches_wrap_into_rows() {
        let limits = wgpu::Limits {
            max_compute_workgroups_per_dimension: 4,
            ..wgpu::Limits::default()
        };
        assert_eq!(workgroups(3 * WORKGROUP, &limits), [3, 1]);
        let grid = workgroups(10 * WORKGROUP + 1, &limits);
        assert_eq!(grid, [4, 3]);
        assert!(grid[0] * grid[1] * WORKGROUP > 10 * WORKGROUP);
    }

    #[test]
    fn shared_kernels_tile_lines_to_fill_workgroup_memory() {
        // 2048 values (16 KiB): eight lines of 256, 256 invocations of 8 values each.
        let kernel = SharedKernel::new(256, &radices(256).unwrap(), 1000, 2048, 256);
        assert_eq!((kernel.line_tile, kernel.threads), (8, 256));
        // Radix 4 is the smallest: 512 butterflies per stage over 256 invocations.
        assert_eq!(kernel.max_butterflies, 2);
        // Short lines: at most MAX_LINE_TILE of them, and no more than there are.
        let kernel = SharedKernel::new(28, &radices(28).unwrap(), 1000, 4096, 256);
        assert_eq!((kernel.line_tile, kernel.threads), (MAX_LINE_TILE, 128));
        assert_eq!(SharedKernel::new(28, &[4, 7], 3, 4096, 256).line_tile, 2);
        // A line as long as workgroup memory holds, alone.
        let kernel = SharedKernel::new(2048, &radices(2048).unwrap(), 64, 2048, 256);
        assert_eq!((kernel.line_tile, kernel.max_butterflies), (1, 2));
        let source = kernel.source();
        assert!(
            source.contains("const LINE_LENGTH: u32 = 2048u;"),
            "{source}"
        );
        assert!(source.contains("array<u32, 4>(8u, 8u, 8u, 4u)"), "{source}");
    }

    #[test]
    fn twiddles_come_from_f64() {
        let mut table = Vec::new();
        push_twiddles(&mut table, 3, 5);
        assert_eq!(table.len(), 2 * 3 * 4);
        // k = 2, r = 3: e^{-2πi 6/15}.
        let angle = -2.0 * std::f64::consts::PI * 6.0 / 15.0;
        let at = 2 * (2 * 4 + 2);
        assert_eq!(table[at..at + 2], [angle.cos() as f32, angle.sin() as f32]);
    }
}
