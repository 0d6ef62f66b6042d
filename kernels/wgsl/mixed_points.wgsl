// The small kernels of the mixed-domain stepper around its axis passes: the conjugate-pair
// restore, the absorption terms, the pressure source grid, the sensors (spectral sums or
// gathers from p on the grid), the whole-grid extremes, CW sums and the density magnitude.
// mixed_common.wgsl comes first.

@group(0) @binding(3) var<storage, read_write> work: array<f32>;
@group(0) @binding(7) var<storage, read_write> samples: array<f32>;
@group(0) @binding(8) var<storage, read_write> records: array<f32>;
@group(0) @binding(9) var<storage, read_write> magnitude: array<atomic<u32>>;

const WORKGROUP: u32 = 64u;
// Invocations of the sensor reductions (a power of two, for the tree).
const REDUCTION: u32 = 256u;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

fn invocation(id: vec3<u32>) -> u32 {
    return id.x + id.y * params.groups_per_row * WORKGROUP;
}

// (s, conj s) with s = (a + conj b) / 2; a value that is its own partner keeps its real part.
fn restore_spectrum(a: u32, b: u32) {
    if (a == b) {
        spectra[a].y = 0.0;
        return;
    }
    let s = (spectra[a] + conj(spectra[b])) * 0.5;
    spectra[a] = s;
    spectra[b] = conj(s);
}

fn restore_domain(a: u32, b: u32) {
    if (a == b) {
        velocity[a].y = 0.0;
        density[a].y = 0.0;
        return;
    }
    let u = (velocity[a] + conj(velocity[b])) * 0.5;
    velocity[a] = u;
    velocity[b] = conj(u);
    let rho = (density[a] + conj(density[b])) * 0.5;
    density[a] = rho;
    density[b] = conj(rho);
}

// The values held twice: pairs of F{p} (relative to params.current), then of the mixed domains.
@compute @workgroup_size(WORKGROUP)
fn restore_pairs(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    let spectrum_pairs = params.spectrum_pair_count;
    if (i < spectrum_pairs) {
        let at = params.pairs + 2u * i;
        restore_spectrum(params.current + indices[at], params.current + indices[at + 1u]);
    } else if (i < spectrum_pairs + params.domain_pair_count) {
        let at = params.pairs + 2u * i;
        restore_domain(indices[at], indices[at + 1u]);
    }
}

// F{p} += tau_term F{div u} - eta_term F{p} (power law) or += c0^2 tau rho0 F{div u} (Stokes).
@compute @workgroup_size(WORKGROUP)
fn absorption_terms(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= params.half_len) {
        return;
    }
    let at = params.current + i;
    let p = spectra[at];
    let d = divergence[i];
    if (params.mode == 1u) {
        let eta_term = params.eta * tables[params.nabla2 + i];
        let tau_term = params.c0_squared_tau_rho0 * tables[params.nabla1 + i];
        spectra[at] = p - p * eta_term + d * tau_term;
    } else {
        spectra[at] = p + d * params.c0_squared_tau_rho0;
    }
}

// This step's source values at the source points of the (zeroed) real grid in `work`.
@compute @workgroup_size(WORKGROUP)
fn scatter_source(@builtin(global_invocation_id) id: vec3<u32>) {
    let k = invocation(id);
    if (k >= params.source_point_count) {
        return;
    }
    var at = params.source_signal + state.source_step;
    if (params.source_per_point != 0u) {
        at = params.source_signal + state.source_step * params.source_point_count + k;
    }
    work[indices[params.source_points + k]] = tables[at];
}

// F{S} in `work` times cos(c_ref dt |k| / 2).
@compute @workgroup_size(WORKGROUP)
fn correct_source(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= params.half_len) {
        return;
    }
    let c = tables[params.source_kappa + i];
    work[2u * i] *= c;
    work[2u * i + 1u] *= c;
}

var<workgroup> partial: array<f32, REDUCTION>;

