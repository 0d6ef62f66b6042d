// A CPU stand-in for libcuda + libcufft: the CUDA backend's host code runs for real (cudarc,
// NVRTC compiling kernels/cuda/acoustic.cu and mixed.cu), while kernel launches run the same
// kernels compiled here as C++ (blocks one after another) and cuFFT calls are double-
// precision DFTs. Kernels that synchronise a block (the mixed-domain ones) run its threads as
// cooperative fibers (ucontext): each runs until its next __syncthreads, then the next
// thread runs, round-robin; a round where some threads wait at a barrier and others return is
// reported and aborts. Other kernels run their threads one after another. It checks the
// backends' logic and the kernels' arithmetic on machines without a GPU (CI); it says nothing
// about speed or about behaviour only a GPU has (warp shuffles, atomics racing, real cuFFT
// layouts). Built and run by scripts/test-cuda-standin.sh.
#include <cstring>
#include <cstdint>
#include <cstdlib>
#include <vector>
#include <complex>
#include <string>
#include <map>
#include <mutex>
#include <ucontext.h>
#include "shim.h"
// The struct sizes the host passes to NVRTC (kernels/src/cuda/params.rs and
// kernels/src/cuda/mixed/args.rs); the kernels' static_asserts check the C++ layout against
// them.
#define COEF_BYTES 16
#define SOURCE_BYTES 32
#define SCENE_BYTES 512
#define LAUNCH_BYTES 144
#define PASS_ARGS_BYTES 184
#define STEP_ARGS_BYTES 184
#include "acoustic.cu"
#include "line_fft.cuh"
#include "mixed.cu"

typedef int CUresult;
// Runs one thread of a kernel with the launch's parameter block.
typedef void (*Invoke)(void** params);
// max_dynamic_shared: what a launch may ask for (48 KB unless the opt-in raised it).
struct Entry { const char* name; Invoke invoke; bool synchronises; int max_dynamic_shared = 48 * 1024; };
template <void (*K)(const Scene, const Launch)> void scene_kernel(void** p) {
  K(*(const Scene*)p[0], *(const Launch*)p[1]); }
template <void (*K)(const PassArgs)> void pass_kernel(void** p) { K(*(const PassArgs*)p[0]); }
template <void (*K)(const StepArgs)> void step_kernel(void** p) { K(*(const StepArgs*)p[0]); }
template <void (*K)(const LineFftArgs)> void line_kernel(void** p) { K(*(const LineFftArgs*)p[0]); }
static Entry kernels[] = {
  {"initial_pressure", scene_kernel<initial_pressure>, false},
  {"initial_velocity", scene_kernel<initial_velocity>, false},
  {"velocity", scene_kernel<velocity>, false}, {"density", scene_kernel<density>, false},
  {"absorbing_pressure", scene_kernel<absorbing_pressure>, false},
  {"point_source", scene_kernel<point_source>, false},
  {"scatter_source", scene_kernel<scatter_source>, false},
  {"sample_pressure", scene_kernel<sample_pressure>, false},
  {"end_step", scene_kernel<end_step>, false},
  {"gradient_forward", scene_kernel<gradient_forward>, false},
  {"divergence_backward", scene_kernel<divergence_backward>, false},
  {"fractional_laplacians", scene_kernel<fractional_laplacians>, false},
  {"source_correction", scene_kernel<source_correction>, false},
  {"density_magnitude", nullptr, false}, {"fill", scene_kernel<fill>, false},
  {"mixed_pass_x", pass_kernel<mixed_pass_x>, true},
  {"mixed_pass_y", pass_kernel<mixed_pass_y>, true},
  {"mixed_pass_z", pass_kernel<mixed_pass_z>, true},
  {"mixed_restore_pairs", step_kernel<mixed_restore_pairs>, false},
  {"mixed_absorption", step_kernel<mixed_absorption>, false},
  {"mixed_source_correction", step_kernel<mixed_source_correction>, false},
  {"mixed_scale_grid", step_kernel<mixed_scale_grid>, false},
  {"mixed_sensor_sums", step_kernel<mixed_sensor_sums>, true},
  {"mixed_sensor_finish", step_kernel<mixed_sensor_finish>, false},
  {"line_fft_lines", line_kernel<line_fft_lines>, true},
};

