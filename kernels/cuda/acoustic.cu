// CUDA kernels of ferrowave's acoustic stepper (k-Wave's first-order k-space scheme),
// compiled at run time with NVRTC. The host side is kernels/src/cuda/.
//
// Layouts
// - Grid fields (u_i, rho_i, coefficient maps, kept p, extremes) are dense, x fastest:
//   i = x + nx (y + ny z).
// - A spectral buffer holds the half spectrum (nxh = nx/2 + 1 complex values along x) of a
//   field; cuFFT transforms it in place, so its real view has rows of `pitch` = 2 nxh floats:
//   r = x + pitch (y + ny z).
// - Sensor samples: [row][channel][sensor], channel 0 = p, 1 + a = u_a.
//
// Every kernel takes the run's constants (`Scene`) and the call's arguments (`Launch`) by
// value; the host mirrors both structs (kernels/src/cuda/params.rs) field for field and
// passes their sizes as defines, checked below, so most layout mismatches fail to compile.
//
// Arithmetic follows kernels/src/cpu/updates.rs term by term and in the same order.

typedef unsigned int u32;

struct Coef {
    const float* map;  // null: uniform
    float value;
    u32 pad;
};

struct Source {
    const u32* index;    // dense grid indices of the points
    const float* signal; // [step][point] when per_point, else [step]
    u32 count;
    u32 per_point;
    u32 length;
    u32 mode;            // SOURCE_DIRICHLET or SOURCE_ADDITIVE
};

struct Scene {
    float* u[3];
    float* rho[3];
    const float* pml[3];
    const float* pml_staggered[3];
    const float* wavenumber[3];          // per axis, FFT order (x: nxh entries)
    const float2* derivative_forward[3]; // i k exp(+i k d/2), zero beyond ndim
    const float2* derivative_backward[3];
    const u32* sensors;
    float* samples;
    double* cw;                          // [2][sensors]: re, im
    float* kept;
    float* p_max;
    float* p_min;
    float* u_max[3];
    float* u_min[3];
    u32* magnitude;
    Coef dt_over_rho_staggered[3];
    Coef dt_rho0;
    Coef c0_squared;
    Coef nonlinearity;
    Coef tau;
    Coef eta;
    Coef absorption_rho0;
    Coef stokes;
    u32 nx, ny, nz, nxh, pitch, ndim, points, spectrum;
    u32 sensor_count, channels, nonlinear, absorbing, has_stokes, pad0;
    float dt, half_c_ref_dt, norm, power_minus_2, power_minus_1, pad1;
};

struct Launch {
    double w_re, w_im;
    float* in[6];
    float* out[3];
    Source source;
    u32 step, filled, phase, keep, extremes, count;
};

static_assert(sizeof(Coef) == COEF_BYTES, "Coef layout differs from the host's");
static_assert(sizeof(Source) == SOURCE_BYTES, "Source layout differs from the host's");
static_assert(sizeof(Scene) == SCENE_BYTES, "Scene layout differs from the host's");
static_assert(sizeof(Launch) == LAUNCH_BYTES, "Launch layout differs from the host's");

#define PHASE_ALL 0u
#define PHASE_UPDATE 1u
#define PHASE_FINISH 2u
#define SOURCE_DIRICHLET 0u
#define SOURCE_ADDITIVE 1u
#define SKIP_POINT 0xffffffffu

__device__ __forceinline__ float at(const Coef& c, u32 i) {
    return c.map ? c.map[i] : c.value;
}

__device__ __forceinline__ u32 thread_index() {
    return blockIdx.x * blockDim.x + threadIdx.x;
}

/// A grid point: dense index, coordinates and index in the padded real view.
struct Point {
    u32 i, x, y, z, r;
};

