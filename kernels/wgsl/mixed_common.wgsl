// Bindings and parameters shared by the mixed-domain kernels (mixed_pass.wgsl,
// mixed_points.wgsl); kernels/src/wgpu/mixed/params.rs mirrors `Params` word by word. Each
// shader declares `work` (binding 3) as it reads it, and `cmul` (butterflies.wgsl's in the pass).
//
// Layouts (complex values interleaved): F{p} `[kz][ky][kx < nxh]`, two of them in `spectra`
// (the last step's at params.current, the one being formed at params.next); mixed domain x
// `[kz < nzh][ky][x]`, mixed domains y `[kz][y][kx < nxh]` and z `[z][ky][kx < nxh]`, one after
// the other in `velocity` and in `density` (axis i from params.field).

struct Params {
    nx: u32,
    ny: u32,
    nz: u32,
    nxh: u32,
    points: u32,
    half_len: u32,
    sensors: u32,
    // Complex offsets of F{p} of the last step and of the step being formed in `spectra`.
    current: u32,
    next: u32,
    // Complex offset of this axis' u_i and rho_i in `velocity` and `density`.
    field: u32,
    // Pass: 0 initial, 1 step, 2 step with a pressure source. Absorption: 1 power law, 2 Stokes.
    mode: u32,
    // Workgroups per row of a 2D dispatch grid; column tiles per (kz or ky) of a y or z pass.
    groups_per_row: u32,
    tiles_per_row: u32,
    // Invocations of a point-wise kernel; workgroups per sensor of the sensor sums.
    count: u32,
    chunks: u32,
    // Offsets in `tables` (floats): this axis' derivative factors (complex, over the axis),
    // the FFT twiddles, squared wavenumbers (x over nx, then y, then z), PML profiles of this
    // axis, the source correction, |k|^(y-2) and |k|^(y-1), the sensor phases (complex,
    // [kx][sensor], then [ky][sensor], then [kz][sensor]), the source signal.
    gradient: u32,
    divergence: u32,
    twiddles: u32,
    wavenumbers: u32,
    pml: u32,
    pml_staggered: u32,
    source_kappa: u32,
    nabla1: u32,
    nabla2: u32,
    phases: u32,
    source_signal: u32,
    // Offsets and counts in `indices`: sensor points, source points, conjugate pairs (of F{p}
    // first, then of the mixed domains, as (a, b) index pairs).
    sensor_points: u32,
    source_points: u32,
    source_point_count: u32,
    source_per_point: u32,
    pairs: u32,
    spectrum_pair_count: u32,
    domain_pair_count: u32,
    // Float offsets in `samples` (CW sums, partial sums) and `records` (max, min).
    cw: u32,
    partials: u32,
    record_max: u32,
    record_min: u32,
    dt_over_rho: f32,
    dt_rho0: f32,
    c0_squared: f32,
    inverse_scale: f32,
    half_c_ref_dt: f32,
    // 1 / (ndim c0^2 n_i): rho_i of the initial pass per unnormalised inverse-transformed p0.
    initial_density: f32,
    // n_i: F{d/dx_i u_i} from the divergence factor, which holds the 1/n_i of its inverse.
    axis_points: f32,
    c0_squared_tau_rho0: f32,
    eta: f32,
    inverse_points: f32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
    pad3: u32,
    pad4: u32,
}

// What changes from step to step, written with queue.write_buffer before each submission.
struct StepState {
    // Sample row of the step (steps ended since the last read-back).
    row: u32,
    source_step: u32,
    cw: vec2<f32>,
}

@group(0) @binding(0) var<storage, read_write> spectra: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> velocity: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> density: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> divergence: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read> tables: array<f32>;
@group(0) @binding(6) var<storage, read> indices: array<u32>;
@group(0) @binding(10) var<uniform> params: Params;
@group(0) @binding(11) var<uniform> state: StepState;

fn conj(a: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x, -a.y);
}

fn table_complex(at: u32) -> vec2<f32> {
    return vec2<f32>(tables[at], tables[at + 1u]);
}
