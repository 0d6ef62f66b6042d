// CUDA kernels of the mixed-domain stepper (kernels/src/cuda/mixed/): one kernel per axis
// pass, holding a tile of lines in shared memory through the four 1D transforms of the pass,
// and the small kernels of `form_pressure`. The host prepends line_fft.cuh (the shared-memory
// FFT). The arithmetic is kernels/src/cpu/mixed/passes.rs's, term by term.
//
// Layouts (complex f32, interleaved):
// - F{p} (current and next), F{div u}, F{S}: [kz][ky][kx < nxh];
// - mixed domain x (u_x, rho_x): [kz < nzh][ky][x], full lines along x;
// - mixed domain y (u_y, rho_y): [kz][y][kx < nxh]; mixed domain z: [z][ky][kx < nxh]: the
//   layout of F{p}, so a block taking a tile of adjacent kx columns reads every array
//   coalesced.
// In shared memory, element (line l, position p) of a tile sits at p * tile + l.
//
// Sizes: with FIXED_SIZES (NVRTC, compiled for one grid) the line lengths, tiles and radices
// are compile-time constants (LEN_a, TILE_a, RADICES_a), so loops unroll and divisions are
// by constants; without (the CPU stand-in, compiled once for every grid) they are read from
// the arguments, which always hold the same values.

struct PassArgs {
    const float2* spectrum;        // F{p} of the last step (of p0 in the initial pass)
    float2* next;                  // F{p} of this step: the x pass sets it, y and z add
    float2* u;                     // velocity and density of the pass' axis, in its domain
    float2* rho;
    float2* divergence;            // F{div u} (absorbing step passes), else null
    const float2* source;          // F{S} when a pressure source acts this step, else null
    const float* k_squared[3];     // k^2 per axis over the whole axis (kappa's |k|)
    const float2* gradient;        // i k e^{+i k d/2} / n over the whole axis
    const float2* divergence_factor; // i k e^{-i k d/2} / n
    const float* pml;              // per position along the axis
    const float* pml_staggered;
    const float2* twiddles;        // this axis' forward twiddles, stage after stage
    unsigned long long radices;    // 4 bits per stage, first stage lowest
    unsigned nx, ny, nz, nxh;
    unsigned len, tile, lines, initial;
    float dt_over_rho, dt_rho0, c0_squared, inverse_scale;
    float rho_scale, half_dt_over_rho, axis_points, half_c_ref_dt;
};

struct StepArgs {
    float2* data[2];               // restore: the arrays sharing the pair list
    const unsigned* pairs;         // restore: (a, b) element index pairs
    float2* spectrum;              // F{p} (absorption, sensors) or F{S} (source correction)
    const float2* divergence;      // F{div u}
    const float* table[2];         // |k|^(y-2), |k|^(y-1), or cos(c_ref dt |k| / 2)
    const float2* phase[3];        // sensors: per axis, [k][sensor]; x holds w_kx / N
    double* sums;                  // sensors: running sums, one per sensor
    float* samples;                // sensors: the sample block, [row][sensor]
    float* grid;                   // p on the grid, padded real view (rows of pitch floats)
    float* kept;
    float* p_max;
    float* p_min;
    unsigned count, sensor_count, filled, power_law;
    unsigned nx, ny, nxh, pitch;
    unsigned keep, extremes;
    float eta, tau_term, norm, pad;
};

static_assert(sizeof(PassArgs) == PASS_ARGS_BYTES, "PassArgs layout differs from the host's");
static_assert(sizeof(StepArgs) == STEP_ARGS_BYTES, "StepArgs layout differs from the host's");

#ifndef DYNAMIC_SHARED
#define DYNAMIC_SHARED(T, name) extern __shared__ T name[]
#endif

// Sensors the spectral sums hold (MAX_SPECTRAL_SENSORS in kernels/src/cuda/mixed/mod.rs).
#define MAX_SENSORS 32

#ifdef FIXED_SIZES
template <int A> __device__ __forceinline__ unsigned line_len(const PassArgs&) {
    return A == 0 ? LEN_0 : (A == 1 ? LEN_1 : LEN_2);
}
template <int A> __device__ __forceinline__ unsigned line_tile(const PassArgs&) {
    return A == 0 ? TILE_0 : (A == 1 ? TILE_1 : TILE_2);
}
template <int A> __device__ __forceinline__ unsigned long long line_radices(const PassArgs&) {
    return A == 0 ? RADICES_0 : (A == 1 ? RADICES_1 : RADICES_2);
}
#else
template <int A> __device__ __forceinline__ unsigned line_len(const PassArgs& m) { return m.len; }
template <int A> __device__ __forceinline__ unsigned line_tile(const PassArgs& m) { return m.tile; }
template <int A> __device__ __forceinline__ unsigned long long line_radices(const PassArgs& m) {
    return m.radices;
}
#endif

