// One Stockham autosort pass of a mixed-radix complex FFT along one axis of a row-major array.
//
// The axis has length `n` and element stride `stride`; every other index of the array is a
// batch. A pass of radix R after radices with product `ns` maps butterfly `j` (0 <= j < n/R):
//   v[r]  = src[j + r*n/R] * w^(r*k),  k = j mod ns, w = exp(-2*pi*i*dir / (ns*R))
//   v     = DFT_R(v)
//   dst[(j - k)*R + k + r*ns] = v[r] * scale
// After the last pass the result is in natural order (no bit reversal). Each invocation does one
// butterfly of one batch; consecutive invocations walk the innermost batch index first, so
// strided axes still read and write neighbouring elements together.

struct Params {
    n: u32,
    stride: u32,
    ns: u32,
    // First entry of this pass's twiddles, laid out [k][r - 1] for 0 <= k < ns, 1 <= r < R.
    twiddle_offset: u32,
    butterflies: u32,
    // Invocations per row of the dispatch grid (large arrays need a 2D grid of workgroups).
    row_invocations: u32,
    // +1 forward (e^{-i...}), -1 inverse (e^{+i...}).
    dir: f32,
    scale: f32,
}

@group(0) @binding(0) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;

// The direction butterflies.wgsl turns in.
fn fft_direction() -> f32 {
    return params.dir;
}

struct Butterfly {
    base: u32,
    j: u32,
    k: u32,
    valid: bool,
}

fn locate(id: vec3<u32>, radix: u32) -> Butterfly {
    return locate_at(id.x + id.y * params.row_invocations, radix);
}

fn locate_at(t: u32, radix: u32) -> Butterfly {
    let m = params.n / radix;
    let inner = t % params.stride;
    let rest = t / params.stride;
    let j = rest % m;
    let outer = rest / m;
    return Butterfly(outer * params.n * params.stride + inner, j, j % params.ns, t < params.butterflies);
}

fn load(b: Butterfly, radix: u32, r: u32) -> vec2<f32> {
    let x = src[b.base + (b.j + r * (params.n / radix)) * params.stride];
    if (r == 0u || b.k == 0u) {
        return x;
    }
    let w = twiddles[params.twiddle_offset + b.k * (radix - 1u) + r - 1u];
    return cmul(x, vec2<f32>(w.x, params.dir * w.y));
}

fn store(b: Butterfly, radix: u32, r: u32, v: vec2<f32>) {
    dst[b.base + ((b.j - b.k) * radix + b.k + r * params.ns) * params.stride] = v * params.scale;
}

// One butterfly of a pass of radix R: load with twiddles, DFT (butterflies.wgsl), store.
fn butterfly(id: vec3<u32>, radix: u32) {
    let b = locate(id, radix);
    if (!b.valid) {
        return;
    }
    var a: array<vec2<f32>, 8>;
    for (var r = 0u; r < radix; r++) {
        a[r] = load(b, radix, r);
    }
    let y = dft(radix, a);
    for (var r = 0u; r < radix; r++) {
        store(b, radix, r, y[r]);
    }
}

@compute @workgroup_size(WORKGROUP)
fn radix2(@builtin(global_invocation_id) id: vec3<u32>) {
    butterfly(id, 2u);
}

@compute @workgroup_size(WORKGROUP)
fn radix3(@builtin(global_invocation_id) id: vec3<u32>) {
    butterfly(id, 3u);
}

@compute @workgroup_size(WORKGROUP)
fn radix4(@builtin(global_invocation_id) id: vec3<u32>) {
    butterfly(id, 4u);
}

@compute @workgroup_size(WORKGROUP)
fn radix5(@builtin(global_invocation_id) id: vec3<u32>) {
    butterfly(id, 5u);
}

@compute @workgroup_size(WORKGROUP)
fn radix7(@builtin(global_invocation_id) id: vec3<u32>) {
    butterfly(id, 7u);
}

@compute @workgroup_size(WORKGROUP)
fn radix8(@builtin(global_invocation_id) id: vec3<u32>) {
    butterfly(id, 8u);
}

// A pass of a prime radix the butterflies do not cover (plans that allow any length),
// set per pipeline. Each invocation forms one output q of one butterfly, O(R) work per element;
// the R roots exp(-2*pi*i*m/R) follow the pass's twiddles in the table.
override GENERIC_RADIX: u32 = 11u;

@compute @workgroup_size(WORKGROUP)
fn radix_generic(@builtin(global_invocation_id) id: vec3<u32>) {
    let radix = GENERIC_RADIX;
    let t = id.x + id.y * params.row_invocations;
    if (t >= params.butterflies * radix) {
        return;
    }
    let q = t / params.butterflies;
    let b = locate_at(t % params.butterflies, radix);
    let roots = params.twiddle_offset + params.ns * (radix - 1u);
    var sum = vec2<f32>(0.0, 0.0);
    for (var r = 0u; r < radix; r++) {
        let root = twiddles[roots + (r * q) % radix];
        sum += cmul(load(b, radix, r), vec2<f32>(root.x, params.dir * root.y));
    }
    store(b, radix, q, sum);
}
