// The objective kernels of the visualization step: one kernel per objective kind, each handling the
// whole batch, where every sample has its own target (unit, position, direction or target vector).
// Shape legend: B batch, C units (channels of a conv layer, features of a dense one), P positions per
// unit (H * W of a conv layer, 1 for a dense one). acts and grad are the target layer's activations
// and gradient [B, C, P] (per sample channel-major, as org.featviz.objective.LayerSlice reads them);
// value is float[B]. CPU twins: the objectives of org.featviz.objective.Objectives (docs/objectives.md).
//
// Every kernel ADDS: value[b] += weight * f_b and grad[b] += weight * d f_b / d acts[b]. Several
// objectives may read the same layer (a sum of objectives, a penalty beside a channel): each launch
// adds its share, so the caller clears grad and value once per step and launches one kernel per term.
// weight is the term's factor (1 for a plain objective; s for Objectives.scaled(o, s)). No atomics are
// needed: within one launch each gradient element and each value is written by exactly one thread.
//
// A target out of range (unit outside 0..C-1, position outside 0..P-1) gives value NaN and adds no
// gradient, so a bad argument shows instead of reading out of bounds; the Java wrappers document it.
//
// Kernels (f per sample; x_u = (1/P) sum_p a[u, p]; a_p the C-vector at position p; v the direction):
//   objective_channel             x_u                                   unit int[B]
//   objective_neuron              a[u, pos]                             unit int[B], position int[B]
//   objective_iam                 x_u - (1/(C-1)) sum_{j != u} x_j      unit int[B]; needs C >= 2
//   objective_direction           (1/P) sum_p a_p . v                   directions float[B, C]
//   objective_cosine              (1/P) sum_p cos(a_p, v)               directions float[B, C]
//   objective_dot_cossim          (1/P) sum_p (a_p . v) max(floor, cos(a_p, v))^n
//   objective_orthogonal_penalty  (1/P) sum_p a_p . v - lambda |a_p - (a_p . v^) v^|^2
//   objective_l2_inversion        -sum_i (a_i - t_i)^2 over the C*P values  targets float[B, C*P]
//   objective_layer_penalty       sum_i |a_i| (l2 = 0) or sum_i a_i^2 (l2 = 1) over the C*P values, with a
//                                 per-sample weight float[B] instead of the one weight (0: sample left out)
//   objective_whitened_direction, objective_whitened_cosine, objective_whitened_dot_cossim: direction,
//                                 cosine and dot x cossim^n of whitened vectors z = W (a - mu), read from
//                                 (and their gradient d/dz added to) the [C, B*P] layout described below
// Norms in cosines are guarded as in VectorFunctions: |a| = sqrt(a . a + EPS^2), |v| likewise.
//
// Representative Substitution counts (org.featviz.analysis.RepresentativeSubstitution): objective_channel_rs,
// objective_neuron_rs and objective_iam_rs are objective_channel, objective_neuron and objective_iam (the same
// value and gradient, bit for bit) that also count, for every sample b with rs_unit[b] == unit[b], the units of
// the layer whose mean is above unit u's and those tied with it (j != u) into rs_counts[b] = (above, ties),
// above -1 where some unit's mean is not finite. objective_rs_count counts alone, for every sample with
// rs_unit[b] in 0..C-1 (the final images, or a sample no unit objective counts). A unit's mean is summed in
// double in position order and rounded once to float, as org.featviz.eval.UnitResponses.unitMeans does, so
// the comparisons, ties above all, are the CPU's. Other samples' counts are not written.
//
// Launch configurations (chosen by org.featviz.render.gpu.ObjectiveKernels):
//   neuron: one thread per sample, any 1-D grid and block covering B.
//   channel, iam, l2_inversion, layer_penalty: grid (B), 1-D block whose size is a multiple of 32 (at
//     most 1024); the block strides over the sample's elements and sums with a block reduction.
//   channel_rs, iam_rs as channel and iam; neuron_rs and rs_count: grid (B), 1-D block of a multiple of 32
//     threads (neuron_rs: thread 0 computes the sample's neuron). The count gives each thread units to
//     average (one unit per thread, striding) and sums the counts with block reductions.
//   direction, cosine, dot_cossim, orthogonal_penalty: grid (B), block (TP, TC) with TP * TC a multiple
//     of 32 and at most 1024: TP positions of a tile side by side (threadIdx.x, coalesced reads along P),
//     TC threads sharing the C channels of each position (threadIdx.y). Per tile of positions the
//     partial dot products a_p . v and a_p . a_p are reduced over threadIdx.y in shared memory, thread
//     y = 0 turns them into f_p and the gradient coefficients, and every thread adds its channels'
//     gradient. The block loops over the tiles, so one block covers the whole sample.
//   whitened_*: as direction, cosine and dot_cossim. Their z and gz are not [B, C, P] but [C, B*P]: the
//     element (b, c, p) at c * B * P + b * P + p, the layout in which one GEMM W [C, C] x X [C, B*P]
//     whitens every position of the batch (cuda/whitening.cu gathers X = A - mu into it; the caller's
//     second GEMM W^T dZ and whitening_scatter_add bring the gradient back to [B, C, P]). Reads stay
//     coalesced along P.
// No dynamic shared memory. Every thread of a block reaches every barrier (no early returns).

