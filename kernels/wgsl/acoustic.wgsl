// The acoustic stepper's kernels: the k-space multiply of the spectral buffers, the fused
// point-wise updates, source scatter, sensor gather, CW sums and the density reduction.
//
// Every spectral buffer is bound once (spec0..spec6, read-write), and a dispatch says in `job`
// which buffer each of its logical inputs and outputs is, so that an input and an output may
// be the same buffer (each invocation reads its own elements before writing them). After an
// in-place inverse transform a buffer holds the real field in its first n floats; an update
// writes its real result there before the in-place forward transform.
//
// Grid indices are x fastest: i = x + nx (y + ny z). Spectra are the real-to-complex half
// spectrum, nxh = nx / 2 + 1 bins along x, x fastest, as interleaved (re, im) floats.

struct Grid {
    // nx, ny, nz, n.
    size: vec4<u32>,
    // ndim, nxh, spectral elements, sensors.
    info: vec4<u32>,
    // sample capacity, nonlinear, absorbing, stokes.
    flags: vec4<u32>,
    // Word offsets into `tables` of the regular and staggered PML profiles per axis.
    pml: vec4<u32>,
    pml_staggered: vec4<u32>,
    // Wavenumbers per axis (nxh along x), and the shifted derivative factors (complex).
    wavenumbers: vec4<u32>,
    derivative_forward: vec4<u32>,
    derivative_backward: vec4<u32>,
    // Sensor indices (offset in `tables`); velocity-sample block, CW re and CW im sums
    // (offsets in `samples`, whose pressure-sample block starts at 0).
    sampling: vec4<u32>,
    // Per coefficient: offset into `coefs`, or NO_MAP when uniform (then `coef_value`).
    coef_offset: array<vec4<u32>, 3>,
    coef_value: array<vec4<f32>, 3>,
    // dt, c_ref dt / 2, y - 2, y - 1 (absorption power).
    scalars: vec4<f32>,
    // Offset of the running max of p in `pressure_record` (the min follows it); rest unused.
    records: vec4<u32>,
}

struct Job {
    // Spectral buffer of each logical input (up to eight) and output (up to four).
    inputs: array<vec4<u32>, 2>,
    outputs: vec4<u32>,
    // kind (spectral op, or update phase bits), step, forward outputs (velocity), sample row.
    what: vec4<u32>,
    // invocations, invocations per row of the dispatch grid, WholeGrid keep, extremes.
    extent: vec4<u32>,
    // Point source: indices offset, signals offset, points, per point (1) or not (0).
    source: vec4<u32>,
    // Point source: injection (0 Dirichlet, 1 additive), target (0 velocity, 1 density),
    // first axis, last axis + 1.
    source_target: vec4<u32>,
    // Logical input of the corrected source per axis (velocity) or in x (density), or NONE.
    corrected: vec4<u32>,
    // w_re, w_im of the CW sums.
    weights: vec4<f32>,
}

const NO_MAP: u32 = 0xffffffffu;
const NONE: u32 = 0xffffffffu;
const WORKGROUP: u32 = 64u;

// Coefficient slots (`coef_offset` / `coef_value`).
const DT_OVER_RHO_X: u32 = 0u;
const DT_RHO0: u32 = 3u;
const C0_SQUARED: u32 = 4u;
const NONLINEARITY: u32 = 5u;
const TAU: u32 = 6u;
const ETA: u32 = 7u;
const ABSORPTION_RHO0: u32 = 8u;
const STOKES: u32 = 9u;

// Update phases (`what.x` bits of the velocity and density kernels).
const PHASE_UPDATE: u32 = 1u;
const PHASE_FINISH: u32 = 2u;