// v kappa factor, in the CPU's order (pointwise::multiply).
__device__ __forceinline__ float2 times_kappa(float2 v, float kappa, float2 factor) {
    float re = v.x * kappa, im = v.y * kappa;
    return make_float2(re * factor.x - im * factor.y, re * factor.y + im * factor.x);
}

// (field p - source c) p, component-wise (pointwise::pml_update_*).
__device__ __forceinline__ float2 pml_update(float2 field, float2 source, float c, float p) {
    return make_float2((field.x * p - source.x * c) * p, (field.y * p - source.y * c) * p);
}

// Where element (l, p) of the block's tile lives: `index` in the axis' own field, `half` in
// the half-spectrum arrays (F{p}, F{S}), `conjugate` when the value is the conjugate of
// half[index] (x lines: positions past nxh come from the partner row).
struct Site {
    unsigned field, half;
    bool conjugate, valid;
};

// Start of the half row at (-ky, -kz), whose conjugate completes x line (ky, kz).
__device__ __forceinline__ unsigned partner_row(const PassArgs& m, unsigned kz, unsigned ky) {
    return (((m.nz - kz) % m.nz) * m.ny + (m.ny - ky) % m.ny) * m.nxh;
}

template <int A>
__device__ __forceinline__ Site site(const PassArgs& m, unsigned len, unsigned tile, unsigned l,
                                     unsigned p) {
    Site s;
    if (A == 0) {
        unsigned line = blockIdx.x * tile + l;
        s.valid = line < m.lines;
        unsigned kz = line / m.ny, ky = line - kz * m.ny;
        s.field = line * len + p;
        s.conjugate = p >= m.nxh;
        s.half = s.conjugate ? partner_row(m, kz, ky) + (len - p) : (kz * m.ny + ky) * m.nxh + p;
    } else {
        unsigned column_blocks = (m.nxh + tile - 1) / tile;
        unsigned outer = blockIdx.x / column_blocks;
        unsigned kx = (blockIdx.x - outer * column_blocks) * tile + l;
        s.valid = kx < m.nxh;
        s.half = A == 1 ? (outer * m.ny + p) * m.nxh + kx : (p * m.ny + outer) * m.nxh + kx;
        s.field = s.half;
        s.conjugate = false;
    }
    return s;
}

// kappa = sinc(c_ref dt |k| / 2) at element (l, p) of the block's tile, from the per-axis k^2
// tables: computed rather than read, it costs no memory traffic. An x line holds every kx,
// its position p is its kx index.
template <int A>
__device__ __forceinline__ float kappa_at(const PassArgs& m, unsigned l, unsigned p,
                                          unsigned tile) {
    unsigned kx, ky, kz;
    if (A == 0) {
        unsigned line = blockIdx.x * tile + l;
        kz = line / m.ny;
        ky = line - kz * m.ny;
        kx = p;
    } else {
        unsigned column_blocks = (m.nxh + tile - 1) / tile;
        unsigned outer = blockIdx.x / column_blocks;
        kx = (blockIdx.x - outer * column_blocks) * tile + l;
        ky = A == 1 ? p : outer;
        kz = A == 1 ? outer : p;
    }
    float k = sqrtf(m.k_squared[0][kx] + m.k_squared[1][ky] + m.k_squared[2][kz]);
    float x = m.half_c_ref_dt * k;
    return x == 0.0f ? 1.0f : sinf(x) / x;
}

__device__ __forceinline__ float2 half_value(const float2* a, const Site& s) {
    float2 v = a[s.half];
    return s.conjugate ? cconj(v) : v;
}

// Element e of the tile's load order: x walks each line's positions fastest (contiguous),
// y and z walk the lines (adjacent kx columns) fastest.
template <int A>
__device__ __forceinline__ void element(unsigned e, unsigned len, unsigned tile, unsigned& l,
                                        unsigned& p) {
    if (A == 0) {
        l = e / len;
        p = e - l * len;
    } else {
        p = e / tile;
        l = e - p * tile;
    }
}

