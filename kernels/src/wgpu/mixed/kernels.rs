//! The pipelines of the mixed-domain stepper (one pass kernel per axis, compiled with that
//! axis' line length, tile and radices; the point-wise kernels of mixed_points.wgsl), the one
//! bind group they all share, and the dispatches of a run with their parameter slots.

use super::params::{Params, Slots, PARAMS_WORDS};
use super::plan::Sizes;
use crate::cpu::mixed::tables::Tables;
use crate::setup::AcousticSetup;
use crate::wgpu::device::{storage_entry, uniform_entry};
use crate::wgpu::fft::{
    radices, shared_capacity, workgroups, SharedKernel, BUTTERFLIES, STOCKHAM_TILE,
};
use crate::{PassShape, PassTuning};
use std::num::NonZeroU64;

const COMMON: &str = include_str!("../../../wgsl/mixed_common.wgsl");
const PASS: &str = include_str!("../../../wgsl/mixed_pass.wgsl");
const POINTS: &str = include_str!("../../../wgsl/mixed_points.wgsl");

/// The point-wise kernels, in the order of `POINT_ENTRIES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Point {
    RestorePairs,
    AbsorptionTerms,
    ScatterSource,
    CorrectSource,
    SensorPartials,
    SensorTotals,
    GatherSensors,
    FoldExtremes,
    AccumulateCw,
    DensityMagnitude,
}

const POINT_ENTRIES: [&str; 10] = [
    "restore_pairs",
    "absorption_terms",
    "scatter_source",
    "correct_source",
    "sensor_partials",
    "sensor_totals",
    "gather_sensors",
    "fold_extremes",
    "accumulate_cw",
    "density_magnitude",
];

/// One dispatch: its pipeline, its parameter slot (byte offset) and its workgroup grid.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dispatch {
    pipeline: Pipeline,
    params: u32,
    grid: [u32; 2],
}

#[derive(Clone, Copy, Debug)]
enum Pipeline {
    Pass(usize),
    Point(Point),
}

pub(super) struct Buffers<'a> {
    /// In binding order 0..=9: spectra, velocity, density, work, divergence, tables, indices,
    /// samples, records, magnitude.
    pub storage: [&'a wgpu::Buffer; 10],
    pub params: &'a wgpu::Buffer,
    pub step: &'a wgpu::Buffer,
}

pub(super) struct Kernels {
    passes: Vec<wgpu::ComputePipeline>,
    points: Vec<wgpu::ComputePipeline>,
    group: wgpu::BindGroup,
    pub shapes: Vec<PassShape>,
}

/// Every dispatch of a run. Passes: `[axis][mode][parity]`, mode 0 initial, 1 step, 2 step
/// with a pressure source; parity: which half of `spectra` holds F{p} of the last step.
pub(super) struct Dispatches {
    pub passes: Vec<[[Dispatch; 2]; 3]>,
    pub restore: [Dispatch; 2],
    pub absorption: [Dispatch; 2],
    pub magnitude: [Dispatch; 2],
    pub sensor_partials: [Dispatch; 2],
    pub sensor_totals: Dispatch,
    pub scatter_source: Dispatch,
    pub correct_source: Dispatch,
    pub gather_sensors: Dispatch,
    pub fold_extremes: Dispatch,
    pub accumulate_cw: Dispatch,
}