__device__ __forceinline__ Point point(const Scene& s, u32 i) {
    Point p;
    u32 row = i / s.nx;
    p.i = i;
    p.x = i - row * s.nx;
    p.y = row % s.ny;
    p.z = row / s.ny;
    p.r = i + row * (s.pitch - s.nx);
    return p;
}

__device__ __forceinline__ u32 padded(const Scene& s, u32 i) {
    return i + (i / s.nx) * (s.pitch - s.nx);
}

__device__ __forceinline__ u32 coordinate(const Point& p, int axis) {
    return axis == 0 ? p.x : (axis == 1 ? p.y : p.z);
}

/// rho_x + rho_y + rho_z at point i (the split density's total).
__device__ __forceinline__ float density_sum(const Scene& s, u32 i) {
    float total = 0.0f;
#pragma unroll
    for (int a = 0; a < 3; ++a) {
        if (a >= (int)s.ndim) break;
        total += s.rho[a][i];
    }
    return total;
}

/// Keeps and folds p into the running extremes as the update asks.
__device__ __forceinline__ void record_pressure(const Scene& s, const Launch& l, u32 i, float p) {
    if (l.keep) s.kept[i] = p;
    if (l.extremes) {
        s.p_max[i] = fmaxf(s.p_max[i], p);
        s.p_min[i] = fminf(s.p_min[i], p);
    }
}

__device__ __forceinline__ void fold_velocity(const Scene& s, int a, u32 i, float v) {
    s.u_max[a][i] = fmaxf(s.u_max[a][i], v);
    s.u_min[a][i] = fminf(s.u_min[a][i], v);
}

__device__ __forceinline__ float source_value(const Source& src, u32 step, u32 k) {
    return src.per_point ? src.signal[(size_t)step * src.count + k] : src.signal[step];
}

// ---------------------------------------------------------------- fused point-wise updates

/// p = c0^2 sum rho_i (rho_i = p0 / (ndim c0^2) from construction). Output: p in out[0].
extern "C" __global__ void initial_pressure(const Scene s, const Launch l) {
    u32 i = thread_index();
    if (i >= s.points) return;
    Point q = point(s, i);
    float p = density_sum(s, i);
    p *= at(s.c0_squared, i);
    record_pressure(s, l, i, p);
    l.out[0][q.r] = p;
}

/// u_i = dt / (2 rho0_sg_i) kappa d/dx_i+ p0, the gradients in in[0..ndim].
extern "C" __global__ void initial_velocity(const Scene s, const Launch l) {
    u32 i = thread_index();
    if (i >= s.points) return;
    Point q = point(s, i);
#pragma unroll
    for (int a = 0; a < 3; ++a) {
        if (a >= (int)s.ndim) break;
        float v = 0.5f * at(s.dt_over_rho_staggered[a], i) * l.in[a][q.r];
        s.u[a][i] = v;
        if (l.extremes) fold_velocity(s, a, i, v);
    }
}

/// u_i = pml_sg_i (pml_sg_i u_i - dt / rho0_sg_i g_i) with g_i in in[i]; then (phase FINISH,
/// after point sources) + the corrected source in in[3 + i] if any, extremes, out[i] = u_i.
extern "C" __global__ void velocity(const Scene s, const Launch l) {
    u32 i = thread_index();
    if (i >= s.points) return;
    Point q = point(s, i);
#pragma unroll
    for (int a = 0; a < 3; ++a) {
        if (a >= (int)s.ndim) break;
        float* u = s.u[a];
        float v;
        if (l.phase != PHASE_FINISH) {
            float pml = s.pml_staggered[a][coordinate(q, a)];
            float g = l.in[a][q.r];
            v = pml * (pml * u[i] - at(s.dt_over_rho_staggered[a], i) * g);
            if (l.phase == PHASE_UPDATE) {
                u[i] = v;
                continue;
            }
        } else {
            v = u[i];
        }
        if (l.in[3 + a]) v += l.in[3 + a][q.r];
        u[i] = v;
        if (l.extremes) fold_velocity(s, a, i, v);
        l.out[a][q.r] = v;
    }
}

