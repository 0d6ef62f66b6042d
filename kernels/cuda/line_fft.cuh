// A mixed-radix Stockham FFT of a tile of lines held in shared memory (the port of
// kernels/wgsl/fft_shared.wgsl and butterflies.wgsl). Tile element (line l, position p) sits
// at p * tile + l, so a stage's butterflies (l fastest) touch neighbouring banks. Stages
// ping-pong between `data` and `scratch` (one barrier per stage); the stage of radix R after
// radices with product ns maps butterfly j of a line to positions (j - k) R + k + r ns,
// k = j mod ns, with twiddles w^(r k), w = e^(-dir 2 pi i / (ns R)), read from a host table
// of forward twiddles (entries k (R - 1) + r - 1 of the stage, the stages one after another).
// Radices are coded one per 4 bits, first stage lowest; 0 ends the list.

__device__ __forceinline__ float2 cadd(float2 a, float2 b) {
    return make_float2(a.x + b.x, a.y + b.y);
}
__device__ __forceinline__ float2 csub(float2 a, float2 b) {
    return make_float2(a.x - b.x, a.y - b.y);
}
__device__ __forceinline__ float2 cscale(float2 a, float c) {
    return make_float2(a.x * c, a.y * c);
}
__device__ __forceinline__ float2 cmul(float2 a, float2 b) {
    return make_float2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
__device__ __forceinline__ float2 cconj(float2 a) { return make_float2(a.x, -a.y); }

// -i dir z: the quarter turn of the transform's direction.
__device__ __forceinline__ float2 rot(float2 z, float dir) {
    return make_float2(dir * z.y, -dir * z.x);
}

__device__ __forceinline__ void dft2(float2* a) {
    float2 t = a[0];
    a[0] = cadd(t, a[1]);
    a[1] = csub(t, a[1]);
}

__device__ __forceinline__ void dft3(float2* a, float dir) {
    float2 sum = cadd(a[1], a[2]);
    float2 re = csub(a[0], cscale(sum, 0.5f));
    float2 im = cscale(rot(csub(a[1], a[2]), dir), 0.8660254037844386f);
    a[0] = cadd(a[0], sum);
    a[1] = cadd(re, im);
    a[2] = csub(re, im);
}

__device__ __forceinline__ void dft4(float2& a0, float2& a1, float2& a2, float2& a3, float dir) {
    float2 s02 = cadd(a0, a2), d02 = csub(a0, a2);
    float2 s13 = cadd(a1, a3), d13 = rot(csub(a1, a3), dir);
    a0 = cadd(s02, s13);
    a1 = cadd(d02, d13);
    a2 = csub(s02, s13);
    a3 = csub(d02, d13);
}

__device__ __forceinline__ void dft5(float2* a, float dir) {
    const float c1 = 0.30901699437494745f, c2 = -0.8090169943749475f;
    const float s1 = 0.9510565162951535f, s2 = 0.5877852522924731f;
    float2 u1 = cadd(a[1], a[4]), u2 = cadd(a[2], a[3]);
    float2 d1 = rot(csub(a[1], a[4]), dir), d2 = rot(csub(a[2], a[3]), dir);
    float2 re1 = cadd(cadd(a[0], cscale(u1, c1)), cscale(u2, c2));
    float2 im1 = cadd(cscale(d1, s1), cscale(d2, s2));
    float2 re2 = cadd(cadd(a[0], cscale(u1, c2)), cscale(u2, c1));
    float2 im2 = csub(cscale(d1, s2), cscale(d2, s1));
    a[0] = cadd(cadd(a[0], u1), u2);
    a[1] = cadd(re1, im1);
    a[2] = cadd(re2, im2);
    a[3] = csub(re2, im2);
    a[4] = csub(re1, im1);
}

__device__ __forceinline__ void dft7(float2* a, float dir) {
    const float c1 = 0.6234898018587336f, c2 = -0.22252093395631440f, c3 = -0.9009688679024191f;
    const float s1 = 0.7818314824680298f, s2 = 0.9749279121818236f, s3 = 0.4338837391175582f;
    float2 u1 = cadd(a[1], a[6]), u2 = cadd(a[2], a[5]), u3 = cadd(a[3], a[4]);
    float2 d1 = rot(csub(a[1], a[6]), dir), d2 = rot(csub(a[2], a[5]), dir);
    float2 d3 = rot(csub(a[3], a[4]), dir);
    float2 re1 = cadd(cadd(cadd(a[0], cscale(u1, c1)), cscale(u2, c2)), cscale(u3, c3));
    float2 im1 = cadd(cadd(cscale(d1, s1), cscale(d2, s2)), cscale(d3, s3));
    float2 re2 = cadd(cadd(cadd(a[0], cscale(u1, c2)), cscale(u2, c3)), cscale(u3, c1));
    float2 im2 = csub(csub(cscale(d1, s2), cscale(d2, s3)), cscale(d3, s1));
    float2 re3 = cadd(cadd(cadd(a[0], cscale(u1, c3)), cscale(u2, c1)), cscale(u3, c2));
    float2 im3 = cadd(csub(cscale(d1, s3), cscale(d2, s1)), cscale(d3, s2));
    a[0] = cadd(cadd(cadd(a[0], u1), u2), u3);
    a[1] = cadd(re1, im1);
    a[2] = cadd(re2, im2);
    a[3] = cadd(re3, im3);
    a[4] = csub(re3, im3);
    a[5] = csub(re2, im2);
    a[6] = csub(re1, im1);
}

__device__ __forceinline__ void dft8(float2* a, float dir) {
    float2 e0 = a[0], e1 = a[2], e2 = a[4], e3 = a[6];
    float2 o0 = a[1], o1 = a[3], o2 = a[5], o3 = a[7];
    dft4(e0, e1, e2, e3, dir);
    dft4(o0, o1, o2, o3, dir);
    // odd[m] * exp(-2 pi i dir m / 8).
    const float half_sqrt2 = 0.7071067811865476f;
    float2 t1 = cscale(cadd(o1, rot(o1, dir)), half_sqrt2);
    float2 t2 = rot(o2, dir);
    float2 t3 = cscale(csub(rot(o3, dir), o3), half_sqrt2);
    a[0] = cadd(e0, o0);
    a[1] = cadd(e1, t1);
    a[2] = cadd(e2, t2);
    a[3] = cadd(e3, t3);
    a[4] = csub(e0, o0);
    a[5] = csub(e1, t1);
    a[6] = csub(e2, t2);
    a[7] = csub(e3, t3);
}

__device__ __forceinline__ void dft(unsigned radix, float2* a, float dir) {
    switch (radix) {
    case 2: dft2(a); break;
    case 3: dft3(a, dir); break;
    case 4: dft4(a[0], a[1], a[2], a[3], dir); break;
    case 5: dft5(a, dir); break;
    case 7: dft7(a, dir); break;
    default: dft8(a, dir); break;
    }
}

// Transforms the `tile` lines of `len` values in `data` (dir +1 forward, -1 inverse,
// unnormalised) with `threads` threads, and returns the buffer that holds the result (`data`
// or `scratch`). Every thread of the block must call it; the caller has synchronised the
// block after filling `data`, and the result is complete (synchronised) on return.
__device__ __forceinline__ float2* line_fft(float2* data, float2* scratch, unsigned len,
                                            unsigned tile, unsigned long long radices,
                                            const float2* twiddles, float dir,
                                            unsigned threads) {
    unsigned ns = 1, twiddle_at = 0;
#pragma unroll 1
    for (int s = 0; s < 16; ++s) {
        unsigned radix = (unsigned)(radices >> (4 * s)) & 15u;
        if (radix == 0) break;
        unsigned m = len / radix;
        unsigned butterflies = m * tile;
        for (unsigned b = threadIdx.x; b < butterflies; b += threads) {
            unsigned l = b % tile, j = b / tile, k = j % ns;
            float2 a[8];
#pragma unroll
            for (unsigned r = 0; r < 8; ++r) {
                if (r < radix) {
                    float2 x = data[(j + r * m) * tile + l];
                    if (r > 0 && k > 0) {
                        float2 w = twiddles[twiddle_at + k * (radix - 1) + r - 1];
                        x = cmul(x, make_float2(w.x, dir * w.y));
                    }
                    a[r] = x;
                }
            }
            dft(radix, a, dir);
            unsigned out = (j - k) * radix + k;
#pragma unroll
            for (unsigned r = 0; r < 8; ++r) {
                if (r < radix) scratch[(out + r * ns) * tile + l] = a[r];
            }
        }
        __syncthreads();
        float2* t = data;
        data = scratch;
        scratch = t;
        twiddle_at += ns * (radix - 1);
        ns *= radix;
    }
    return data;
}