#include "common.cuh"

#define OBJ_MAX_THREADS 1024

// Guard on vector norms in cosines, as org.featviz.objective.VectorFunctions.EPS (squared: 1e-12).
#define OBJ_EPS_SQ 1e-12f

// ---- Representative Substitution counts ------------------------------------------------------------------

namespace {

// Unit j's mean over its positions in one sample [C, P]: summed in double in position order, rounded once.
static __device__ float rs_unit_mean(const float* __restrict__ sample, int j, int positions) {
  const float* row = sample + (size_t) j * positions;
  double sum = 0.0;
  for (int p = 0; p < positions; ++p) sum += row[p];
  return (float) (sum / positions);
}

// counts[0] = |{j : x_j > x_u}| (-1 where a mean is not finite), counts[1] = |{j != u : x_j == x_u}|, of one
// sample [C, P]; valid after the call. Every thread of the block must call it (block sums).
static __device__ void rs_count(const float* __restrict__ sample, int u, int units, int positions,
                                int* __restrict__ counts) {
  __shared__ int scratch[32];
  const float own = rs_unit_mean(sample, u, positions);
  int above = 0;
  int ties = 0;
  int broken = 0;
  const int threads = blockDim.x * blockDim.y;
  for (int j = block_thread(); j < units; j += threads) {
    const float x = j == u ? own : rs_unit_mean(sample, j, positions);
    if (!isfinite(x)) {
      broken = 1;
    } else if (j != u) {
      above += x > own ? 1 : 0;
      ties += x == own ? 1 : 0;
    }
  }
  above = block_sum(above, scratch);
  ties = block_sum(ties, scratch);
  broken = block_sum(broken, scratch);
  if (block_thread() == 0) {
    counts[0] = broken != 0 ? -1 : above;
    counts[1] = ties;
  }
}

}  // namespace

// Counts alone: every sample b with rs_unit[b] in 0..C-1.
extern "C" __global__ void objective_rs_count(const float* __restrict__ acts, const int* __restrict__ rs_unit,
                                              int* __restrict__ rs_counts, int batch, int units, int positions) {
  const int b = blockIdx.x;
  const int u = b < batch ? rs_unit[b] : -1;
  if (u >= 0 && u < units) {  // the same in every thread of the block
    rs_count(acts + (size_t) b * units * positions, u, units, positions, rs_counts + 2 * (size_t) b);
  }
}

// ---- Unit objectives: channel, neuron, iam ---------------------------------------------------------------
// Each body is written once; the _rs kernels add the count after it (count = true), which reads acts only.