/// rho_i = pml_i (pml_i rho_i - factor d_i), factor = dt rho0 (+ 2 dt rho_old when nonlinear),
/// d_i = kappa d/dx_i- u_i in in[i]; then (phase FINISH, after point sources) + the corrected
/// source in in[3] if any, and either the equation of state (p in out[0]) or, when absorbing,
/// rho0 div u in out[0] and rho in out[1].
extern "C" __global__ void density(const Scene s, const Launch l) {
    u32 i = thread_index();
    if (i >= s.points) return;
    Point q = point(s, i);
    const float old_total =
        s.nonlinear && l.phase != PHASE_FINISH ? density_sum(s, i) : 0.0f;
    const bool divergence_needed = s.absorbing || s.has_stokes;
    const float dt = s.dt;
    float total = 0.0f;
    float divergence = 0.0f;
#pragma unroll
    for (int a = 0; a < 3; ++a) {
        if (a >= (int)s.ndim) break;
        float* rho = s.rho[a];
        float d = (l.phase != PHASE_FINISH || divergence_needed) ? l.in[a][q.r] : 0.0f;
        float v;
        if (l.phase != PHASE_FINISH) {
            float pml = s.pml[a][coordinate(q, a)];
            float dt_rho0 = at(s.dt_rho0, i);
            float factor = s.nonlinear ? 2.0f * dt * old_total + dt_rho0 : dt_rho0;
            v = pml * (pml * rho[i] - factor * d);
            if (l.phase == PHASE_UPDATE) {
                rho[i] = v;
                continue;
            }
        } else {
            v = rho[i];
        }
        if (l.in[3]) v += l.in[3][q.r];
        rho[i] = v;
        total += v;
        if (divergence_needed) divergence += d;
    }
    if (l.phase == PHASE_UPDATE) return;
    if (s.absorbing) {
        l.out[0][q.r] = divergence * at(s.absorption_rho0, i);
        l.out[1][q.r] = total;
        return;
    }
    float p = total;
    if (s.nonlinear) p += at(s.nonlinearity, i) * p * p;
    if (s.has_stokes) p += at(s.stokes, i) * divergence;
    p *= at(s.c0_squared, i);
    record_pressure(s, l, i, p);
    l.out[0][q.r] = p;
}

/// p = c0^2 (rho + B/A rho^2 / (2 rho0) + tau in[0] - eta in[1]). Output: p in out[0].
extern "C" __global__ void absorbing_pressure(const Scene s, const Launch l) {
    u32 i = thread_index();
    if (i >= s.points) return;
    Point q = point(s, i);
    float tau_term = l.in[0][q.r];
    float eta_term = l.in[1][q.r];
    float p = density_sum(s, i);
    if (s.nonlinear) p += at(s.nonlinearity, i) * p * p;
    p += at(s.tau, i) * tau_term;
    p -= at(s.eta, i) * eta_term;
    p *= at(s.c0_squared, i);
    record_pressure(s, l, i, p);
    l.out[0][q.r] = p;
}

// ---------------------------------------------------------------- sources and sensors

/// Dirichlet or uncorrected additive point values of `l.source` at step `l.step` on the
/// `l.count` dense fields out[0..count].
/// Repeated points: the host marks all but the last of each with SKIP_POINT for Dirichlet
/// and corrected sources (the last value wins, as on the CPU); additive values all add up.
extern "C" __global__ void point_source(const Scene s, const Launch l) {
    u32 k = thread_index();
    if (k >= l.source.count) return;
    u32 index = l.source.index[k];
    if (index == SKIP_POINT) return;
    float value = source_value(l.source, l.step, k);
#pragma unroll
    for (int t = 0; t < 3; ++t) {
        if (t >= (int)l.count) break;
        if (l.source.mode == SOURCE_DIRICHLET) {
            l.out[t][index] = value;
        } else {
            atomicAdd(&l.out[t][index], value);
        }
    }
}

