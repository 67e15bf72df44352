// Device functions shared by the kernels of cuda/*.cu: the warp and block reductions, a quiet NaN and the
// offset of an element of a 6-D tensor read through strides. Included with
// #include "common.cuh"; it holds no kernels and no dynamic shared memory (the emulator's generator
// inlines it into each wrapper, docs/emulator.md). build-ptx.sh hashes a kernel source together with the
// headers it includes, so changing this file makes the PTX of every includer stale.
//
// Two block sums, kept apart because they add in different orders and the kernels must keep their bits:
// block_sum gives every thread the total, summing the warp totals one after another in warp order;
// block_sum_to_first gives thread 0 the total, summing the warp totals by a shuffle tree in warp 0.
// Threads are numbered x fastest, then y (threadIdx.x + threadIdx.y * blockDim.x); a block's thread
// count must be a multiple of 32.
#ifndef FEATVIZ_CUDA_COMMON_CUH
#define FEATVIZ_CUDA_COMMON_CUH

#define FEATVIZ_FULL_MASK 0xffffffffu

// Internal linkage: the emulator links every kernel file into one library.
namespace {

// A quiet NaN (0x7fc00000), for results that must show a bad argument.
static __device__ __forceinline__ float quiet_nan() {
  return __int_as_float(0x7fc00000);
}

// The offset sum_k c_k s[k] of element i of a contiguous tensor with dims d[0..5] (c its coordinates, the last
// dimension fastest) in a tensor read through element strides s[0..5] (0 along a broadcast dimension).
static __device__ __forceinline__ int strided_offset(int i, const int* d, const int* s) {
  int offset = 0;
  for (int k = 5; k >= 0; k--) {
    offset += (i % d[k]) * s[k];
    i /= d[k];
  }
  return offset;
}

// The thread's linear index in its block, and the block's number of warps.
static __device__ __forceinline__ int block_thread() {
  return threadIdx.x + threadIdx.y * blockDim.x;
}

static __device__ __forceinline__ int block_warps() {
  return (blockDim.x * blockDim.y) >> 5;
}

// The sum of v over the 32 lanes of the warp, valid in lane 0: a shuffle tree (offsets 16, 8, 4, 2, 1).
template <typename T>
static __device__ __forceinline__ T warp_sum(T v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(FEATVIZ_FULL_MASK, v, offset);
  return v;
}

// The sum of v over every thread of the block, returned to every thread: the warp sums, then every thread
// adds the warp totals in warp order (the same order everywhere, so the same bits everywhere). Contains two
// barriers: every thread of the block must call it. scratch: 32 T of shared memory, free again on return.
template <typename T>
static __device__ T block_sum(T v, T* scratch) {
  const int tid = block_thread();
  const int warps = block_warps();
  v = warp_sum(v);
  if ((tid & 31) == 0) scratch[tid >> 5] = v;
  __syncthreads();
  T total = 0;
  for (int w = 0; w < warps; ++w) total += scratch[w];
  __syncthreads();  // nobody overwrites scratch before everyone has read it
  return total;
}

// The sum of v over every thread of the block, valid in thread 0 only: the warp sums, then warp 0 sums the
// warp totals by a shuffle tree. Contains two barriers: every thread of the block must call it.
// warp_totals: 32 floats of shared memory, free again on return.
static __device__ __forceinline__ float block_sum_to_first(float v, float* warp_totals) {
  const int tid = block_thread();
  const int lane = tid & 31;
  const int warp = tid >> 5;
  v = warp_sum(v);
  if (lane == 0) warp_totals[warp] = v;
  __syncthreads();  // warp 0 reads every warp's total
  float total = 0.0f;
  if (warp == 0) total = warp_sum(lane < block_warps() ? warp_totals[lane] : 0.0f);
  __syncthreads();  // nobody overwrites warp_totals before warp 0 has read them
  return total;
}

// Whether flag is nonzero in some thread of the block: 1 or 0, valid in thread 0 only. Contains one
// barrier: every thread of the block must call it. warp_found: 32 ints of shared memory.
static __device__ __forceinline__ int block_any_to_first(int flag, int* warp_found) {
  const int tid = block_thread();
  const int found = __any_sync(FEATVIZ_FULL_MASK, flag);
  if ((tid & 31) == 0) warp_found[tid >> 5] = found;
  __syncthreads();  // thread 0 reads every warp's answer
  int any = 0;
  if (tid == 0) {
    for (int w = 0; w < block_warps(); ++w) any |= warp_found[w];
  }
  return any;
}

}  // namespace

#endif  // FEATVIZ_CUDA_COMMON_CUH
