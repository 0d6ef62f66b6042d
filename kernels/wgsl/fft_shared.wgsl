// A whole mixed-radix FFT along one axis in one dispatch: each workgroup loads a tile of
// LINE_TILE lines of length LINE_LENGTH into workgroup memory, runs every Stockham stage there
// and writes the lines back, so an axis costs one read and one write of the array.
//
// fft.rs prepends the constants of one pipeline:
//   LINE_LENGTH, LINE_TILE          the axis length and the lines per workgroup
//   STAGES, STAGE_RADICES           the radices of the stages, as fft.rs `radices` orders them
//   WORKGROUP_THREADS               invocations per workgroup
//   MAX_BUTTERFLIES                 butterflies one invocation holds in a stage (at most)
//   IN_PLACE                        read the lines from `dst` instead of `src`
//
// Tile element (line l, position p) sits at tile[p * LINE_TILE + l]: a stage's butterflies
// walk l fastest, so neighbouring invocations touch neighbouring words. On a strided axis the
// tile's lines are consecutive inner indices (neighbouring words in memory), so global loads
// and stores of a tile are coalesced too. Stages are those of fft.wgsl, with the same twiddle
// table: stage s of radix R after radices with product ns maps butterfly j (0 <= j < n/R) of
// a line to positions (j - k) R + k + r ns, k = j mod ns. Each stage reads all its inputs into
// registers, waits at a barrier, then writes, so one tile buffer suffices.

struct Params {
    // Element stride of the axis; 1 for the contiguous axis.
    stride: u32,
    // Number of lines: the array length / LINE_LENGTH.
    lines: u32,
    // First twiddle of the axis's first stage; the stages' tables follow one another.
    twiddle_offset: u32,
    // Workgroups per row of the dispatch grid (large arrays need a 2D grid).
    groups_per_row: u32,
    pad0: u32,
    pad1: u32,
    // +1 forward (e^{-i...}), -1 inverse (e^{+i...}).
    dir: f32,
    scale: f32,
}

@group(0) @binding(0) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

const TILE_ELEMENTS: u32 = LINE_LENGTH * LINE_TILE;

var<workgroup> tile: array<vec2<f32>, TILE_ELEMENTS>;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// -i*dir*z: the quarter turn of the transform's direction.
fn rot(z: vec2<f32>) -> vec2<f32> {
    return params.dir * vec2<f32>(z.y, -z.x);
}

fn dft2(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    var y = a;
    y[0] = a[0] + a[1];
    y[1] = a[0] - a[1];
    return y;
}

fn dft3(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    var y = a;
    let sum = a[1] + a[2];
    let re = a[0] - 0.5 * sum;
    let im = 0.8660254037844386 * rot(a[1] - a[2]);
    y[0] = a[0] + sum;
    y[1] = re + im;
    y[2] = re - im;
    return y;
}

fn dft4(a0: vec2<f32>, a1: vec2<f32>, a2: vec2<f32>, a3: vec2<f32>) -> array<vec2<f32>, 4> {
    let s02 = a0 + a2;
    let d02 = a0 - a2;
    let s13 = a1 + a3;
    let d13 = rot(a1 - a3);
    return array<vec2<f32>, 4>(s02 + s13, d02 + d13, s02 - s13, d02 - d13);
}

fn dft5(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    // cos and sin of 2*pi*m/5 for m = 1, 2.
    let c1 = 0.30901699437494745;
    let c2 = -0.8090169943749475;
    let s1 = 0.9510565162951535;
    let s2 = 0.5877852522924731;
    let u1 = a[1] + a[4];
    let u2 = a[2] + a[3];
    let d1 = rot(a[1] - a[4]);
    let d2 = rot(a[2] - a[3]);
    let re1 = a[0] + c1 * u1 + c2 * u2;
    let im1 = s1 * d1 + s2 * d2;
    let re2 = a[0] + c2 * u1 + c1 * u2;
    let im2 = s2 * d1 - s1 * d2;
    var y = a;
    y[0] = a[0] + u1 + u2;
    y[1] = re1 + im1;
    y[2] = re2 + im2;
    y[3] = re2 - im2;
    y[4] = re1 - im1;
    return y;
}

fn dft7(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    // cos and sin of 2*pi*m/7 for m = 1, 2, 3.
    let c1 = 0.6234898018587336;
    let c2 = -0.22252093395631440;
    let c3 = -0.9009688679024191;
    let s1 = 0.7818314824680298;
    let s2 = 0.9749279121818236;
    let s3 = 0.4338837391175582;
    let u1 = a[1] + a[6];
    let u2 = a[2] + a[5];
    let u3 = a[3] + a[4];
    let d1 = rot(a[1] - a[6]);
    let d2 = rot(a[2] - a[5]);
    let d3 = rot(a[3] - a[4]);
    let re1 = a[0] + c1 * u1 + c2 * u2 + c3 * u3;
    let im1 = s1 * d1 + s2 * d2 + s3 * d3;
    let re2 = a[0] + c2 * u1 + c3 * u2 + c1 * u3;
    let im2 = s2 * d1 - s3 * d2 - s1 * d3;
    let re3 = a[0] + c3 * u1 + c1 * u2 + c2 * u3;
    let im3 = s3 * d1 - s1 * d2 + s2 * d3;
    var y = a;
    y[0] = a[0] + u1 + u2 + u3;
    y[1] = re1 + im1;
    y[2] = re2 + im2;
    y[3] = re3 + im3;
    y[4] = re3 - im3;
    y[5] = re2 - im2;
    y[6] = re1 - im1;
    return y;
}