@group(0) @binding(0) var<uniform> grid: Grid;
@group(0) @binding(1) var<uniform> job: Job;
@group(0) @binding(2) var<storage, read_write> spec0: array<f32>;
@group(0) @binding(3) var<storage, read_write> spec1: array<f32>;
@group(0) @binding(4) var<storage, read_write> spec2: array<f32>;
@group(0) @binding(5) var<storage, read_write> spec3: array<f32>;
@group(0) @binding(6) var<storage, read_write> spec4: array<f32>;
@group(0) @binding(7) var<storage, read_write> spec5: array<f32>;
@group(0) @binding(8) var<storage, read_write> spec6: array<f32>;
// u_a at a n + i, rho_a at a n + i.
@group(0) @binding(9) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(10) var<storage, read_write> density: array<f32>;
// Coefficient maps, one after another.
@group(0) @binding(11) var<storage, read> coefs: array<f32>;
// PML profiles, wavenumbers, derivative factors, sensor and source indices, source signals
// (f32 as bits).
@group(0) @binding(12) var<storage, read> tables: array<u32>;
// Kept p (n), running max of p (n), running min of p (n), each present when asked for.
@group(0) @binding(13) var<storage, read_write> pressure_record: array<f32>;
// Running max of u_a at a n + i, running min at (ndim + a) n + i.
@group(0) @binding(14) var<storage, read_write> velocity_record: array<f32>;
// Pressure samples [capacity][sensors], velocity samples [axis][capacity][sensors], CW sums.
@group(0) @binding(15) var<storage, read_write> samples: array<f32>;
// Bits of max |sum_a rho_a| (non-negative floats order as their bits).
@group(0) @binding(16) var<storage, read_write> reduction: array<atomic<u32>>;

fn spec_get(b: u32, i: u32) -> f32 {
    var v: f32;
    switch b {
        case 0u: { v = spec0[i]; }
        case 1u: { v = spec1[i]; }
        case 2u: { v = spec2[i]; }
        case 3u: { v = spec3[i]; }
        case 4u: { v = spec4[i]; }
        case 5u: { v = spec5[i]; }
        default: { v = spec6[i]; }
    }
    return v;
}

fn spec_set(b: u32, i: u32, v: f32) {
    switch b {
        case 0u: { spec0[i] = v; }
        case 1u: { spec1[i] = v; }
        case 2u: { spec2[i] = v; }
        case 3u: { spec3[i] = v; }
        case 4u: { spec4[i] = v; }
        case 5u: { spec5[i] = v; }
        default: { spec6[i] = v; }
    }
}

fn input(k: u32) -> u32 {
    return job.inputs[k / 4u][k % 4u];
}

fn coef(slot: u32, i: u32) -> f32 {
    let offset = grid.coef_offset[slot / 4u][slot % 4u];
    if (offset == NO_MAP) {
        return grid.coef_value[slot / 4u][slot % 4u];
    }
    return coefs[offset + i];
}

fn table_f32(at: u32) -> f32 {
    return bitcast<f32>(tables[at]);
}

fn table_complex(at: u32) -> vec2<f32> {
    return vec2<f32>(bitcast<f32>(tables[at]), bitcast<f32>(tables[at + 1u]));
}

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

fn invocation(id: vec3<u32>) -> u32 {
    return id.x + id.y * job.extent.y;
}

// (x, y, z) of grid point i.
fn coords(i: u32) -> vec3<u32> {
    let nx = grid.size.x;
    let ny = grid.size.y;
    return vec3<u32>(i % nx, (i / nx) % ny, i / (nx * ny));
}

// ---------------------------------------------------------------------------------------
// k-space multiply: what.x = 0 gradient (staggered +), 1 divergence (staggered -),
// 2 fractional Laplacians, 3 source correction. The inverse transform is normalised, so the
// factors carry no 1/N.

