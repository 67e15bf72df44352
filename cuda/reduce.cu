// Row reductions. Shape legend: R rows, C columns; x is [R, C] row-major.
//
// row_sum: y[r] = sum over c of x[r, c], for x [R, C] and y [R].
// Launch: grid (R), block (B) with B a multiple of 32 and at most 1024, no dynamic shared memory.
// Each thread adds up a strided slice of its row; then the block reduces the B partial sums: a
// shuffle tree within each warp, the warp totals through shared memory, a last shuffle tree in warp 0
// (block_sum_to_first, cuda/common.cuh).

#include "common.cuh"

extern "C" __global__ void row_sum(const float* __restrict__ x, float* __restrict__ y, int rows, int cols) {
  __shared__ float warp_totals[32];
  const int r = blockIdx.x;
  if (r >= rows) return;  // the whole block leaves together: no thread is left at the barrier
  const float* row = x + (size_t) r * cols;
  float partial = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) partial += row[c];
  const float total = block_sum_to_first(partial, warp_totals);
  if (threadIdx.x == 0) y[r] = total;
}
