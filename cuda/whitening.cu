// Layout kernels of the whitened objectives (org.featviz.render.gpu.WhitenedSpace): they move a layer's
// activations into, and a gradient out of, the layout in which ONE library GEMM whitens every position of
// the batch, z = W (a - mu) with W [C, C] and mu [C] from org.featviz.objective.Whitening.
// Shape legend: B batch, C units, P positions per unit (H * W of a conv layer, 1 for a dense one).
// acts and grad are [B, C, P] (a render's layer and its gradient seed); rows is [C, B*P], the element
// (b, c, p) at c * B * P + b * P + p: every position of every sample is one column, so
// Z [C, B*P] = W [C, C] x X [C, B*P] is one GEMM, and so is the way back, dA = W^T dZ.
// CPU twin: Whitening.whiten / transposeTimes per position (VectorFunctions.whitened).
//
//   whitening_gather_centered: rows[c, b*P + p] = acts[b, c, p] - mean[c]
//   whitening_scatter_add:     grad[b, c, p] += rows[c, b*P + p] for every b with mask[b] != 0; samples
//                              with mask 0 are not touched
//
// Launch (both): grid (X, B) with any X >= 1, any 1-D block; a grid-stride loop covers the C * P values
// of sample blockIdx.y. Consecutive threads touch consecutive positions p in both layouts, so reads and
// writes are coalesced along P. No shared memory, no barriers.

// Calls visit(c, k, r) for every value (c, p) of sample b, grid-striding over its C * P values: k is its index
// in acts/grad [B, C, P], r its index in rows [C, B*P].
template <typename Visit>
static __device__ __forceinline__ void whitening_for_each(int b, int batch, int units, int positions, Visit visit) {
  const size_t per = (size_t) units * positions;
  const size_t row_length = (size_t) batch * positions;
  const size_t column = (size_t) b * positions;
  for (size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x; i < per; i += (size_t) gridDim.x * blockDim.x) {
    const size_t c = i / positions;
    const size_t p = i - c * positions;
    visit(c, (size_t) b * per + i, c * row_length + column + p);
  }
}

extern "C" __global__ void whitening_gather_centered(const float* __restrict__ acts, const float* __restrict__ mean,
                                                     float* __restrict__ rows, int batch, int units, int positions) {
  const int b = blockIdx.y;
  if (b < batch) {
    whitening_for_each(b, batch, units, positions, [&](size_t c, size_t k, size_t r) { rows[r] = acts[k] - mean[c]; });
  }
}

extern "C" __global__ void whitening_scatter_add(const float* __restrict__ rows, const int* __restrict__ mask,
                                                 float* __restrict__ grad, int batch, int units, int positions) {
  const int b = blockIdx.y;
  if (b < batch && mask[b] != 0) {
    whitening_for_each(b, batch, units, positions, [&](size_t, size_t k, size_t r) { grad[k] += rows[r]; });
  }
}