@compute @workgroup_size(WORKGROUP)
fn spectral(@builtin(global_invocation_id) id: vec3<u32>) {
    let e = invocation(id);
    if (e >= job.extent.x) {
        return;
    }
    let nxh = grid.info.y;
    let ny = grid.size.y;
    let k_index = vec3<u32>(e % nxh, (e / nxh) % ny, e / (nxh * ny));
    let kx = table_f32(grid.wavenumbers.x + k_index.x);
    let ky = table_f32(grid.wavenumbers.y + k_index.y);
    let kz = table_f32(grid.wavenumbers.z + k_index.z);
    let k_norm = sqrt(kx * kx + ky * ky + kz * kz);
    let half_angle = grid.scalars.y * k_norm;
    let ndim = grid.info.x;
    let re = 2u * e;
    switch job.what.x {
        case 0u: {
            var kappa = 1.0;
            if (half_angle != 0.0) {
                kappa = sin(half_angle) / half_angle;
            }
            let b = input(0u);
            let v = vec2<f32>(spec_get(b, re), spec_get(b, re + 1u)) * kappa;
            for (var a = 0u; a < ndim; a++) {
                let d = table_complex(grid.derivative_forward[a] + 2u * k_index[a]);
                let w = cmul(v, d);
                let out = job.outputs[a];
                spec_set(out, re, w.x);
                spec_set(out, re + 1u, w.y);
            }
        }
        case 1u: {
            var kappa = 1.0;
            if (half_angle != 0.0) {
                kappa = sin(half_angle) / half_angle;
            }
            for (var a = 0u; a < ndim; a++) {
                let b = input(a);
                let v = vec2<f32>(spec_get(b, re), spec_get(b, re + 1u));
                let d = table_complex(grid.derivative_backward[a] + 2u * k_index[a]);
                let w = cmul(v, d * kappa);
                let out = job.outputs[a];
                spec_set(out, re, w.x);
                spec_set(out, re + 1u, w.y);
            }
        }
        case 2u: {
            var first = 0.0;
            var second = 0.0;
            if (k_norm != 0.0) {
                first = pow(k_norm, grid.scalars.z);
                second = pow(k_norm, grid.scalars.w);
            }
            var factors = array<f32, 2>(first, second);
            for (var t = 0u; t < 2u; t++) {
                let b = input(t);
                let v = vec2<f32>(spec_get(b, re), spec_get(b, re + 1u)) * factors[t];
                let out = job.outputs[t];
                spec_set(out, re, v.x);
                spec_set(out, re + 1u, v.y);
            }
        }
        default: {
            let factor = cos(half_angle);
            let b = input(0u);
            let v = vec2<f32>(spec_get(b, re), spec_get(b, re + 1u)) * factor;
            let out = job.outputs[0];
            spec_set(out, re, v.x);
            spec_set(out, re + 1u, v.y);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Whole-grid records of p and u.

fn record_pressure(i: u32, p: f32) {
    let n = grid.size.w;
    // extent.z: keep; extent.w: fold into the extremes.
    if (job.extent.z != 0u) {
        pressure_record[i] = p;
    }
    if (job.extent.w != 0u) {
        let base = grid.records.x;
        pressure_record[base + i] = max(pressure_record[base + i], p);
        pressure_record[base + n + i] = min(pressure_record[base + n + i], p);
    }
}

fn record_velocity(a: u32, i: u32, u: f32) {
    if (job.extent.w != 0u) {
        let n = grid.size.w;
        let hi = a * n + i;
        let lo = (grid.info.x + a) * n + i;
        velocity_record[hi] = max(velocity_record[hi], u);
        velocity_record[lo] = min(velocity_record[lo], u);
    }
}

// p = c0^2 (rho + B/A rho^2 / (2 rho0) [+ Stokes or absorption terms]), as the CPU orders it.
fn equation_of_state(i: u32, total: f32, divergence: f32, tau_term: f32, eta_term: f32) -> f32 {
    var p = total;
    if (grid.flags.y != 0u) {
        p += coef(NONLINEARITY, i) * p * p;
    }
    if (grid.flags.w != 0u) {
        p += coef(STOKES, i) * divergence;
    }
    if (grid.flags.z != 0u) {
        p += coef(TAU, i) * tau_term;
        p -= coef(ETA, i) * eta_term;
    }
    return p * coef(C0_SQUARED, i);
}

fn density_sum(i: u32) -> f32 {
    let n = grid.size.w;
    var total = 0.0;
    for (var a = 0u; a < grid.info.x; a++) {
        total += density[a * n + i];
    }
    return total;
}

// ---------------------------------------------------------------------------------------
// Fused updates over the grid.

// p = c0^2 sum rho_a (the split density holds p0 / (ndim c0^2)); output 0 gets p.
@compute @workgroup_size(WORKGROUP)
fn initial_pressure(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= job.extent.x) {
        return;
    }
    let p = density_sum(i) * coef(C0_SQUARED, i);
    record_pressure(i, p);
    spec_set(job.outputs[0], i, p);
}

// u_a = dt / (2 rho0_sg_a) kappa d/dx_a+ p0, from inputs 0..ndim.
@compute @workgroup_size(WORKGROUP)
fn initial_velocity(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= job.extent.x) {
        return;
    }
    let n = grid.size.w;
    for (var a = 0u; a < grid.info.x; a++) {
        let g = spec_get(input(a), i);
        let u = 0.5 * coef(DT_OVER_RHO_X + a, i) * g;
        velocity[a * n + i] = u;
        record_velocity(a, i, u);
    }
}

// Update phase: u_a = pml_sg (pml_sg u_a - dt / rho0_sg kappa d/dx_a+ p). Finish phase: add
// the corrected source, record, write u_a to output a (when there are outputs). With both
// phases in one dispatch the new u_a stays in registers between them.
@compute @workgroup_size(WORKGROUP)
fn velocity_update(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= job.extent.x) {
        return;
    }
    let n = grid.size.w;
    let ndim = grid.info.x;
    let updating = (job.what.x & PHASE_UPDATE) != 0u;
    var updated: array<f32, 3>;
    if (updating) {
        let c = coords(i);
        for (var a = 0u; a < ndim; a++) {
            let g = spec_get(input(a), i);
            let pml = table_f32(grid.pml_staggered[a] + c[a]);
            let u = velocity[a * n + i];
            updated[a] = pml * (pml * u - coef(DT_OVER_RHO_X + a, i) * g);
        }
    }
    if ((job.what.x & PHASE_FINISH) == 0u) {
        for (var a = 0u; a < ndim; a++) {
            velocity[a * n + i] = updated[a];
        }
        return;
    }
    for (var a = 0u; a < ndim; a++) {
        var u: f32;
        if (updating) {
            u = updated[a];
        } else {
            u = velocity[a * n + i];
        }
        let source = job.corrected[a];
        if (source != NONE) {
            u += spec_get(input(source), i);
        }
        velocity[a * n + i] = u;
        record_velocity(a, i, u);
        if (a < job.what.z) {
            spec_set(job.outputs[a], i, u);
        }
    }
}