// Writes the tile's transformed lines (times c) into a half spectrum: y and z add at their
// sites; x writes (or, with `add`, adds) each full line's first half into its own row and,
// unless plane kz is its own partner, the conjugate of the second half into the partner row
// (passes.rs write_half_rows).
template <int A>
__device__ __forceinline__ void store_half(const PassArgs& m, float2* out, const float2* t,
                                           float c, unsigned len, unsigned tile) {
    if (A == 0) {
        for (unsigned e = threadIdx.x; e < tile * m.nxh; e += blockDim.x) {
            unsigned l = e / m.nxh, kx = e - l * m.nxh;
            unsigned line = blockIdx.x * tile + l;
            if (line >= m.lines) continue;
            unsigned kz = line / m.ny, ky = line - kz * m.ny;
            out[(kz * m.ny + ky) * m.nxh + kx] = cscale(t[kx * tile + l], c);
            if (!(kz == 0 || 2 * kz == m.nz)) {
                unsigned from = kx == 0 ? 0 : len - kx;
                out[partner_row(m, kz, ky) + kx] = cscale(cconj(t[from * tile + l]), c);
            }
        }
    } else {
        for (unsigned e = threadIdx.x; e < tile * len; e += blockDim.x) {
            unsigned l, p;
            element<A>(e, len, tile, l, p);
            Site s = site<A>(m, len, tile, l, p);
            if (!s.valid) continue;
            float2 v = out[s.half];
            out[s.half] = cadd(v, cscale(t[p * tile + l], c));
        }
    }
}

// field = pml (pml field - c t) at every site of the tile, and the tile takes the updated
// values (for the transform that follows); invalid sites hold zero.
template <int A>
__device__ __forceinline__ void update_field(const PassArgs& m, float2* field, float2* t,
                                             float c, const float* pml, unsigned len,
                                             unsigned tile, unsigned threads) {
    for (unsigned e = threadIdx.x; e < tile * len; e += threads) {
        unsigned l, p;
        element<A>(e, len, tile, l, p);
        Site s = site<A>(m, len, tile, l, p);
        float2 v = make_float2(0.0f, 0.0f);
        if (s.valid) {
            v = pml_update(field[s.field], t[p * tile + l], c, pml[p]);
            field[s.field] = v;
        }
        t[p * tile + l] = v;
    }
    __syncthreads();
}

// Loads a half-spectrum array (full lines for x) into the tile, times kappa and `factor`
// along the axis when `factor` is not null.
template <int A>
__device__ __forceinline__ void load_half(const PassArgs& m, float2* t, const float2* in,
                                          const float2* factor, unsigned len, unsigned tile) {
    for (unsigned e = threadIdx.x; e < tile * len; e += blockDim.x) {
        unsigned l, p;
        element<A>(e, len, tile, l, p);
        Site s = site<A>(m, len, tile, l, p);
        float2 v = make_float2(0.0f, 0.0f);
        if (s.valid) {
            v = half_value(in, s);
            if (factor) v = times_kappa(v, kappa_at<A>(m, l, p, tile), factor[p]);
        }
        t[p * tile + l] = v;
    }
    __syncthreads();
}