/// Writes the source values of step `l.step` into the zeroed real view out[0].
extern "C" __global__ void scatter_source(const Scene s, const Launch l) {
    u32 k = thread_index();
    if (k >= l.source.count) return;
    u32 index = l.source.index[k];
    if (index == SKIP_POINT) return;
    l.out[0][padded(s, index)] = source_value(l.source, l.step, k);
}

/// Samples p (the real view in[0]) at the sensors into row `l.filled`.
extern "C" __global__ void sample_pressure(const Scene s, const Launch l) {
    u32 k = thread_index();
    if (k >= s.sensor_count) return;
    s.samples[(size_t)l.filled * s.channels * s.sensor_count + k] =
        l.in[0][padded(s, s.sensors[k])];
}

/// Ends a step: samples u at the sensors into row `l.filled` when sampled, and with `l.keep`
/// adds (w_re p, w_im p) of that row to the CW sums.
extern "C" __global__ void end_step(const Scene s, const Launch l) {
    u32 k = thread_index();
    if (k >= s.sensor_count) return;
    float* row = s.samples + (size_t)l.filled * s.channels * s.sensor_count;
    if (s.channels > 1) {
        u32 index = s.sensors[k];
#pragma unroll
        for (int a = 0; a < 3; ++a) {
            if (a >= (int)s.ndim) break;
            row[(1 + a) * s.sensor_count + k] = s.u[a][index];
        }
    }
    if (l.keep) {
        double p = (double)row[k];
        s.cw[k] += l.w_re * p;
        s.cw[s.sensor_count + k] += l.w_im * p;
    }
}

// ---------------------------------------------------------------- k-space operators

/// A half-spectrum element: the per-axis wavenumber indices and |k|.
struct Mode {
    u32 kx, ky, kz;
    float magnitude;
};

__device__ __forceinline__ Mode mode(const Scene& s, u32 j) {
    Mode m;
    u32 rest = j / s.nxh;
    m.kx = j - rest * s.nxh;
    m.ky = rest % s.ny;
    m.kz = rest / s.ny;
    float kx = s.wavenumber[0][m.kx];
    float ky = s.wavenumber[1][m.ky];
    float kz = s.wavenumber[2][m.kz];
    m.magnitude = sqrtf(kx * kx + ky * ky + kz * kz);
    return m;
}

/// kappa = sinc(c_ref dt |k| / 2), times the 1/N of the inverse transform.
__device__ __forceinline__ float kappa(const Scene& s, float k) {
    float x = s.half_c_ref_dt * k;
    float sinc = x == 0.0f ? 1.0f : sinf(x) / x;
    return sinc * s.norm;
}

__device__ __forceinline__ float2 scale(float2 z, float f) {
    return make_float2(z.x * f, z.y * f);
}

