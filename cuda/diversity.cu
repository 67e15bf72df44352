// The diversity batch term of the visualization step (Lucid's diversity), the kernels around the GEMMs
// that compute it on the device. Shape legend: B batch (n = B elements), C units of the layer, P
// positions per unit, K = C * C; acts and the seed are the layer's [B, C, P]; gram is [B, K] (one C x C
// Gram matrix per sample, row-major); total is float[K]; norm and dots are float[B].
// CPU twin: org.featviz.objective.Diversity (docs/objectives.md, "Batch term: diversity").
//
// The term: G_b = A_b A_b^T, g_b = G_b / |G_b| with |G| = sqrt(G . G + 1e-12),
// S = sum_{b != j} g_b . g_j and value = -weight S / (n (n - 1)). With h_b = sum_{j != b} g_j and
// gh_b = g_b . h_b, dS/dG_b = U_b = 2 (h_b - g_b gh_b) / |G_b| and dS/dA_b = 2 U_b A_b.
// One step on the device (org.featviz.render.gpu.DiversityKernels):
//   GEMM per sample      gram_b = A_b A_b^T
//   diversity_normalize  norm[b] = |G_b|, gram_b = g_b (in place)
//   diversity_sum        total = sum_b g_b
//   diversity_gram_grad  dots[b] = gh_b = g_b . (total - g_b), then
//                        gram_b = scale (total - g_b - g_b gh_b) / norm[b] (in place; scale = -4 weight /
//                        (n (n - 1)): U's 2, dS/dA's 2 and the value's factor)
//   GEMM per sample      seed_b += gram_b A_b (beta 1: added to the objectives' seeds)
// The value is -weight sum_b dots[b] / (n (n - 1)), summed on the host when asked for.
// A sample whose |G_b| is not finite (its activations are not: a diverged image) takes no part, as on the
// CPU: diversity_normalize writes g_b = 0 and norm[b] = 0, and diversity_gram_grad gives it a zero U_b.
// The sums over K (|G_b|^2 and gh_b) accumulate in double: near-identical Gram matrices make
// h_b - g_b gh_b a small difference of large terms.
//
// Launch configurations (chosen by DiversityKernels):
//   diversity_normalize, diversity_gram_grad: grid (B), a 1-D block of a multiple of 32 threads (at most
//     1024); the block strides over the sample's K values, reduces in double, and every thread reaches
//     every barrier (no early returns).
//   diversity_sum: grid-stride 1-D, any grid and block.
// No dynamic shared memory.

#include "common.cuh"

// The guard of the Gram norms, org.featviz.objective.Diversity.EPS.
#define DIV_EPS 1e-12

// The sum over k < K of term(k), in double, for the block's sample (0 where it is not live), returned to every
// thread. Every thread of the block calls it. scratch: 32 doubles of shared memory.
template <typename Term>
static __device__ __forceinline__ double div_sample_sum(bool live, int k_size, Term term, double* scratch) {
  double partial = 0.0;
  if (live) {
    for (int k = threadIdx.x; k < k_size; k += blockDim.x) partial += term(k);
  }
  return block_sum(partial, scratch);
}

extern "C" __global__ void diversity_normalize(float* __restrict__ gram, float* __restrict__ norm, int batch,
                                               int k_size) {
  __shared__ double scratch[32];
  const int b = blockIdx.x;
  const bool live = b < batch;
  float* g = gram + (size_t) b * k_size;
  const double n = sqrt(div_sample_sum(live, k_size, [&](int k) { return (double) g[k] * g[k]; }, scratch) + DIV_EPS);
  const bool finite = isfinite(n);
  if (live) {
    for (int k = threadIdx.x; k < k_size; k += blockDim.x) g[k] = finite ? (float) (g[k] / n) : 0.0f;
    if (threadIdx.x == 0) norm[b] = finite ? (float) n : 0.0f;
  }
}

extern "C" __global__ void diversity_sum(const float* __restrict__ gram, float* __restrict__ total, int batch,
                                         int k_size) {
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < k_size; k += gridDim.x * blockDim.x) {
    double s = 0.0;
    for (int b = 0; b < batch; ++b) s += gram[(size_t) b * k_size + k];
    total[k] = (float) s;
  }
}

extern "C" __global__ void diversity_gram_grad(float* __restrict__ gram, const float* __restrict__ total,
                                               const float* __restrict__ norm, float* __restrict__ dots,
                                               int batch, int k_size, float scale) {
  __shared__ double scratch[32];
  const int b = blockIdx.x;
  const bool live = b < batch;
  float* g = gram + (size_t) b * k_size;
  const double gh = div_sample_sum(live, k_size, [&](int k) {
    const double gk = g[k];
    return gk * ((double) total[k] - gk);
  }, scratch);
  if (live) {
    const double factor = norm[b] > 0.0f ? (double) scale / norm[b] : 0.0;  // 0: excluded sample
    // Each thread rewrites only the elements it read above: in place is safe.
    for (int k = threadIdx.x; k < k_size; k += blockDim.x) {
      const double gk = g[k];
      g[k] = (float) (factor * ((double) total[k] - gk - gk * gh));
    }
    if (threadIdx.x == 0) dots[b] = (float) gh;
  }
}