// Update phase: rho_a = pml (pml rho_a - factor kappa d/dx_a- u_a), factor = dt rho0 (plus
// 2 dt rho_total_old when nonlinear). Finish phase: add the corrected source (logical input
// job.corrected.x when set), then p (lossless: output 0, sampled afterwards) or rho0 div u
// and rho (absorbing: outputs 0 and 1). With both phases in one dispatch the new rho_a and
// the divergence terms stay in registers between them.
@compute @workgroup_size(WORKGROUP)
fn density_update(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= job.extent.x) {
        return;
    }
    let n = grid.size.w;
    let ndim = grid.info.x;
    let updating = (job.what.x & PHASE_UPDATE) != 0u;
    var updated: array<f32, 3>;
    var terms: array<f32, 3>;
    if (updating) {
        let c = coords(i);
        let dt = grid.scalars.x;
        var factor = coef(DT_RHO0, i);
        if (grid.flags.y != 0u) {
            factor = 2.0 * dt * density_sum(i) + factor;
        }
        for (var a = 0u; a < ndim; a++) {
            let d = spec_get(input(a), i);
            terms[a] = d;
            let pml = table_f32(grid.pml[a] + c[a]);
            let rho = density[a * n + i];
            updated[a] = pml * (pml * rho - factor * d);
        }
    }
    if ((job.what.x & PHASE_FINISH) == 0u) {
        for (var a = 0u; a < ndim; a++) {
            density[a * n + i] = updated[a];
        }
        return;
    }
    var source = 0.0;
    let corrected = job.corrected.x != NONE;
    if (corrected) {
        source = spec_get(input(job.corrected.x), i);
    }
    var total = 0.0;
    var divergence = 0.0;
    for (var a = 0u; a < ndim; a++) {
        var rho: f32;
        var d: f32;
        if (updating) {
            rho = updated[a];
            d = terms[a];
        } else {
            rho = density[a * n + i];
            d = spec_get(input(a), i);
        }
        if (corrected) {
            rho += source;
        }
        density[a * n + i] = rho;
        total += rho;
        divergence += d;
    }
    if (grid.flags.z != 0u) {
        spec_set(job.outputs[0], i, divergence * coef(ABSORPTION_RHO0, i));
        spec_set(job.outputs[1], i, total);
    } else {
        let p = equation_of_state(i, total, divergence, 0.0, 0.0);
        record_pressure(i, p);
        spec_set(job.outputs[0], i, p);
    }
}