// ---------------------------------------------------------------- threads as fibers
static const size_t FIBER_STACK = 64 << 10;
static bool in_fibers = false;
static ucontext_t scheduler;
static std::vector<ucontext_t> fibers;
static std::vector<char> stacks;
static std::vector<char> finished;
static std::vector<char> dynamic_shared;
static unsigned running;
static Invoke fiber_kernel;
static void** fiber_params;

void* standin_dynamic_shared() { return dynamic_shared.data(); }
void standin_barrier() {
  if (in_fibers) swapcontext(&fibers[running], &scheduler);
}
static void fiber_main() {
  fiber_kernel(fiber_params);
  finished[running] = 1;
}
// Runs block blockIdx with its threads as fibers, round by round until all return.
static void run_block_as_fibers(unsigned threads) {
  fibers.resize(threads);
  finished.assign(threads, 0);
  if (stacks.size() < threads * FIBER_STACK) stacks.resize(threads * FIBER_STACK);
  for (unsigned t = 0; t < threads; ++t) {
    getcontext(&fibers[t]);
    fibers[t].uc_stack.ss_sp = stacks.data() + t * FIBER_STACK;
    fibers[t].uc_stack.ss_size = FIBER_STACK;
    fibers[t].uc_link = &scheduler;
    makecontext(&fibers[t], fiber_main, 0);
  }
  in_fibers = true;
  for (;;) {
    unsigned waiting = 0, returned = 0;
    for (unsigned t = 0; t < threads; ++t) {
      if (finished[t]) continue;
      running = t;
      threadIdx = {t, 0, 0};
      swapcontext(&scheduler, &fibers[t]);
      if (finished[t]) returned++; else waiting++;
    }
    if (waiting == 0) break;
    if (returned > 0) {
      fprintf(stderr, "stand-in: block %u: %u threads wait at a barrier that %u returned past\n",
              blockIdx.x, waiting, returned);
      abort();
    }
  }
  in_fibers = false;
}

