// Row reductions. Shape legend: R rows, C columns; x is [R, C] row-major.
//
// row_sum: y[r] = sum over c of x[r, c], for x [R, C] and y [R].
// Launch: grid (R), block (B) with B a multiple of 32 and at most 1024, no dynamic shared memory.
// Each thread adds up a strided slice of its row; then the block reduces the B partial sums: a
// shuffle tree within each warp, the warp totals through shared memory, a last shuffle tree in warp 0.

#define FULL_MASK 0xffffffffu

// The sum of v over the 32 lanes of the warp, valid in lane 0.
__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
  return v;
}

extern "C" __global__ void row_sum(const float* __restrict__ x, float* __restrict__ y, int rows, int cols) {
  __shared__ float warp_totals[32];
  const int r = blockIdx.x;
  if (r >= rows) return;  // the whole block leaves together: no thread is left at the barrier
  const float* row = x + (size_t) r * cols;
  float partial = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) partial += row[c];

  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  partial = warp_sum(partial);
  if (lane == 0) warp_totals[warp] = partial;
  __syncthreads();  // warp 0 reads every warp's total

  if (warp == 0) {
    const int warps = blockDim.x >> 5;
    float total = warp_sum(lane < warps ? warp_totals[lane] : 0.0f);
    if (lane == 0) y[r] = total;
  }
}