fn dft8(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    let even = dft4(a[0], a[2], a[4], a[6]);
    let odd = dft4(a[1], a[3], a[5], a[7]);
    // odd[m] * exp(-2*pi*i*dir*m/8).
    let half_sqrt2 = 0.7071067811865476;
    let o1 = half_sqrt2 * (odd[1] + rot(odd[1]));
    let o2 = rot(odd[2]);
    let o3 = half_sqrt2 * (rot(odd[3]) - odd[3]);
    return array<vec2<f32>, 8>(
        even[0] + odd[0],
        even[1] + o1,
        even[2] + o2,
        even[3] + o3,
        even[0] - odd[0],
        even[1] - o1,
        even[2] - o2,
        even[3] - o3,
    );
}

fn dft(radix: u32, a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    switch radix {
        case 2u: {
            return dft2(a);
        }
        case 3u: {
            return dft3(a);
        }
        case 4u: {
            let y = dft4(a[0], a[1], a[2], a[3]);
            return array<vec2<f32>, 8>(y[0], y[1], y[2], y[3], a[4], a[5], a[6], a[7]);
        }
        case 5u: {
            return dft5(a);
        }
        case 7u: {
            return dft7(a);
        }
        default: {
            return dft8(a);
        }
    }
}

// Where tile element `t` (in load order) lives: its tile slot and its array index, or
// `valid == false` past the last line. The contiguous axis walks each line's positions
// fastest (its lines follow one another in memory), a strided axis walks the lines fastest.
struct Element {
    slot: u32,
    index: u32,
    valid: bool,
}

fn element(first_line: u32, t: u32) -> Element {
    var line_in_tile: u32;
    var position: u32;
    if (params.stride == 1u) {
        line_in_tile = t / LINE_LENGTH;
        position = t % LINE_LENGTH;
    } else {
        line_in_tile = t % LINE_TILE;
        position = t / LINE_TILE;
    }
    let line = first_line + line_in_tile;
    let stride = params.stride;
    let base = (line / stride) * LINE_LENGTH * stride + line % stride;
    return Element(position * LINE_TILE + line_in_tile, base + position * stride, line < params.lines);
}

@compute @workgroup_size(WORKGROUP_THREADS)
fn fft_lines(
    @builtin(local_invocation_index) thread: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let first_line = (group.x + group.y * params.groups_per_row) * LINE_TILE;
    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(first_line, t);
        if (e.valid) {
            if (IN_PLACE) {
                tile[e.slot] = dst[e.index];
            } else {
                tile[e.slot] = src[e.index];
            }
        }
    }
    workgroupBarrier();

    var ns = 1u;
    var twiddle_at = params.twiddle_offset;
    for (var s = 0u; s < STAGES; s++) {
        let radix = STAGE_RADICES[s];
        let m = LINE_LENGTH / radix;
        let butterflies = m * LINE_TILE;
        var held: array<array<vec2<f32>, 8>, MAX_BUTTERFLIES>;
        for (var q = 0u; q < MAX_BUTTERFLIES; q++) {
            let b = thread + q * WORKGROUP_THREADS;
            if (b < butterflies) {
                let l = b % LINE_TILE;
                let j = b / LINE_TILE;
                let k = j % ns;
                var a: array<vec2<f32>, 8>;
                // Constant bounds (with a guard) let compilers unroll and keep a in registers.
                for (var r = 0u; r < 8u; r++) {
                    if (r < radix) {
                        var x = tile[(j + r * m) * LINE_TILE + l];
                        if (r > 0u && k > 0u) {
                            let w = twiddles[twiddle_at + k * (radix - 1u) + r - 1u];
                            x = cmul(x, vec2<f32>(w.x, params.dir * w.y));
                        }
                        a[r] = x;
                    }
                }
                held[q] = dft(radix, a);
            }
        }
        // Every input of the stage is read before any output overwrites it.
        workgroupBarrier();
        for (var q = 0u; q < MAX_BUTTERFLIES; q++) {
            let b = thread + q * WORKGROUP_THREADS;
            if (b < butterflies) {
                let l = b % LINE_TILE;
                let j = b / LINE_TILE;
                let k = j % ns;
                for (var r = 0u; r < 8u; r++) {
                    if (r < radix) {
                        tile[((j - k) * radix + k + r * ns) * LINE_TILE + l] = held[q][r];
                    }
                }
            }
        }
        workgroupBarrier();
        twiddle_at += ns * (radix - 1u);
        ns *= radix;
    }

    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(first_line, t);
        if (e.valid) {
            dst[e.index] = tile[e.slot] * params.scale;
        }
    }
}