static long launches = 0;
// Kernels and transforms run one at a time (tests open backends on several threads; the
// emulated built-ins, fibers and plans are process-wide).
static std::mutex one_at_a_time;
extern "C" {
CUresult cuInit(unsigned) { return 0; }
CUresult cuDriverGetVersion(int* v) { *v = 12080; return 0; }
CUresult cuDeviceGetCount(int* c) { *c = 1; return 0; }
CUresult cuDeviceGet(int* d, int o) { *d = o; return 0; }
static int ctx_dummy;
static void* current = nullptr;
CUresult cuDevicePrimaryCtxRetain(void** c, int) { *c = &ctx_dummy; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return 0; }
CUresult cuDevicePrimaryCtxRelease(int) { return 0; }
CUresult cuCtxSetCurrent(void* c) { current = c; return 0; }
CUresult cuCtxGetCurrent(void** c) { *c = current; return 0; }
CUresult cuCtxSynchronize() { return 0; }
CUresult cuDeviceGetAttribute(int* v, int attr, int) {
  // 75, 76: compute capability 9.0; 97: the opt-in shared memory per block, as an H100's.
  *v = attr == 75 ? 9 : attr == 97 ? 232448 : 0; return 0; }
CUresult cuDeviceGetName(char* name, int len, int) { strncpy(name, "CPU stand-in for CUDA (kernels/tests/cuda_standin)", len); return 0; }
CUresult cuMemGetInfo_v2(size_t* f, size_t* t) { *f = 8ull << 30; *t = 16ull << 30; return 0; }
CUresult cuDeviceTotalMem_v2(size_t* t, int) { *t = 16ull << 30; return 0; }
CUresult cuModuleLoadData(void** m, const void*) { *m = &ctx_dummy; return 0; }
CUresult cuModuleUnload(void*) { return 0; }
CUresult cuModuleGetFunction(void** f, void*, const char* name) {
  for (auto& e : kernels) if (!strcmp(e.name, name)) { *f = &e; return 0; }
  return 500; }
CUresult cuMemAlloc_v2(uint64_t* p, size_t n) { *p = (uint64_t)calloc(n + 64, 1); return 0; }
CUresult cuMemFree_v2(uint64_t p) { free((void*)p); return 0; }
CUresult cuMemsetD8Async(uint64_t p, unsigned char v, size_t n, void*) { memset((void*)p, v, n); return 0; }
CUresult cuMemcpyHtoDAsync_v2(uint64_t d, const void* s, size_t n, void*) { memcpy((void*)d, s, n); return 0; }
CUresult cuMemcpyDtoHAsync_v2(void* d, uint64_t s, size_t n, void*) { memcpy(d, (void*)s, n); return 0; }
CUresult cuStreamSynchronize(void*) { return 0; }
CUresult cuGetErrorString(int, const char** s) { *s = "fake error"; return 0; }
CUresult cuGetErrorName(int, const char** s) { *s = "FAKE"; return 0; }
CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shmem, void* stream, void** params, void** extra) {
  std::lock_guard<std::mutex> guard(one_at_a_time);
  Entry* e = (Entry*)f;
  // As the driver: more dynamic shared memory than allowed, or over 1024 threads, is refused.
  if ((int)shmem > e->max_dynamic_shared || bx * by * bz > 1024) return 1;
  launches++;
  if (!e->invoke) { // density_magnitude, emulated directly
    const Scene& s = *(const Scene*)params[0];
    float m = 0;
    for (unsigned i = 0; i < s.points; ++i) {
      float t = 0; for (unsigned a = 0; a < s.ndim; ++a) t += s.rho[a][i];
      float v = std::isfinite(t) ? fabsf(t) : INFINITY; m = fmaxf(m, v);
    }
    unsigned bits; memcpy(&bits, &m, 4); if (bits > *s.magnitude) *s.magnitude = bits;
    return 0;
  }
  gridDim = {gx, gy, gz}; blockDim = {bx, by, bz};
  dynamic_shared.assign(shmem + 16, 0);
  fiber_kernel = e->invoke; fiber_params = params;
  for (unsigned b = 0; b < gx; ++b) { blockIdx = {b, 0, 0};
    if (e->synchronises) { run_block_as_fibers(bx); continue; }
    for (unsigned t = 0; t < bx; ++t) { threadIdx = {t, 0, 0}; e->invoke(params); } }
  return 0;
}
// 8: CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, up to the opt-in limit (attribute 97).
CUresult cuFuncSetAttribute(void* f, int attr, int value) {
  if (attr != 8) return 0;
  if (value > 232448) return 1;
  ((Entry*)f)->max_dynamic_shared = value; return 0; }
CUresult cuMemcpyDtoDAsync_v2(uint64_t d, uint64_t s, size_t n, void*) { memcpy((void*)d, (void*)s, n); return 0; }

// ---------------------------------------------------------------- cuFFT
typedef std::complex<double> cd;
struct Plan { int rank; int n[3]; int type; };
static std::vector<Plan> plans;
CUresult cufftCreate(int* h) {
  std::lock_guard<std::mutex> guard(one_at_a_time); plans.push_back({}); *h = plans.size() - 1; return 0; }
