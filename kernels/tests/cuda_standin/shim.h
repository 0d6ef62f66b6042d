// CUDA built-ins for compiling kernels/cuda/acoustic.cu and mixed.cu as C++ in the CPU
// stand-in. The threads of a block run one at a time: in the kernels that synchronise (the
// mixed-domain ones) each thread is a fiber and __syncthreads switches to the next
// (standin.cpp); elsewhere a barrier is a no-op. Atomics are plain read-modify-writes.
#include <cstddef>
#include <cstdio>
#include <cmath>
struct float2 { float x, y; };
static float2 make_float2(float a, float b) { return {a, b}; }
struct dim3 { unsigned x, y, z; };
static dim3 blockIdx, blockDim, threadIdx, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
static float __shfl_down_sync(unsigned, float v, int) { return v; }
void standin_barrier();
void* standin_dynamic_shared();
static void __syncthreads() { standin_barrier(); }
#define DYNAMIC_SHARED(T, name) T* name = (T*)standin_dynamic_shared()
static float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
static unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
static unsigned atomicMax(unsigned* a, unsigned v) { unsigned o = *a; if (v > o) *a = v; return o; }
using std::isfinite;
static float atomicAdd(float* a, float v) { float o = *a; *a = o + v; return o; }
static double atomicAdd(double* a, double v) { double o = *a; *a = o + v; return o; }
