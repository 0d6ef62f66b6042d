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

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// -i*dir*z: the quarter turn of the transform's direction.
fn rot(z: vec2<f32>) -> vec2<f32> {
    return params.dir * vec2<f32>(z.y, -z.x);
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

@compute @workgroup_size(WORKGROUP)
fn radix2(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = locate(id, 2u);
    if (!b.valid) {
        return;
    }
    let a0 = load(b, 2u, 0u);
    let a1 = load(b, 2u, 1u);
    store(b, 2u, 0u, a0 + a1);
    store(b, 2u, 1u, a0 - a1);
}

@compute @workgroup_size(WORKGROUP)
fn radix3(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = locate(id, 3u);
    if (!b.valid) {
        return;
    }
    let a0 = load(b, 3u, 0u);
    let a1 = load(b, 3u, 1u);
    let a2 = load(b, 3u, 2u);
    let sum = a1 + a2;
    let re = a0 - 0.5 * sum;
    let im = 0.8660254037844386 * rot(a1 - a2);
    store(b, 3u, 0u, a0 + sum);
    store(b, 3u, 1u, re + im);
    store(b, 3u, 2u, re - im);
}

fn dft4(a0: vec2<f32>, a1: vec2<f32>, a2: vec2<f32>, a3: vec2<f32>) -> array<vec2<f32>, 4> {
    let s02 = a0 + a2;
    let d02 = a0 - a2;
    let s13 = a1 + a3;
    let d13 = rot(a1 - a3);
    return array<vec2<f32>, 4>(s02 + s13, d02 + d13, s02 - s13, d02 - d13);
}

@compute @workgroup_size(WORKGROUP)
fn radix4(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = locate(id, 4u);
    if (!b.valid) {
        return;
    }
    let y = dft4(load(b, 4u, 0u), load(b, 4u, 1u), load(b, 4u, 2u), load(b, 4u, 3u));
    store(b, 4u, 0u, y[0]);
    store(b, 4u, 1u, y[1]);
    store(b, 4u, 2u, y[2]);
    store(b, 4u, 3u, y[3]);
}

@compute @workgroup_size(WORKGROUP)
fn radix5(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = locate(id, 5u);
    if (!b.valid) {
        return;
    }
    // cos and sin of 2*pi*m/5 for m = 1, 2.
    let c1 = 0.30901699437494745;
    let c2 = -0.8090169943749475;
    let s1 = 0.9510565162951535;
    let s2 = 0.5877852522924731;
    let a0 = load(b, 5u, 0u);
    let a1 = load(b, 5u, 1u);
    let a2 = load(b, 5u, 2u);
    let a3 = load(b, 5u, 3u);
    let a4 = load(b, 5u, 4u);
    let u1 = a1 + a4;
    let u2 = a2 + a3;
    let d1 = rot(a1 - a4);
    let d2 = rot(a2 - a3);
    let re1 = a0 + c1 * u1 + c2 * u2;
    let im1 = s1 * d1 + s2 * d2;
    let re2 = a0 + c2 * u1 + c1 * u2;
    let im2 = s2 * d1 - s1 * d2;
    store(b, 5u, 0u, a0 + u1 + u2);
    store(b, 5u, 1u, re1 + im1);
    store(b, 5u, 2u, re2 + im2);
    store(b, 5u, 3u, re2 - im2);
    store(b, 5u, 4u, re1 - im1);
}

@compute @workgroup_size(WORKGROUP)
fn radix7(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = locate(id, 7u);
    if (!b.valid) {
        return;
    }
    // cos and sin of 2*pi*m/7 for m = 1, 2, 3.
    let c1 = 0.6234898018587336;
    let c2 = -0.22252093395631440;
    let c3 = -0.9009688679024191;
    let s1 = 0.7818314824680298;
    let s2 = 0.9749279121818236;
    let s3 = 0.4338837391175582;
    let a0 = load(b, 7u, 0u);
    let a1 = load(b, 7u, 1u);
    let a2 = load(b, 7u, 2u);
    let a3 = load(b, 7u, 3u);
    let a4 = load(b, 7u, 4u);
    let a5 = load(b, 7u, 5u);
    let a6 = load(b, 7u, 6u);
    let u1 = a1 + a6;
    let u2 = a2 + a5;
    let u3 = a3 + a4;
    let d1 = rot(a1 - a6);
    let d2 = rot(a2 - a5);
    let d3 = rot(a3 - a4);
    let re1 = a0 + c1 * u1 + c2 * u2 + c3 * u3;
    let im1 = s1 * d1 + s2 * d2 + s3 * d3;
    let re2 = a0 + c2 * u1 + c3 * u2 + c1 * u3;
    let im2 = s2 * d1 - s3 * d2 - s1 * d3;
    let re3 = a0 + c3 * u1 + c1 * u2 + c2 * u3;
    let im3 = s3 * d1 - s1 * d2 + s2 * d3;
    store(b, 7u, 0u, a0 + u1 + u2 + u3);
    store(b, 7u, 1u, re1 + im1);
    store(b, 7u, 2u, re2 + im2);
    store(b, 7u, 3u, re3 + im3);
    store(b, 7u, 4u, re3 - im3);
    store(b, 7u, 5u, re2 - im2);
    store(b, 7u, 6u, re1 - im1);
}

@compute @workgroup_size(WORKGROUP)
fn radix8(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = locate(id, 8u);
    if (!b.valid) {
        return;
    }
    let even = dft4(load(b, 8u, 0u), load(b, 8u, 2u), load(b, 8u, 4u), load(b, 8u, 6u));
    let odd = dft4(load(b, 8u, 1u), load(b, 8u, 3u), load(b, 8u, 5u), load(b, 8u, 7u));
    // odd[m] * exp(-2*pi*i*dir*m/8).
    let half_sqrt2 = 0.7071067811865476;
    let o1 = half_sqrt2 * (odd[1] + rot(odd[1]));
    let o2 = rot(odd[2]);
    let o3 = half_sqrt2 * (rot(odd[3]) - odd[3]);
    store(b, 8u, 0u, even[0] + odd[0]);
    store(b, 8u, 1u, even[1] + o1);
    store(b, 8u, 2u, even[2] + o2);
    store(b, 8u, 3u, even[3] + o3);
    store(b, 8u, 4u, even[0] - odd[0]);
    store(b, 8u, 5u, even[1] - o1);
    store(b, 8u, 6u, even[2] - o2);
    store(b, 8u, 7u, even[3] - o3);
}

// A pass of a prime radix the butterflies above do not cover (plans that allow any length),
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
