// Self-test kernels of the CUDA host emulator (test-only; EmulatorSemanticsTest runs them).
// Each one pins down one rule of the CUDA execution model that the emulator must keep or catch.
// They are valid CUDA: PtxFreshnessTest compiles them with nvcc when it is on the PATH.

#define FULL_MASK 0xffffffffu

// Each thread stores in[g] (g its index in the grid) to s at its index in the block; returns g.
__device__ int stage(float* s, const float* in) {
  const int g = blockIdx.x * blockDim.x + threadIdx.x;
  s[threadIdx.x] = in[g];
  return g;
}

// out[g] = in[g + 1 within the block, wrapping]: every thread writes shared memory, waits at the
// barrier, then reads its neighbour's value. Launch: 1-D blocks of at most 1024 threads.
extern "C" __global__ void selftest_rotate_synced(const float* in, float* out) {
  __shared__ float s[1024];
  const int g = stage(s, in);
  __syncthreads();
  out[g] = s[(threadIdx.x + 1) % blockDim.x];
}

// The same without the barrier: a data race that real GPUs often get away with. On the emulator each
// thread runs alone to the end, so most read their neighbour's slot before the neighbour wrote it.
extern "C" __global__ void selftest_rotate_unsynced(const float* in, float* out) {
  __shared__ float s[1024];
  const int g = stage(s, in);
  out[g] = s[(threadIdx.x + 1) % blockDim.x];
}

// Reads the slot of the same lane in the next warp with only a shuffle in between: a shuffle
// synchronizes one warp, not the block, so this is still a race and must give a wrong result.
extern "C" __global__ void selftest_rotate_warps_shuffle_only(const float* in, float* out) {
  __shared__ float s[1024];
  const int g = stage(s, in);
  const float mine = __shfl_xor_sync(FULL_MASK, in[g], 1);
  out[g] = s[(threadIdx.x + 32) % blockDim.x] + 0.0f * mine;
}

// Threads at or beyond `active` leave before the barrier: barrier divergence, which the emulator reports.
extern "C" __global__ void selftest_exit_before_barrier(float* out, int active) {
  if ((int) threadIdx.x >= active) return;
  __syncthreads();
  out[threadIdx.x] = 1.0f;
}

// Lane 0 leaves while the other lanes shuffle with a full mask: a collective that can never complete.
extern "C" __global__ void selftest_shuffle_after_exit(float* out) {
  if ((threadIdx.x & 31) == 0) return;
  out[threadIdx.x] = __shfl_down_sync(FULL_MASK, 1.0f, 1);
}

// Every shuffle and vote flavour once. in and every output have one value per thread; 1-D block,
// a multiple of 32 threads.
extern "C" __global__ void selftest_shuffles(const float* in, float* down, float* up, float* xor_out, float* idx,
                                             float* down_width8, int* ballot, int* all_any) {
  const int t = threadIdx.x;
  const float v = in[t];
  down[t] = __shfl_down_sync(FULL_MASK, v, 3);
  up[t] = __shfl_up_sync(FULL_MASK, v, 5);
  xor_out[t] = __shfl_xor_sync(FULL_MASK, v, 6);
  idx[t] = __shfl_sync(FULL_MASK, v, 7);
  down_width8[t] = __shfl_down_sync(FULL_MASK, v, 3, 8);
  ballot[t] = (int) __ballot_sync(FULL_MASK, v > 0.0f);
  all_any[t] = 2 * __all_sync(FULL_MASK, v > -10.0f) + __any_sync(FULL_MASK, v > 0.0f);
}

// Grid-stride accumulation through atomics: fsum += x[i], isum += k[i], imax = max(imax, k[i]).
extern "C" __global__ void selftest_atomics(const float* x, const int* k, int n, float* fsum, int* isum, int* imax) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    atomicAdd(fsum, x[i]);
    atomicAdd(isum, k[i]);
    atomicMax(imax, k[i]);
  }
}

// Only block 0 writes shared memory; every block reads it. Shared memory is per block, so the other
// blocks read what was never written there (the emulator's NaN fill).
extern "C" __global__ void selftest_shared_per_block(float* out) {
  __shared__ float s[256];
  if (blockIdx.x == 0) s[threadIdx.x] = 7.0f;
  __syncthreads();
  out[blockIdx.x * blockDim.x + threadIdx.x] = s[threadIdx.x];
}

// Reverses each block's slice of `in` through dynamic shared memory (blockDim.x floats).
extern "C" __global__ void selftest_dynamic_shared(const float* in, float* out) {
  extern __shared__ float buffer[];
  const int t = threadIdx.x;
  const int g = blockIdx.x * blockDim.x + t;
  buffer[t] = in[g];
  __syncthreads();
  out[g] = buffer[blockDim.x - 1 - t];
}

// Writes, per thread of a 3-D launch, its coordinates: 12 ints per thread at its global linear index
// (threadIdx, blockIdx, blockDim, gridDim, each x y z).
extern "C" __global__ void selftest_indices(int* out) {
  const int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  int* o = out + 12 * (block * blockDim.x * blockDim.y * blockDim.z + thread);
  o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
  o[3] = blockIdx.x;  o[4] = blockIdx.y;  o[5] = blockIdx.z;
  o[6] = blockDim.x;  o[7] = blockDim.y;  o[8] = blockDim.z;
  o[9] = gridDim.x;   o[10] = gridDim.y;  o[11] = gridDim.z;
}

// Scalar parameter passing: out = {high 32 bits of a, low 32 bits of a, b, c}.
extern "C" __global__ void selftest_scalars(long long a, float b, int c, int* out_ints, float* out_floats) {
  out_ints[0] = (int) (a >> 32);
  out_ints[1] = (int) (a & 0xffffffffLL);
  out_ints[2] = c;
  out_floats[0] = b;
}