CUresult cufftDestroy(int) { return 0; }
CUresult cufftSetAutoAllocation(int, int) { return 0; }
CUresult cufftSetStream(int, void*) { return 0; }
CUresult cufftSetWorkArea(int, void*) { return 0; }
CUresult cufftMakePlanMany(int h, int rank, int* n, int*, int, int, int*, int, int, int type, int,
                           size_t* work) {
  std::lock_guard<std::mutex> guard(one_at_a_time);
  plans[h].rank = rank; for (int i = 0; i < rank; ++i) plans[h].n[i] = n[i]; plans[h].type = type;
  *work = 1024; return 0; }
// DFT along one axis of a complex array [nz][ny][nxc] (x fastest); axis 0 = x.
static void dft_axis(std::vector<cd>& d, int nxc, int ny, int nz, int axis, int len, int sign) {
  std::vector<cd> tmp(len), w(len);
  for (int k = 0; k < len; ++k) w[k] = std::polar(1.0, sign * 2 * M_PI * k / len);
  int stride = axis == 0 ? 1 : axis == 1 ? nxc : nxc * ny;
  int total = nxc * ny * nz;
  for (int base = 0; base < total; ++base) {
    int x = base % nxc, y = (base / nxc) % ny, z = base / (nxc * ny);
    int c = axis == 0 ? x : axis == 1 ? y : z;
    if (c != 0) continue;
    for (int k = 0; k < len; ++k) { cd acc = 0; for (int j = 0; j < len; ++j)
        acc += d[base + j * stride] * w[(long)j * k % len]; tmp[k] = acc; }
    for (int k = 0; k < len; ++k) d[base + k * stride] = tmp[k];
  }
}
static void dims(const Plan& p, int& nx, int& ny, int& nz) {
  nx = p.n[p.rank - 1]; ny = p.rank > 1 ? p.n[p.rank - 2] : 1; nz = p.rank > 2 ? p.n[0] : 1; }
CUresult cufftExecR2C(int h, float* in, float* out) {
  std::lock_guard<std::mutex> guard(one_at_a_time);
  int nx, ny, nz; dims(plans[h], nx, ny, nz); int nxh = nx / 2 + 1, pitch = 2 * nxh;
  std::vector<cd> d((size_t)nx * ny * nz);
  for (int r = 0; r < ny * nz; ++r) for (int x = 0; x < nx; ++x) d[r * nx + x] = in[r * pitch + x];
  dft_axis(d, nx, ny, nz, 0, nx, -1); dft_axis(d, nx, ny, nz, 1, ny, -1); dft_axis(d, nx, ny, nz, 2, nz, -1);
  for (int r = 0; r < ny * nz; ++r) for (int x = 0; x < nxh; ++x) {
    out[2 * (r * nxh + x)] = d[r * nx + x].real(); out[2 * (r * nxh + x) + 1] = d[r * nx + x].imag(); }
  return 0; }
CUresult cufftExecC2R(int h, float* in, float* out) {
  std::lock_guard<std::mutex> guard(one_at_a_time);
  int nx, ny, nz; dims(plans[h], nx, ny, nz); int nxh = nx / 2 + 1, pitch = 2 * nxh;
  std::vector<cd> d((size_t)nxh * ny * nz);
  for (size_t i = 0; i < d.size(); ++i) d[i] = cd(in[2 * i], in[2 * i + 1]);
  dft_axis(d, nxh, ny, nz, 1, ny, +1); dft_axis(d, nxh, ny, nz, 2, nz, +1);
  for (int r = 0; r < ny * nz; ++r) {
    std::vector<double> row(nx);
    for (int x = 0; x < nx; ++x) { double acc = 0;
      for (int k = 0; k < nxh; ++k) { double f = (k == 0 || (nx % 2 == 0 && k == nx / 2)) ? 1 : 2;
        acc += f * (d[r * nxh + k] * std::polar(1.0, 2 * M_PI * (double)((long)k * x % nx) / nx)).real(); }
      row[x] = acc; }
    for (int x = 0; x < nx; ++x) out[r * pitch + x] = row[x];
  }
  return 0; }
}