fn reduce_partial(thread: u32) {
    for (var width = REDUCTION / 2u; width > 0u; width /= 2u) {
        workgroupBarrier();
        if (thread < width) {
            partial[thread] += partial[thread + width];
        }
    }
    workgroupBarrier();
}

// Stage one of p at a few sensors straight from F{p}: workgroup (chunk, sensor) sums
// w_kx Re(F{p}[k] e^{+2 pi i k.x_s / n}) over its share of the half spectrum.
@compute @workgroup_size(REDUCTION)
fn sensor_partials(
    @builtin(local_invocation_index) thread: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let s = group.y;
    let sensors = params.sensors;
    let nxh = params.nxh;
    let ny = params.ny;
    let phase_y = params.phases + 2u * sensors * nxh;
    let phase_z = phase_y + 2u * sensors * ny;
    var sum = 0.0;
    for (var i = group.x * REDUCTION + thread; i < params.half_len; i += params.chunks * REDUCTION) {
        let kx = i % nxh;
        let ky = (i / nxh) % ny;
        let kz = i / (nxh * ny);
        let yz = cmul(
            table_complex(phase_y + 2u * (ky * sensors + s)),
            table_complex(phase_z + 2u * (kz * sensors + s)),
        );
        let phase = cmul(table_complex(params.phases + 2u * (kx * sensors + s)), yz);
        var weight = 2.0;
        if (kx == 0u || 2u * kx == params.nx) {
            weight = 1.0;
        }
        sum += weight * cmul(spectra[params.current + i], phase).x;
    }
    partial[thread] = sum;
    reduce_partial(thread);
    if (thread == 0u) {
        samples[params.partials + s * params.chunks + group.x] = partial[0];
    }
}

// Stage two: the partial sums of sensor `group.x`, over N, into this step's sample row.
@compute @workgroup_size(REDUCTION)
fn sensor_totals(
    @builtin(local_invocation_index) thread: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let s = group.x;
    var sum = 0.0;
    for (var c = thread; c < params.chunks; c += REDUCTION) {
        sum += samples[params.partials + s * params.chunks + c];
    }
    partial[thread] = sum;
    reduce_partial(thread);
    if (thread == 0u) {
        samples[state.row * params.sensors + s] = partial[0] * params.inverse_points;
    }
}

// p at the sensors from p on the grid in `work`, into this step's sample row.
@compute @workgroup_size(WORKGROUP)
fn gather_sensors(@builtin(global_invocation_id) id: vec3<u32>) {
    let s = invocation(id);
    if (s >= params.sensors) {
        return;
    }
    samples[state.row * params.sensors + s] = work[indices[params.sensor_points + s]];
}

// The running max and min of p on the grid in `work`.
@compute @workgroup_size(WORKGROUP)
fn fold_extremes(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = invocation(id);
    if (i >= params.points) {
        return;
    }
    let p = work[i];
    records[params.record_max + i] = max(records[params.record_max + i], p);
    records[params.record_min + i] = min(records[params.record_min + i], p);
}

// Adds w p of this step's sample row to the CW sums (f32: WGSL has no f64).
@compute @workgroup_size(WORKGROUP)
fn accumulate_cw(@builtin(global_invocation_id) id: vec3<u32>) {
    let s = invocation(id);
    if (s >= params.sensors) {
        return;
    }
    let p = samples[state.row * params.sensors + s];
    samples[params.cw + s] += state.cw.x * p;
    samples[params.cw + params.sensors + s] += state.cw.y * p;
}

var<workgroup> workgroup_max: atomic<u32>;

// max(|re|, |im|) over F{p} into magnitude[0] (as bits; NaN and infinities as +infinity).
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
    if (i < params.half_len) {
        let v = spectra[params.current + i];
        var bits = max(bitcast<u32>(v.x) & 0x7fffffffu, bitcast<u32>(v.y) & 0x7fffffffu);
        if (bits >= 0x7f800000u) {
            bits = 0x7f800000u;
        }
        atomicMax(&workgroup_max, bits);
    }
    workgroupBarrier();
    if (local == 0u) {
        atomicMax(&magnitude[0], atomicLoad(&workgroup_max));
    }
}