namespace {

template <bool count>
static __device__ void channel_objective(const float* __restrict__ acts, const int* __restrict__ unit,
                                         float* __restrict__ grad, float* __restrict__ value, int batch,
                                         int units, int positions, float weight, const int* __restrict__ rs_unit,
                                         int* __restrict__ rs_counts) {
  __shared__ float scratch[32];
  const int b = blockIdx.x;
  const int u = b < batch ? unit[b] : -1;
  const bool valid = u >= 0 && u < units;
  float partial = 0.0f;
  if (valid) {
    const size_t row = ((size_t) b * units + u) * positions;
    const float g = weight / positions;
    for (int p = threadIdx.x; p < positions; p += blockDim.x) {
      partial += acts[row + p];
      grad[row + p] += g;
    }
  }
  const float total = block_sum(partial, scratch);
  if (threadIdx.x == 0 && b < batch) value[b] += valid ? weight * (total / positions) : quiet_nan();
  if (count && valid && rs_unit[b] == u) {
    rs_count(acts + (size_t) b * units * positions, u, units, positions, rs_counts + 2 * (size_t) b);
  }
}

// Sample b's neuron a[u, pos]: one thread.
static __device__ void neuron_objective(const float* __restrict__ acts, const int* __restrict__ unit,
                                        const int* __restrict__ position, float* __restrict__ grad,
                                        float* __restrict__ value, int b, int units, int positions,
                                        float weight) {
  const int u = unit[b];
  const int p = position[b];
  if (u >= 0 && u < units && p >= 0 && p < positions) {
    const size_t k = ((size_t) b * units + u) * positions + p;
    grad[k] += weight;
    value[b] += weight * acts[k];
  } else {
    value[b] += quiet_nan();
  }
}

// f = x_u - (1/(C-1)) sum_{j != u} x_j; gradient 1/P on unit u, -1/((C-1) P) on every other unit. The sums
// of unit u and of the others are kept apart (not total minus unit), so a large x_u does not swamp them.
template <bool count>
static __device__ void iam_objective(const float* __restrict__ acts, const int* __restrict__ unit,
                                     float* __restrict__ grad, float* __restrict__ value, int batch, int units,
                                     int positions, float weight, const int* __restrict__ rs_unit,
                                     int* __restrict__ rs_counts) {
  __shared__ float scratch[32];
  const int b = blockIdx.x;
  const int u = b < batch ? unit[b] : -1;
  const bool valid = u >= 0 && u < units && units >= 2;
  float own = 0.0f;
  float others = 0.0f;
  if (valid) {
    const size_t base = (size_t) b * units * positions;
    const int n = units * positions;
    const float g_own = weight / positions;
    const float g_other = -weight / ((units - 1.0f) * positions);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      const bool mine = i / positions == u;
      const float a = acts[base + i];
      if (mine) own += a; else others += a;
      grad[base + i] += mine ? g_own : g_other;
    }
  }
  own = block_sum(own, scratch);
  others = block_sum(others, scratch);
  if (threadIdx.x == 0 && b < batch) {
    value[b] += valid ? weight * (own / positions - others / ((units - 1.0f) * positions)) : quiet_nan();
  }
  if (count && valid && rs_unit[b] == u) {
    rs_count(acts + (size_t) b * units * positions, u, units, positions, rs_counts + 2 * (size_t) b);
  }
}

}  // namespace

extern "C" __global__ void objective_channel(const float* __restrict__ acts, const int* __restrict__ unit,
                                             float* __restrict__ grad, float* __restrict__ value, int batch,
                                             int units, int positions, float weight) {
  channel_objective<false>(acts, unit, grad, value, batch, units, positions, weight, nullptr, nullptr);
}

extern "C" __global__ void objective_channel_rs(const float* __restrict__ acts, const int* __restrict__ unit,
                                                float* __restrict__ grad, float* __restrict__ value, int batch,
                                                int units, int positions, float weight,
                                                const int* __restrict__ rs_unit, int* __restrict__ rs_counts) {
  channel_objective<true>(acts, unit, grad, value, batch, units, positions, weight, rs_unit, rs_counts);
}

extern "C" __global__ void objective_neuron(const float* __restrict__ acts, const int* __restrict__ unit,
                                            const int* __restrict__ position, float* __restrict__ grad,
                                            float* __restrict__ value, int batch, int units, int positions,
                                            float weight) {
  const int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b < batch) neuron_objective(acts, unit, position, grad, value, b, units, positions, weight);
}

// Grid (B): thread 0 of block b computes sample b's neuron, then the block counts.
extern "C" __global__ void objective_neuron_rs(const float* __restrict__ acts, const int* __restrict__ unit,
                                               const int* __restrict__ position, float* __restrict__ grad,
                                               float* __restrict__ value, int batch, int units, int positions,
                                               float weight, const int* __restrict__ rs_unit,
                                               int* __restrict__ rs_counts) {
  const int b = blockIdx.x;
  const bool live = b < batch;
  if (live && threadIdx.x == 0) neuron_objective(acts, unit, position, grad, value, b, units, positions, weight);
  const int u = live ? unit[b] : -1;
  const int p = live ? position[b] : -1;
  if (u >= 0 && u < units && p >= 0 && p < positions && rs_unit[b] == u) {
    rs_count(acts + (size_t) b * units * positions, u, units, positions, rs_counts + 2 * (size_t) b);
  }
}