impl Kernels {
    /// Pipelines for the run, their dispatches, and the contents of the parameter buffer.
    pub fn plan(
        device: &wgpu::Device,
        setup: &AcousticSetup,
        sizes: &Sizes,
        tables: &Tables,
        tuning: &PassTuning,
    ) -> (Vec<(SharedKernel, u32, u32)>, Dispatches, Vec<u8>) {
        let limits = device.limits();
        let d = &sizes.dims;
        let capacity = shared_capacity(&limits);
        let max_threads = limits
            .max_compute_invocations_per_workgroup
            .min(limits.max_compute_workgroup_size_x);
        let max_groups = limits.max_compute_workgroups_per_dimension;
        let grid_of = |groups: u32| [groups.min(max_groups), groups.div_ceil(max_groups)];
        let base = Params::new(setup, sizes, tables);
        let mut slots = Slots::default();
        let mut kernels = Vec::new();
        let mut passes = Vec::new();
        for axis in 0..d.ndim {
            let n = setup.shape[axis];
            // Lines per tile: x lines are whole rows; y and z lines are kx columns at one kz/ky.
            let (lines, outer) = match axis {
                0 => (d.nzh * d.ny, 1),
                1 => (d.nxh, d.nz),
                _ => (d.nxh, d.ny),
            };
            let radices = radices(n).expect("checked by mixed_domain_unsupported");
            let kernel = SharedKernel::tuned(n, &radices, lines, capacity, max_threads, tuning);
            let tiles_per_row = lines.div_ceil(kernel.line_tile) as u32;
            let tiles = tiles_per_row * outer as u32;
            let grid = grid_of(tiles);
            let mut params = base.for_axis(axis, sizes, tables);
            params.tiles_per_row = tiles_per_row;
            params.groups_per_row = grid[0];
            params.count = tiles;
            let modes = [0, 1, 2].map(|mode| {
                [0, 1].map(|parity| {
                    let mut p = params.with_parity(parity, sizes.half_len);
                    p.mode = mode;
                    Dispatch {
                        pipeline: Pipeline::Pass(axis),
                        params: slots.push(&p),
                        grid,
                    }
                })
            });
            passes.push(modes);
            kernels.push((kernel, tiles, grid[0]));
        }
        let mut point = |kind: Point, count: usize, parity: usize| {
            let grid = workgroups(count.max(1) as u32, &limits);
            let mut p = base.with_parity(parity, sizes.half_len);
            p.count = count as u32;
            p.groups_per_row = grid[0];
            Dispatch {
                pipeline: Pipeline::Point(kind),
                params: slots.push(&p),
                grid,
            }
        };
        let pairs = sizes.spectrum_pairs + sizes.domain_pairs;
        let source_points = setup
            .pressure_source
            .as_ref()
            .map_or(0, |s| s.indices.len());
        let sensors = sizes.sensors as u32;
        let restore = [0, 1].map(|parity| point(Point::RestorePairs, pairs, parity));
        let absorption = [0, 1].map(|parity| point(Point::AbsorptionTerms, sizes.half_len, parity));
        let magnitude = [0, 1].map(|parity| point(Point::DensityMagnitude, sizes.half_len, parity));
        let mut sensor_partials = [0, 1].map(|parity| point(Point::SensorPartials, 0, parity));
        for dispatch in &mut sensor_partials {
            dispatch.grid = [sizes.chunks as u32, sensors];
        }
        let mut sensor_totals = point(Point::SensorTotals, 0, 0);
        sensor_totals.grid = [sensors, 1];
        let dispatches = Dispatches {
            passes,
            restore,
            absorption,
            magnitude,
            sensor_partials,
            sensor_totals,
            scatter_source: point(Point::ScatterSource, source_points, 0),
            correct_source: point(Point::CorrectSource, sizes.half_len, 0),
            gather_sensors: point(Point::GatherSensors, sizes.sensors, 0),
            fold_extremes: point(Point::FoldExtremes, sizes.points, 0),
            accumulate_cw: point(Point::AccumulateCw, sizes.sensors, 0),
        };
        (kernels, dispatches, slots.bytes())
    }

    pub fn new(
        device: &wgpu::Device,
        pass_kernels: &[(SharedKernel, u32, u32)],
        absorbing: bool,
        buffers: &Buffers<'_>,
    ) -> Self {
        let layout = bind_group_layout(device);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mixed domain"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = |label: &str, source: String, entry_point: &str| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry_point),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry_point),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let passes = pass_kernels
            .iter()
            .enumerate()
            .map(|(axis, (kernel, _, _))| {
                let source = format!(
                    "{}const AXIS: u32 = {axis}u;\nconst ABSORBING: bool = {absorbing};\n\
                     {COMMON}\n{PASS}\n{STOCKHAM_TILE}\n{BUTTERFLIES}",
                    kernel.constants()
                );
                pipeline("mixed_pass.wgsl", source, "axis_pass")
            })
            .collect();
        let points_source = format!("{COMMON}\n{POINTS}");
        let points = POINT_ENTRIES
            .iter()
            .map(|entry| pipeline("mixed_points.wgsl", points_source.clone(), entry))
            .collect();
        let mut entries: Vec<wgpu::BindGroupEntry> = buffers
            .storage
            .iter()
            .enumerate()
            .map(|(binding, buffer)| wgpu::BindGroupEntry {
                binding: binding as u32,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        entries.push(wgpu::BindGroupEntry {
            binding: 10,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: buffers.params,
                offset: 0,
                size: NonZeroU64::new(4 * PARAMS_WORDS as u64),
            }),
        });
        entries.push(wgpu::BindGroupEntry {
            binding: 11,
            resource: buffers.step.as_entire_binding(),
        });
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("mixed domain"),
            layout: &layout,
            entries: &entries,
        });
        let shapes = pass_kernels
            .iter()
            .map(|(kernel, tiles, _)| PassShape {
                tile: kernel.line_tile,
                shared_bytes: kernel.line_tile * kernel.line_length * 8,
                threads: kernel.threads as usize,
                blocks: *tiles as usize,
            })
            .collect();
        Self {
            passes,
            points,
            group,
            shapes,
        }
    }

    /// Records `dispatch` into `pass`.
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, dispatch: &Dispatch) {
        let pipeline = match dispatch.pipeline {
            Pipeline::Pass(axis) => &self.passes[axis],
            Pipeline::Point(kind) => &self.points[kind as usize],
        };
        if dispatch.grid[0] == 0 || dispatch.grid[1] == 0 {
            return;
        }
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &self.group, &[dispatch.params]);
        pass.dispatch_workgroups(dispatch.grid[0], dispatch.grid[1], 1);
    }
}

fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let mut entries: Vec<wgpu::BindGroupLayoutEntry> = (0..10)
        .map(|b| storage_entry(b, b == 5 || b == 6))
        .collect();
    entries.push(uniform_entry(10, true));
    entries.push(uniform_entry(11, false));
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("mixed domain"),
        entries: &entries,
    })
}