// p = c0^2 (rho + B/A term + tau L1{rho0 div u} - eta L2{rho}) from inputs 0 and 1.
@compute @workgroup_size(WORKGROUP)
fn absorbing_pressure(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= job.extent.x) {
        return;
    }
    let tau_term = spec_get(input(0u), i);
    let eta_term = spec_get(input(1u), i);
    let p = equation_of_state(i, density_sum(i), 0.0, tau_term, eta_term);
    record_pressure(i, p);
    spec_set(job.outputs[0], i, p);
}

// ---------------------------------------------------------------------------------------
// Sources and sensors: one invocation per point.

fn source_value(k: u32) -> f32 {
    let points = job.source.z;
    var at = job.source.y + job.what.y;
    if (job.source.w != 0u) {
        at = job.source.y + job.what.y * points + k;
    }
    return table_f32(at);
}

// Writes this step's source values at the source points of the (zeroed) real field in output 0.
@compute @workgroup_size(WORKGROUP)
fn scatter_source(@builtin(global_invocation_id) id: vec3<u32>) {
    let k = invocation(id);
    if (k >= job.extent.x) {
        return;
    }
    spec_set(job.outputs[0], tables[job.source.x + k], source_value(k));
}

// Dirichlet or uncorrected additive point source on the velocity or density components
// first..last.
@compute @workgroup_size(WORKGROUP)
fn point_source(@builtin(global_invocation_id) id: vec3<u32>) {
    let k = invocation(id);
    if (k >= job.extent.x) {
        return;
    }
    let n = grid.size.w;
    let i = tables[job.source.x + k];
    let value = source_value(k);
    for (var a = job.source_target.z; a < job.source_target.w; a++) {
        let at = a * n + i;
        if (job.source_target.y == 0u) {
            if (job.source_target.x == 0u) {
                velocity[at] = value;
            } else {
                velocity[at] += value;
            }
        } else {
            if (job.source_target.x == 0u) {
                density[at] = value;
            } else {
                density[at] += value;
            }
        }
    }
}

// p at the sensors from the real field in output 0, into sample row what.w.
@compute @workgroup_size(WORKGROUP)
fn gather_pressure(@builtin(global_invocation_id) id: vec3<u32>) {
    let s = invocation(id);
    if (s >= job.extent.x) {
        return;
    }
    let sensors = grid.info.w;
    let i = tables[grid.sampling.x + s];
    samples[job.what.w * sensors + s] = spec_get(job.outputs[0], i);
}

// u_a at the sensors into velocity sample row what.w of each axis.
@compute @workgroup_size(WORKGROUP)
fn gather_velocity(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = invocation(id);
    if (t >= job.extent.x) {
        return;
    }
    let sensors = grid.info.w;
    let a = t / sensors;
    let s = t % sensors;
    let i = tables[grid.sampling.x + s];
    let capacity = grid.flags.x;
    samples[grid.sampling.y + (a * capacity + job.what.w) * sensors + s] =
        velocity[a * grid.size.w + i];
}

// Adds w p of sample row what.w to the CW sums. WGSL has no f64: the sums are f32, which
// stays within the agreement tolerance over the runs' lengths (a few hundred periods).
@compute @workgroup_size(WORKGROUP)
fn accumulate_cw(@builtin(global_invocation_id) id: vec3<u32>) {
    let s = invocation(id);
    if (s >= job.extent.x) {
        return;
    }
    let sensors = grid.info.w;
    let p = samples[job.what.w * sensors + s];
    samples[grid.sampling.z + s] += job.weights.x * p;
    samples[grid.sampling.w + s] += job.weights.y * p;
}

// ---------------------------------------------------------------------------------------
// max |sum_a rho_a|, NaN and infinities as +infinity, into reduction[0].

var<workgroup> workgroup_max: atomic<u32>;

@compute @workgroup_size(WORKGROUP)
fn density_magnitude(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    if (local == 0u) {
        atomicStore(&workgroup_max, 0u);
    }
    workgroupBarrier();
    let i = invocation(id);
    if (i < job.extent.x) {
        var bits = bitcast<u32>(density_sum(i)) & 0x7fffffffu;
        if (bits >= 0x7f800000u) {
            bits = 0x7f800000u;
        }
        atomicMax(&workgroup_max, bits);
    }
    workgroupBarrier();
    if (local == 0u) {
        atomicMax(&reduction[0], atomicLoad(&workgroup_max));
    }
}