extern "C" __global__ void objective_iam(const float* __restrict__ acts, const int* __restrict__ unit,
                                         float* __restrict__ grad, float* __restrict__ value, int batch,
                                         int units, int positions, float weight) {
  iam_objective<false>(acts, unit, grad, value, batch, units, positions, weight, nullptr, nullptr);
}

extern "C" __global__ void objective_iam_rs(const float* __restrict__ acts, const int* __restrict__ unit,
                                            float* __restrict__ grad, float* __restrict__ value, int batch,
                                            int units, int positions, float weight,
                                            const int* __restrict__ rs_unit, int* __restrict__ rs_counts) {
  iam_objective<true>(acts, unit, grad, value, batch, units, positions, weight, rs_unit, rs_counts);
}

// ---- Whole-slice objectives: l2 inversion, layer penalty -------------------------------------------------

// f = -sum_i (a_i - t_i)^2 over the C*P values of the sample; gradient -2 (a - t).
extern "C" __global__ void objective_l2_inversion(const float* __restrict__ acts, const float* __restrict__ targets,
                                                  float* __restrict__ grad, float* __restrict__ value, int batch,
                                                  int units, int positions, float weight) {
  __shared__ float scratch[32];
  const int b = blockIdx.x;
  float partial = 0.0f;
  if (b < batch) {
    const size_t base = (size_t) b * units * positions;
    const int n = units * positions;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      const float diff = acts[base + i] - targets[base + i];
      partial += diff * diff;
      grad[base + i] += -2.0f * weight * diff;
    }
  }
  const float total = block_sum(partial, scratch);
  if (threadIdx.x == 0 && b < batch) value[b] += -weight * total;
}

// f = sum_i |a_i| with gradient sign(a_i) (0 at 0; NaN stays NaN), or (l2 != 0) f = sum_i a_i^2 with gradient
// 2 a_i, over the C*P values of the sample, each scaled by the sample's own weight: value[b] += w_b f and
// grad[b] += w_b df/da. The renderer passes w_b = term weight * -penalty / (C*P) (Objectives.layerPenalty is
// minus a mean), summed over a sample's penalty terms on the same layer and norm; w_b = 0 leaves sample b out
// (nothing read or written), so one launch serves every penalty of that layer and norm in the batch.
extern "C" __global__ void objective_layer_penalty(const float* __restrict__ acts, const float* __restrict__ weights,
                                                   float* __restrict__ grad, float* __restrict__ value, int batch,
                                                   int units, int positions, int l2) {
  __shared__ float scratch[32];
  const int b = blockIdx.x;
  const float w = b < batch ? weights[b] : 0.0f;
  const bool live = w != 0.0f;  // the same in every thread of the block
  float partial = 0.0f;
  if (live) {
    const size_t base = (size_t) b * units * positions;
    const int n = units * positions;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      const float a = acts[base + i];
      if (l2 != 0) {
        partial += a * a;
        grad[base + i] += w * (2.0f * a);
      } else {
        partial += fabsf(a);
        // sign(a) as Math.signum: 1, -1, or a * 0 (0 keeps its sign, NaN stays NaN)
        grad[base + i] += w * (a > 0.0f ? 1.0f : a < 0.0f ? -1.0f : a * 0.0f);
      }
    }
  }
  const float total = block_sum(partial, scratch);
  if (threadIdx.x == 0 && live) value[b] += w * total;
}

// ---- Per-position objectives: direction, cosine, dot x cossim^n, orthogonal penalty ----------------------
// Each is f(a) of the C-vector a at one position, whose gradient has the form alpha v + beta a; a kind
// only says how (a . v, a . a, v . v) become (f, alpha, beta). Parameters the kind does not use are 0.

