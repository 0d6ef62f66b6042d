// Real transforms along the contiguous axis: through a complex FFT of half the length (even
// n), or of the whole row widened to complex (odd n, at the end of this file).
//
// A real row x of even length n is read as the complex row z[m] = x[2m] + i x[2m+1] of length
// h = n/2, whose FFT Z gives the half spectrum X[k], 0 <= k <= h, of x:
//   E[k] = (Z[k] + conj(Z[h-k])) / 2,  O[k] = (Z[k] - conj(Z[h-k])) / (2i),
//   X[k] = E[k] + w^k O[k],  w = exp(-2*pi*i / n),  indices of Z taken mod h.
// The inverse rebuilds Z[k] = E[k] + i O[k] from X with
//   E[k] = (X[k] + conj(X[h-k])) / 2,  O[k] = (X[k] - conj(X[h-k])) conj(w^k) / 2,
// and an inverse FFT of length h (scaled 1/h) then yields x.

struct Params {
    h: u32,
    rows: u32,
    // Invocations per row of the dispatch grid.
    row_invocations: u32,
    pad0: u32,
    pad1: vec4<u32>,
}

@group(0) @binding(0) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec2<f32>>;
// w^k for 0 <= k <= h, from f64.
@group(0) @binding(2) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

fn conj(z: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(z.x, -z.y);
}

// Z (rows of h) to X (rows of h + 1).
@compute @workgroup_size(64)
fn split_spectrum(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x + id.y * params.row_invocations;
    let h = params.h;
    if (t >= params.rows * (h + 1u)) {
        return;
    }
    let k = t % (h + 1u);
    let row = t / (h + 1u);
    let a = src[row * h + k % h];
    let b = conj(src[row * h + (h - k) % h]);
    let even = 0.5 * (a + b);
    let d = 0.5 * (a - b);
    // d / i = -i d.
    let odd = vec2<f32>(d.y, -d.x);
    dst[row * (h + 1u) + k] = even + cmul(twiddles[k], odd);
}

// X (rows of h + 1) to Z (rows of h).
@compute @workgroup_size(64)
fn merge_spectrum(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x + id.y * params.row_invocations;
    let h = params.h;
    if (t >= params.rows * h) {
        return;
    }
    let k = t % h;
    let row = t / h;
    let a = src[row * (h + 1u) + k];
    let b = conj(src[row * (h + 1u) + h - k]);
    let even = 0.5 * (a + b);
    let odd = 0.5 * cmul(a - b, conj(twiddles[k]));
    // even + i odd.
    dst[row * h + k] = even + vec2<f32>(-odd.y, odd.x);
}

// Odd n = 2h + 1: whole rows as complex. The real array is read and written as floats packed
// two to a complex value (it may be the first floats of the spectrum buffer).

// Real rows (src, as floats) to complex rows of n (dst).
@compute @workgroup_size(64)
fn widen_rows(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = id.x + id.y * params.row_invocations;
    if (j >= params.rows * (2u * params.h + 1u)) {
        return;
    }
    dst[j] = vec2<f32>(src[j / 2u][j % 2u], 0.0);
}

// Transformed rows of n (src) to their bins 0..=h (dst).
@compute @workgroup_size(64)
fn keep_half_spectrum(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x + id.y * params.row_invocations;
    let h = params.h;
    if (t >= params.rows * (h + 1u)) {
        return;
    }
    let row = t / (h + 1u);
    dst[t] = src[row * (2u * h + 1u) + t % (h + 1u)];
}

// Half spectrum (src) to whole rows of n (dst): X[n - k] = conj(X[k]).
@compute @workgroup_size(64)
fn extend_hermitian(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = id.x + id.y * params.row_invocations;
    let h = params.h;
    let n = 2u * h + 1u;
    if (j >= params.rows * n) {
        return;
    }
    let k = j % n;
    let row = j / n;
    if (k <= h) {
        dst[j] = src[row * (h + 1u) + k];
    } else {
        dst[j] = conj(src[row * (h + 1u) + n - k]);
    }
}

// Complex rows (src) to their real parts, two floats per invocation (dst); the float after
// an odd total is left as it was.
@compute @workgroup_size(64)
fn narrow_rows(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x + id.y * params.row_invocations;
    let total = params.rows * (2u * params.h + 1u);
    if (2u * t >= total) {
        return;
    }
    var pair = vec2<f32>(src[2u * t].x, dst[t].y);
    if (2u * t + 1u < total) {
        pair.y = src[2u * t + 1u].x;
    }
    dst[t] = pair;
}
