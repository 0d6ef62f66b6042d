// Every Stockham stage of a whole-line FFT of the LINE_TILE lines of LINE_LENGTH in the
// workgroup array `tile` (element (line l, position p) at tile[p * LINE_TILE + l]), shared by
// fft_shared.wgsl and mixed_pass.wgsl. The including shader defines the constants LINE_LENGTH,
// LINE_TILE, STAGES, STAGE_RADICES, WORKGROUP_THREADS, MAX_BUTTERFLIES, the array `tile`, and
// `twiddle(at)` (the twiddle table of fft.rs) and `fft_direction()` (+1 forward, -1 inverse).
//
// Stage s of radix R after radices with product ns maps butterfly j (0 <= j < n/R) of a line
// to positions (j - k) R + k + r ns, k = j mod ns. Each stage reads all its inputs into
// registers, waits at a barrier, then writes; the call ends with a barrier, so the tile is
// ready to read by any invocation.
fn stockham_tile(thread: u32, first_twiddle: u32) {
    var ns = 1u;
    var twiddle_at = first_twiddle;
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
                            let w = twiddle(twiddle_at + k * (radix - 1u) + r - 1u);
                            x = cmul(x, vec2<f32>(w.x, fft_direction() * w.y));
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
}