template <int A> __device__ void axis_pass(const PassArgs& m) {
    DYNAMIC_SHARED(float2, shared);
    const unsigned len = line_len<A>(m), tile = line_tile<A>(m);
    const unsigned long long radices = line_radices<A>(m);
    const unsigned threads = blockDim.x;
    float2* a = shared;
    float2* b = shared + len * tile;
    // g = F_i^-1{gradient kappa F{p}}
    load_half<A>(m, a, m.spectrum, m.gradient, len, tile);
    a = line_fft(a, b, len, tile, radices, m.twiddles, -1.0f, threads);
    b = a == shared ? shared + len * tile : shared;
    if (m.initial) {
        // u = dt / (2 rho0) g; rho = F_i^-1{F{p0}} / (ndim c0^2 n_i).
        for (unsigned e = threadIdx.x; e < tile * len; e += threads) {
            unsigned l, p;
            element<A>(e, len, tile, l, p);
            Site s = site<A>(m, len, tile, l, p);
            if (s.valid) m.u[s.field] = cscale(a[p * tile + l], m.half_dt_over_rho);
        }
        __syncthreads();
        load_half<A>(m, a, m.spectrum, nullptr, len, tile);
        a = line_fft(a, b, len, tile, radices, m.twiddles, -1.0f, threads);
        for (unsigned e = threadIdx.x; e < tile * len; e += threads) {
            unsigned l, p;
            element<A>(e, len, tile, l, p);
            Site s = site<A>(m, len, tile, l, p);
            if (s.valid) m.rho[s.field] = cscale(a[p * tile + l], m.rho_scale);
        }
        return;
    }
    // u = pml_sg (pml_sg u - dt / rho0 g)
    update_field<A>(m, m.u, a, m.dt_over_rho, m.pml_staggered, len, tile, threads);
    // w = kappa d/dx_i- F_i{u}: into F{div u} unscaled when absorbing, then back along i.
    a = line_fft(a, b, len, tile, radices, m.twiddles, 1.0f, threads);
    b = a == shared ? shared + len * tile : shared;
    for (unsigned e = threadIdx.x; e < tile * len; e += threads) {
        unsigned l, p;
        element<A>(e, len, tile, l, p);
        Site s = site<A>(m, len, tile, l, p);
        if (s.valid) {
            float kappa = kappa_at<A>(m, l, p, tile);
            a[p * tile + l] = times_kappa(a[p * tile + l], kappa, m.divergence_factor[p]);
        }
    }
    __syncthreads();
    if (m.divergence) {
        store_half<A>(m, m.divergence, a, m.axis_points, len, tile);
        __syncthreads();
    }
    a = line_fft(a, b, len, tile, radices, m.twiddles, -1.0f, threads);
    b = a == shared ? shared + len * tile : shared;
    // rho = pml (pml rho - dt rho0 w)
    update_field<A>(m, m.rho, a, m.dt_rho0, m.pml, len, tile, threads);
    if (m.source) {
        // rho += F_i^-1{F{S}} / n_i: the source line goes through the tile's other buffer,
        // rho is read back from the field this thread wrote.
        load_half<A>(m, b, m.source, nullptr, len, tile);
        float2* s_line = line_fft(b, a, len, tile, radices, m.twiddles, -1.0f, threads);
        float2* rho_line = s_line == b ? a : b;
        for (unsigned e = threadIdx.x; e < tile * len; e += threads) {
            unsigned l, p;
            element<A>(e, len, tile, l, p);
            Site s = site<A>(m, len, tile, l, p);
            float2 v = make_float2(0.0f, 0.0f);
            if (s.valid) {
                v = cadd(m.rho[s.field], cscale(s_line[p * tile + l], m.inverse_scale));
                m.rho[s.field] = v;
            }
            rho_line[p * tile + l] = v;
        }
        __syncthreads();
        a = rho_line;
        b = s_line;
    }
    // F{p} of the step (+)= c0^2 F_i{rho}
    a = line_fft(a, b, len, tile, radices, m.twiddles, 1.0f, threads);
    store_half<A>(m, m.next, a, m.c0_squared, len, tile);
}

extern "C" __global__ void mixed_pass_x(const PassArgs m) { axis_pass<0>(m); }
extern "C" __global__ void mixed_pass_y(const PassArgs m) { axis_pass<1>(m); }
extern "C" __global__ void mixed_pass_z(const PassArgs m) { axis_pass<2>(m); }

// ---------------------------------------------------------------- form_pressure

__device__ __forceinline__ unsigned global_index() { return blockIdx.x * blockDim.x + threadIdx.x; }

// Each pair (a, b) of every array in data becomes (s, conj s), s = (a + conj b) / 2; a value
// that is its own partner keeps its real part (symmetry.rs).
extern "C" __global__ void mixed_restore_pairs(const StepArgs g) {
    unsigned i = global_index();
    if (i >= g.count) return;
    unsigned a = g.pairs[2 * i], b = g.pairs[2 * i + 1];
    for (int d = 0; d < 2; ++d) {
        float2* x = g.data[d];
        if (!x) continue;
        if (a == b) {
            x[a].y = 0.0f;
        } else {
            float2 va = x[a], vb = x[b];
            float2 s = make_float2((va.x + vb.x) * 0.5f, (va.y - vb.y) * 0.5f);
            x[a] = s;
            x[b] = cconj(s);
        }
    }
}

// k-Wave's absorption terms in k-space: power law p = p - p eta |k|^(y-1) +
// div c0^2 tau rho0 |k|^(y-2); Stokes p += div c0^2 tau rho0.
extern "C" __global__ void mixed_absorption(const StepArgs g) {
    unsigned i = global_index();
    if (i >= g.count) return;
    float2 p = g.spectrum[i], div = g.divergence[i];
    if (g.power_law) {
        float2 loss = cscale(p, g.eta * g.table[1][i]);
        float2 gain = cscale(div, g.tau_term * g.table[0][i]);
        g.spectrum[i] = cadd(csub(p, loss), gain);
    } else {
        g.spectrum[i] = cadd(p, cscale(div, g.tau_term));
    }
}