__device__ __forceinline__ float2 multiply(float2 a, float2 b) {
    return make_float2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

__device__ __forceinline__ u32 mode_index(const Mode& m, int axis) {
    return axis == 0 ? m.kx : (axis == 1 ? m.ky : m.kz);
}

/// out[a] = kappa d/dx_a+ in[0] for a < ndim (out[0] may be in[0]).
extern "C" __global__ void gradient_forward(const Scene s, const Launch l) {
    u32 j = thread_index();
    if (j >= s.spectrum) return;
    Mode m = mode(s, j);
    float2 v = scale(reinterpret_cast<const float2*>(l.in[0])[j], kappa(s, m.magnitude));
#pragma unroll
    for (int a = 0; a < 3; ++a) {
        if (a >= (int)s.ndim) break;
        reinterpret_cast<float2*>(l.out[a])[j] =
            multiply(v, s.derivative_forward[a][mode_index(m, a)]);
    }
}

/// out[a] = kappa d/dx_a- in[a] for a < ndim.
extern "C" __global__ void divergence_backward(const Scene s, const Launch l) {
    u32 j = thread_index();
    if (j >= s.spectrum) return;
    Mode m = mode(s, j);
    float k = kappa(s, m.magnitude);
#pragma unroll
    for (int a = 0; a < 3; ++a) {
        if (a >= (int)s.ndim) break;
        float2 factor = scale(s.derivative_backward[a][mode_index(m, a)], k);
        float2 v = reinterpret_cast<const float2*>(l.in[a])[j];
        reinterpret_cast<float2*>(l.out[a])[j] = multiply(v, factor);
    }
}

__device__ __forceinline__ float fractional_power(float k, float power) {
    return k == 0.0f ? 0.0f : powf(k, power);
}

/// out[0] = |k|^(y-2) in[0], out[1] = |k|^(y-1) in[1].
extern "C" __global__ void fractional_laplacians(const Scene s, const Launch l) {
    u32 j = thread_index();
    if (j >= s.spectrum) return;
    Mode m = mode(s, j);
    float f0 = fractional_power(m.magnitude, s.power_minus_2) * s.norm;
    float f1 = fractional_power(m.magnitude, s.power_minus_1) * s.norm;
    float2* out0 = reinterpret_cast<float2*>(l.out[0]);
    float2* out1 = reinterpret_cast<float2*>(l.out[1]);
    out0[j] = scale(reinterpret_cast<const float2*>(l.in[0])[j], f0);
    out1[j] = scale(reinterpret_cast<const float2*>(l.in[1])[j], f1);
}

/// out[0] = cos(c_ref dt |k| / 2) in[0].
extern "C" __global__ void source_correction(const Scene s, const Launch l) {
    u32 j = thread_index();
    if (j >= s.spectrum) return;
    Mode m = mode(s, j);
    float f = cosf(s.half_c_ref_dt * m.magnitude) * s.norm;
    reinterpret_cast<float2*>(l.out[0])[j] =
        scale(reinterpret_cast<const float2*>(l.in[0])[j], f);
}

// ---------------------------------------------------------------- utilities

/// max |sum_i rho_i| over the grid into *s.magnitude (zeroed first); NaN or Inf -> +Inf.
/// Non-negative floats order as their bit patterns, so an integer atomicMax reduces them.
extern "C" __global__ void density_magnitude(const Scene s, const Launch l) {
    float m = 0.0f;
    for (u32 i = thread_index(); i < s.points; i += gridDim.x * blockDim.x) {
        float total = 0.0f;
#pragma unroll
        for (int a = 0; a < 3; ++a) {
            if (a >= (int)s.ndim) break;
            total += s.rho[a][i];
        }
        float v = isfinite(total) ? fabsf(total) : __int_as_float(0x7f800000);
        m = fmaxf(m, v);
    }
    for (int offset = 16; offset > 0; offset >>= 1) {
        m = fmaxf(m, __shfl_down_sync(0xffffffffu, m, offset));
    }
    __shared__ float warp_max[32];
    u32 lane = threadIdx.x & 31u;
    u32 warp = threadIdx.x >> 5;
    if (lane == 0) warp_max[warp] = m;
    __syncthreads();
    if (warp == 0) {
        u32 warps = (blockDim.x + 31u) >> 5;
        m = lane < warps ? warp_max[lane] : 0.0f;
        for (int offset = 16; offset > 0; offset >>= 1) {
            m = fmaxf(m, __shfl_down_sync(0xffffffffu, m, offset));
        }
        if (lane == 0) atomicMax(s.magnitude, __float_as_uint(m));
    }
}

/// out[0][0..count) = w_re (used to start the running max/min at -inf/+inf).
extern "C" __global__ void fill(const Scene s, const Launch l) {
    u32 i = thread_index();
    if (i >= l.count) return;
    l.out[0][i] = (float)l.w_re;
}