namespace {

struct PerPositionTerms {
  float f;
  float alpha;
  float beta;
};

// f = a . v; df/da = v.
struct DotKind {
  __device__ PerPositionTerms operator()(float d, float, float, float, float) const {
    return {d, 1.0f, 0.0f};
  }
};

// f = d (max(floor, c))^n with c the guarded cosine; df/da = v b^n + d n c^(n-1) dc/da where c > floor
// (and n != 0), v floor^n where the floor is active (b is a constant there: no gradient through c);
// dc/da = v / (|a| |v|) - c a / |a|^2. cosine_only: f = c, df/da = dc/da.
template <bool cosine_only>
struct CossimKind {
  __device__ PerPositionTerms operator()(float d, float aa, float vv, float n, float floor) const {
    const float a_norm_sq = aa + OBJ_EPS_SQ;
    const float norms = sqrtf(a_norm_sq) * sqrtf(vv + OBJ_EPS_SQ);
    const float c = d / norms;
    if constexpr (cosine_only) return {c, 1.0f / norms, -c / a_norm_sq};
    const float b = c > floor ? c : floor;
    const float bn = powf(b, n);
    const float dbn = c > floor && n != 0.0f ? n * powf(c, n - 1.0f) : 0.0f;
    return {d * bn, bn + d * dbn / norms, -d * dbn * c / a_norm_sq};
  }
};

// f = a . v - lambda |a - (a . u) u|^2 with u = v / |v| (unguarded, as VectorFunctions): the squared
// orthogonal part is max(0, a . a - (a . v)^2 / (v . v)); df/da = (1 + 2 lambda (a . v) / (v . v)) v - 2 lambda a.
struct OrthogonalKind {
  __device__ PerPositionTerms operator()(float d, float aa, float vv, float lambda, float) const {
    const float along = d * d / vv;
    const float orthogonal_sq = fmaxf(0.0f, aa - along);
    return {d - lambda * orthogonal_sq, 1.0f + 2.0f * lambda * d / vv, -2.0f * lambda};
  }
};

// The body shared by the per-position kernels (see the launch notes at the top). p1, p2: the kind's
// parameters (n and floor, or lambda). Element (b, c, p) of acts and grad is at b * sample_stride +
// c * channel_stride + p: [B, C, P] has strides (C * P, P), the whitened kernels' [C, B*P] (P, B * P).
template <typename Kind>
static __device__ void per_position_objective(const float* __restrict__ acts, const float* __restrict__ directions,
                                              float* __restrict__ grad, float* __restrict__ value, int batch,
                                              int units, int positions, float weight, float p1, float p2,
                                              size_t sample_stride, size_t channel_stride, Kind kind) {
  __shared__ float dots[OBJ_MAX_THREADS];     // [TC, TP] partial a . v, then (row 0) the full sums
  __shared__ float squares[OBJ_MAX_THREADS];  // [TC, TP] partial a . a
  __shared__ float alphas[OBJ_MAX_THREADS];   // [TP] gradient coefficients of the tile's positions
  __shared__ float betas[OBJ_MAX_THREADS];
  __shared__ float scratch[32];

  const int b = blockIdx.x;
  const bool live = b < batch;
  const int tp = blockDim.x;
  const int tc = blockDim.y;
  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const float* a = acts + (live ? (size_t) b * sample_stride : 0);
  const float* v = directions + (live ? (size_t) b * units : 0);
  float* g = grad + (live ? (size_t) b * sample_stride : 0);

  float vv_part = 0.0f;
  if (live) {
    for (int c = tx + ty * tp; c < units; c += tp * tc) vv_part += v[c] * v[c];
  }
  const float vv = block_sum(vv_part, scratch);

  int fold = 1;  // the smallest power of two >= tc: the first stride of the tree below is fold / 2
  while (fold < tc) fold <<= 1;
  const float scale = weight / positions;
  float value_part = 0.0f;
  for (int p0 = 0; p0 < positions; p0 += tp) {  // the same trip count in every thread
    const int p = p0 + tx;
    const bool here = live && p < positions;
    float d = 0.0f;
    float aa = 0.0f;
    if (here) {
      for (int c = ty; c < units; c += tc) {
        const float x = a[(size_t) c * channel_stride + p];
        d += x * v[c];
        aa += x * x;
      }
    }
    dots[ty * tp + tx] = d;
    squares[ty * tp + tx] = aa;
    __syncthreads();
    for (int s = fold >> 1; s > 0; s >>= 1) {  // rows [s, 2s) fold onto rows [0, s), for any tc
      if (ty < s && ty + s < tc) {
        dots[ty * tp + tx] += dots[(ty + s) * tp + tx];
        squares[ty * tp + tx] += squares[(ty + s) * tp + tx];
      }
      __syncthreads();
    }
    if (ty == 0 && here) {
      const PerPositionTerms t = kind(dots[tx], squares[tx], vv, p1, p2);
      alphas[tx] = t.alpha;
      betas[tx] = t.beta;
      value_part += t.f;
    }
    __syncthreads();
    if (here) {
      const float alpha = alphas[tx];
      const float beta = betas[tx];
      for (int c = ty; c < units; c += tc) {
        const size_t k = (size_t) c * channel_stride + p;
        g[k] += scale * (alpha * v[c] + beta * a[k]);
      }
    }
    __syncthreads();  // the next tile overwrites dots, squares, alphas and betas
  }
  const float total = block_sum(value_part, scratch);
  if (tx == 0 && ty == 0 && live) value[b] += scale * total;
}

}  // namespace

