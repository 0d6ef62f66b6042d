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
// registers, waits at a barrier, then writes, so one tile buffer suffices. The stages are
// stockham_tile.wgsl's and the butterflies (`dft`) butterflies.wgsl's, which fft.rs appends.

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

fn fft_direction() -> f32 {
    return params.dir;
}

fn twiddle(at: u32) -> vec2<f32> {
    return twiddles[at];
}

var<workgroup> tile: array<vec2<f32>, TILE_ELEMENTS>;

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

    stockham_tile(thread, params.twiddle_offset);

    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(first_line, t);
        if (e.valid) {
            dst[e.index] = tile[e.slot] * params.scale;
        }
    }
}
