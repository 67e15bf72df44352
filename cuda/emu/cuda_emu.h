// cuda_emu.h: lets g++ compile the kernels in cuda/*.cu for the host emulator (docs/emulator.md).
//
// The generated wrapper of each .cu file includes this header first; nvcc never sees it. Every thread
// of a block is a cooperative fiber that runs until its next __syncthreads() or warp collective, one
// thread at a time, so a missing barrier or a wrong shuffle gives a wrong result instead of a lucky
// right one. Blocks run one after another; __shared__ storage is static and refilled with 0xFF bytes
// (NaN for floats, -1 for ints) before every block, so reading shared memory nobody wrote shows up.
#ifndef FEATVIZ_CUDA_EMU_H
#define FEATVIZ_CUDA_EMU_H
#ifndef __CUDACC__

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <type_traits>

// ---- Built-in types ------------------------------------------------------------------------------
struct uint3 {
  unsigned int x, y, z;
};

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

struct __attribute__((aligned(8))) float2 { float x, y; };
struct __attribute__((aligned(16))) float4 { float x, y, z, w; };
struct __attribute__((aligned(8))) int2 { int x, y; };
struct __attribute__((aligned(16))) int4 { int x, y, z, w; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline int2 make_int2(int x, int y) { return {x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// ---- Qualifiers ----------------------------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define __constant__ static
// Every __shared__ variable lands in one section that the runtime refills before each block.
// (extern __shared__ arrays, dynamic shared memory, are rewritten by cuda/emu/gen_emu_sources.py.)
#define __shared__ static __attribute__((section("featviz_shared"), aligned(16)))

static constexpr int warpSize = 32;

// ---- Runtime state (cuda/emu/emu_runtime.cpp) ----------------------------------------------------
namespace featviz_emu {

struct BlockState {
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
};

extern const uint3* current_thread_idx;  // the running fiber's threadIdx
extern BlockState block_state;

enum Collective : int { SHFL_IDX, SHFL_UP, SHFL_DOWN, SHFL_XOR, BALLOT, ALL, ANY, SYNCWARP };

void sync_threads();
// Waits until every lane named in `mask` reaches a collective of the same kind, then returns this
// lane's result: for shuffles the 8 bytes posted by the source lane (all 0xFF bytes where the source
// lane is absent or not in the mask), for votes the vote.
uint64_t warp_collective(Collective kind, unsigned mask, uint64_t posted, int arg, int width);
void* dynamic_shared();

template <typename T>
inline T shuffle(Collective kind, unsigned mask, T value, int arg, int width) {
  static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8, "shuffle of a type over 8 bytes");
  uint64_t bits = 0;
  memcpy(&bits, &value, sizeof(T));
  bits = warp_collective(kind, mask, bits, arg, width);
  T out;
  memcpy(&out, &bits, sizeof(T));
  return out;
}

}  // namespace featviz_emu

#define threadIdx (*featviz_emu::current_thread_idx)
#define blockIdx (static_cast<const uint3&>(featviz_emu::block_state.block_idx))
#define blockDim (static_cast<const dim3&>(featviz_emu::block_state.block_dim))
#define gridDim (static_cast<const dim3&>(featviz_emu::block_state.grid_dim))

// ---- Synchronization and warp collectives --------------------------------------------------------
inline void __syncthreads() { featviz_emu::sync_threads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  featviz_emu::warp_collective(featviz_emu::SYNCWARP, mask, 0, 0, 32);
}
template <typename T>
inline T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32) {
  return featviz_emu::shuffle(featviz_emu::SHFL_IDX, mask, var, src_lane, width);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
  return featviz_emu::shuffle(featviz_emu::SHFL_UP, mask, var, static_cast<int>(delta), width);
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
  return featviz_emu::shuffle(featviz_emu::SHFL_DOWN, mask, var, static_cast<int>(delta), width);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32) {
  return featviz_emu::shuffle(featviz_emu::SHFL_XOR, mask, var, lane_mask, width);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
  return static_cast<unsigned>(featviz_emu::warp_collective(featviz_emu::BALLOT, mask, predicate != 0, 0, 32));
}
inline int __all_sync(unsigned mask, int predicate) {
  return static_cast<int>(featviz_emu::warp_collective(featviz_emu::ALL, mask, predicate != 0, 0, 32));
}
inline int __any_sync(unsigned mask, int predicate) {
  return static_cast<int>(featviz_emu::warp_collective(featviz_emu::ANY, mask, predicate != 0, 0, 32));
}

// ---- Atomics: only one fiber runs at a time, so plain read-modify-write is atomic ----------------
namespace featviz_emu {
// What each atomic does on the emulator: store op(old) at address, return old.
template <typename T, typename Op>
inline T atomic_update(T* address, Op op) {
  T old = *address;
  *address = op(old);
  return old;
}
}  // namespace featviz_emu

template <typename T>
inline T atomicAdd(T* address, T value) {
  return featviz_emu::atomic_update(address, [value](T old) { return old + value; });
}
template <typename T>
inline T atomicSub(T* address, T value) {
  return featviz_emu::atomic_update(address, [value](T old) { return old - value; });
}
template <typename T>
inline T atomicMax(T* address, T value) {
  static_assert(std::is_integral<T>::value, "CUDA has atomicMax for integers only");
  return featviz_emu::atomic_update(address, [value](T old) { return value > old ? value : old; });
}
template <typename T>
inline T atomicMin(T* address, T value) {
  static_assert(std::is_integral<T>::value, "CUDA has atomicMin for integers only");
  return featviz_emu::atomic_update(address, [value](T old) { return value < old ? value : old; });
}
template <typename T>
inline T atomicExch(T* address, T value) {
  return featviz_emu::atomic_update(address, [value](T) { return value; });
}
template <typename T>
inline T atomicCAS(T* address, T compare, T value) {
  return featviz_emu::atomic_update(address, [compare, value](T old) { return old == compare ? value : old; });
}

// ---- Math intrinsics as plain host math ----------------------------------------------------------
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fadd_rn(float x, float y) { return x + y; }
inline float __fmul_rn(float x, float y) { return x * y; }
inline float __fmaf_rn(float x, float y, float z) { return fmaf(x, y, z); }
inline float __saturatef(float x) { return x != x ? 0.0f : fminf(fmaxf(x, 0.0f), 1.0f); }
inline int __float2int_rn(float x) { return static_cast<int>(nearbyintf(x)); }
inline int __float2int_rz(float x) { return static_cast<int>(x); }
inline float __int2float_rn(int x) { return static_cast<float>(x); }
inline float __int_as_float(int x) { float f; memcpy(&f, &x, 4); return f; }
inline int __float_as_int(float x) { int i; memcpy(&i, &x, 4); return i; }
inline float __uint_as_float(unsigned x) { float f; memcpy(&f, &x, 4); return f; }
inline unsigned __float_as_uint(float x) { unsigned u; memcpy(&u, &x, 4); return u; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x)); }
inline int __ffs(int x) { return __builtin_ffs(x); }
template <typename T>
inline T __ldg(const T* p) { return *p; }

// CUDA's device-side min and max, overloaded like CUDA's (mixed int/float picks the float one).
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

#endif  // __CUDACC__
#endif  // FEATVIZ_CUDA_EMU_H