extern "C" __global__ void objective_direction(const float* __restrict__ acts, const float* __restrict__ directions,
                                               float* __restrict__ grad, float* __restrict__ value, int batch,
                                               int units, int positions, float weight) {
  per_position_objective(acts, directions, grad, value, batch, units, positions, weight, 0.0f, 0.0f,
                         (size_t) units * positions, (size_t) positions, DotKind());
}

extern "C" __global__ void objective_cosine(const float* __restrict__ acts, const float* __restrict__ directions,
                                            float* __restrict__ grad, float* __restrict__ value, int batch,
                                            int units, int positions, float weight) {
  per_position_objective(acts, directions, grad, value, batch, units, positions, weight, 0.0f, 0.0f,
                         (size_t) units * positions, (size_t) positions, CossimKind<true>());
}

extern "C" __global__ void objective_dot_cossim(const float* __restrict__ acts, const float* __restrict__ directions,
                                                float* __restrict__ grad, float* __restrict__ value, int batch,
                                                int units, int positions, float weight, float power,
                                                float floor) {
  per_position_objective(acts, directions, grad, value, batch, units, positions, weight, power, floor,
                         (size_t) units * positions, (size_t) positions, CossimKind<false>());
}

extern "C" __global__ void objective_orthogonal_penalty(const float* __restrict__ acts,
                                                        const float* __restrict__ directions,
                                                        float* __restrict__ grad, float* __restrict__ value,
                                                        int batch, int units, int positions, float weight,
                                                        float lambda) {
  per_position_objective(acts, directions, grad, value, batch, units, positions, weight, lambda, 0.0f,
                         (size_t) units * positions, (size_t) positions, OrthogonalKind());
}

// ---- Whitened per-position objectives ---------------------------------------------------------------------
// The same functions of z = W (a - mu), z and gz [C, B*P] (see the top): value[b] += weight f_b and gz += weight
// df_b/dz. d/da = W^T gz is the caller's GEMM. directions float[B, C] live in z-space; a zero direction adds no
// gradient (alpha v + beta z with v = 0 and beta = 0 for every kind), which is how a group leaves samples out.

extern "C" __global__ void objective_whitened_direction(const float* __restrict__ z,
                                                        const float* __restrict__ directions,
                                                        float* __restrict__ gz, float* __restrict__ value,
                                                        int batch, int units, int positions, float weight) {
  per_position_objective(z, directions, gz, value, batch, units, positions, weight, 0.0f, 0.0f, (size_t) positions,
                         (size_t) batch * positions, DotKind());
}

extern "C" __global__ void objective_whitened_cosine(const float* __restrict__ z, const float* __restrict__ directions,
                                                     float* __restrict__ gz, float* __restrict__ value, int batch,
                                                     int units, int positions, float weight) {
  per_position_objective(z, directions, gz, value, batch, units, positions, weight, 0.0f, 0.0f, (size_t) positions,
                         (size_t) batch * positions, CossimKind<true>());
}

extern "C" __global__ void objective_whitened_dot_cossim(const float* __restrict__ z,
                                                         const float* __restrict__ directions,
                                                         float* __restrict__ gz, float* __restrict__ value,
                                                         int batch, int units, int positions, float weight,
                                                         float power, float floor) {
  per_position_objective(z, directions, gz, value, batch, units, positions, weight, power, floor, (size_t) positions,
                         (size_t) batch * positions, CossimKind<false>());
}