// F{S} *= cos(c_ref dt |k| / 2): the k-space correction of the additive source.
extern "C" __global__ void mixed_source_correction(const StepArgs g) {
    unsigned i = global_index();
    if (i >= g.count) return;
    g.spectrum[i] = cscale(g.spectrum[i], g.table[0][i]);
}

// p from the inverse real transform (unnormalised, padded view): scaled in place by 1/N,
// kept and folded into the extremes as asked.
extern "C" __global__ void mixed_scale_grid(const StepArgs g) {
    unsigned i = global_index();
    if (i >= g.count) return;
    unsigned row = i / g.nx;
    unsigned r = i + row * (g.pitch - g.nx);
    float p = g.grid[r] * g.norm;
    g.grid[r] = p;
    if (g.keep) g.kept[i] = p;
    if (g.extremes) {
        g.p_max[i] = fmaxf(g.p_max[i], p);
        g.p_min[i] = fminf(g.p_min[i], p);
    }
}

// p at each sensor from F{p}: sum over the half spectrum of Re(F{p} phase_x phase_y phase_z)
// (phase_x holds w_kx / N). Each thread sums its elements in f64, the block reduces in
// shared memory, and one atomic add per block and sensor collects the blocks.
extern "C" __global__ void mixed_sensor_sums(const StepArgs g) {
    double acc[MAX_SENSORS];
#pragma unroll
    for (int s = 0; s < MAX_SENSORS; ++s) acc[s] = 0.0;
    const unsigned sensors = g.sensor_count;
    for (unsigned j = global_index(); j < g.count; j += gridDim.x * blockDim.x) {
        unsigned rest = j / g.nxh;
        unsigned kx = j - rest * g.nxh, ky = rest % g.ny, kz = rest / g.ny;
        float2 v = g.spectrum[j];
        const float2* px = g.phase[0] + kx * sensors;
        const float2* py = g.phase[1] + ky * sensors;
        const float2* pz = g.phase[2] + kz * sensors;
#pragma unroll
        for (int s = 0; s < MAX_SENSORS; ++s) {
            if (s < (int)sensors) {
                float2 w = cmul(cmul(px[s], py[s]), pz[s]);
                acc[s] += (double)(v.x * w.x - v.y * w.y);
            }
        }
    }
    __shared__ double partial[256];
    for (unsigned s = 0; s < sensors; ++s) {
        double mine = 0.0;
#pragma unroll
        for (int q = 0; q < MAX_SENSORS; ++q) {
            if (q == (int)s) mine = acc[q];
        }
        partial[threadIdx.x] = mine;
        __syncthreads();
        for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
            if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
            __syncthreads();
        }
        if (threadIdx.x == 0) atomicAdd(&g.sums[s], partial[0]);
        __syncthreads();
    }
}

// The sums become row `filled` of the sample block, and start again from zero.
extern "C" __global__ void mixed_sensor_finish(const StepArgs g) {
    unsigned s = global_index();
    if (s >= g.sensor_count) return;
    g.samples[(size_t)g.filled * g.sensor_count + s] = (float)g.sums[s];
    g.sums[s] = 0.0;
}

// ---------------------------------------------------------------- the line FFT alone

// For kernels/tests/cuda_line_fft.rs: the passes' line FFT on `count` lines of `len` values
// stored one after another. Block b loads lines b * tile ... into shared memory in the
// passes' layout, transforms them (dir +1 forward, -1 inverse, unnormalised) and writes them
// back in place.
struct LineFftArgs {
    float2* lines;
    const float2* twiddles;
    unsigned long long radices;
    unsigned len, tile, count;
    float dir;
};

static_assert(sizeof(LineFftArgs) == 40, "LineFftArgs layout differs from the host's");

extern "C" __global__ void line_fft_lines(const LineFftArgs g) {
    DYNAMIC_SHARED(float2, shared);
    const unsigned len = g.len, tile = g.tile, first = blockIdx.x * tile;
    for (unsigned e = threadIdx.x; e < tile * len; e += blockDim.x) {
        unsigned l = e / len, p = e % len;
        bool present = first + l < g.count;
        shared[p * tile + l] =
            present ? g.lines[(size_t)(first + l) * len + p] : make_float2(0.0f, 0.0f);
    }
    __syncthreads();
    float2* out = line_fft(shared, shared + len * tile, len, tile, g.radices, g.twiddles, g.dir,
                           blockDim.x);
    for (unsigned e = threadIdx.x; e < tile * len; e += blockDim.x) {
        unsigned l = e / len, p = e % len;
        if (first + l < g.count) g.lines[(size_t)(first + l) * len + p] = out[p * tile + l];
    }
}
