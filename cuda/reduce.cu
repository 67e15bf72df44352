// Row reductions, and ONNX's reductions over any axes. Shape legend: R rows, C columns; x is [R, C] row-major.
//
// row_sum: y[r] = sum over c of x[r, c], for x [R, C] and y [R].
// Launch: grid (R), block (B) with B a multiple of 32 and at most 1024, no dynamic shared memory.
// Each thread adds up a strided slice of its row; then the block reduces the B partial sums: a
// shuffle tree within each warp, the warp totals through shared memory, a last shuffle tree in warp 0
// (block_sum_to_first, cuda/common.cuh).
//
// reduce_axes_forward: ONNX ReduceSum (op 0), ReduceMean (1) and ReduceMax (2) of x (dims [D0..D5], lower ranks
//   padded with leading 1s) over the axes whose bit is set in `mask` (bit k for dimension k): y, contiguous with
//   the dims of x where the reduced ones are 1 (keepdims or not, the element order is the same), holds the sum,
//   the sum / R (R the product of the reduced dims) or the maximum of each group of R elements. The maximum
//   propagates NaN (the first NaN wins) and otherwise keeps the first of equal maxima.
//   Launch: any 1-D grid and block; a grid-stride loop, one thread per output element summing its R elements.
// reduce_axes_backward: dx[i] = dy[o(i)] (sum), dy[o(i)] / R (mean), or for max dy[o(i)] at the first maximum of
//   the group (the element the forward's maximum came from) and 0 at the others; (+ dx when accumulating).
//   Launch: any 1-D grid and block; a grid-stride loop, one thread per x element (for max it rescans its group).

#define REDUCE_SUM 0
#define REDUCE_MEAN 1
#define REDUCE_MAX 2

#include "common.cuh"

// The dims of x, which of them are reduced, and the element strides of x and of y.
struct ReduceDims {
  int d[6];
  int reduced[6];
  int xs[6];
  int ys[6];
  int group;  // R
};

static __device__ __forceinline__ ReduceDims reduce_dims(int d0, int d1, int d2, int d3, int d4, int d5, int mask) {
  const int d[6] = {d0, d1, d2, d3, d4, d5};
  ReduceDims r;
  r.group = 1;
  int xs = 1;
  int ys = 1;
  for (int k = 5; k >= 0; k--) {
    r.d[k] = d[k];
    r.reduced[k] = (mask >> k) & 1;
    r.xs[k] = xs;
    r.ys[k] = ys;
    xs *= d[k];
    if (r.reduced[k]) r.group *= d[k];
    else ys *= d[k];
  }
  return r;
}

// The offset in x of element r (0 <= r < R) of the group that starts at offset base.
static __device__ __forceinline__ int reduce_member(const ReduceDims& g, int base, int r) {
  int offset = base;
  for (int k = 5; k >= 0; k--) {
    if (!g.reduced[k]) continue;
    offset += (r % g.d[k]) * g.xs[k];
    r /= g.d[k];
  }
  return offset;
}

// The offset in x of the first maximum of the group at base (the first NaN where there is one).
static __device__ int reduce_argmax(const ReduceDims& g, const float* x, int base) {
  int best = base;
  float m = x[base];
  for (int r = 1; r < g.group && m == m; r++) {
    const int at = reduce_member(g, base, r);
    const float v = x[at];
    if (v > m || v != v) {
      m = v;
      best = at;
    }
  }
  return best;
}

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

extern "C" __global__ void reduce_axes_forward(const float* __restrict__ x, float* __restrict__ y, int op,
                                               int d0, int d1, int d2, int d3, int d4, int d5, int mask) {
  const ReduceDims g = reduce_dims(d0, d1, d2, d3, d4, d5, mask);
  int n = 1;
  for (int k = 0; k < 6; k++) if (!g.reduced[k]) n *= g.d[k];
  if (g.group == 0) n = 0;  // an empty group has no value to give
  for (int o = blockIdx.x * blockDim.x + threadIdx.x; o < n; o += gridDim.x * blockDim.x) {
    // The group's first element: o's coordinates along the kept dims, at x's strides.
    int base = 0;
    for (int k = 0; k < 6; k++) {
      if (!g.reduced[k]) base += ((o / g.ys[k]) % g.d[k]) * g.xs[k];
    }
    float v;
    if (op == REDUCE_MAX) {
      v = x[reduce_argmax(g, x, base)];
    } else if (op == REDUCE_SUM || op == REDUCE_MEAN) {
      float sum = 0.0f;
      for (int r = 0; r < g.group; r++) sum += x[reduce_member(g, base, r)];
      v = op == REDUCE_MEAN ? sum / (float) g.group : sum;
    } else {
      v = quiet_nan();  // an unknown op code must not pass unnoticed
    }
    y[o] = v;
  }
}

extern "C" __global__ void reduce_axes_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                                float* __restrict__ dx, int op, int accumulate,
                                                int d0, int d1, int d2, int d3, int d4, int d5, int mask) {
  const ReduceDims g = reduce_dims(d0, d1, d2, d3, d4, d5, mask);
  const int n = d0 * d1 * d2 * d3 * d4 * d5;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    int o = 0;
    int base = 0;
    for (int k = 0; k < 6; k++) {
      if (g.reduced[k]) continue;
      const int c = (i / g.xs[k]) % g.d[k];
      o += c * g.ys[k];
      base += c * g.xs[k];
    }
    float v;
    if (op == REDUCE_SUM) v = dy[o];
    else if (op == REDUCE_MEAN) v = dy[o] / (float) g.group;
    else if (op == REDUCE_MAX) v = reduce_argmax(g, x, base) == i ? dy[o] : 0.0f;
    else v = quiet_nan();
    dx[i] = accumulate ? dx[i] + v : v;
  }
}

// log_softmax_forward: ONNX LogSoftmax over groups of `length` elements `inner` apart (x seen as [outer, length,
//   inner], normalized along the middle axis): y = (x - m) - log(sum over the group of exp(x - m)), m the group's
//   maximum, so exp never overflows and the largest element's term is 1 (the log never sees 0). A NaN in a group
//   makes its m and so every y of it NaN.
// log_softmax_backward: dx = dy - exp(y) * (sum over the group of dy) (+ dx when accumulating); reads y only.
// Launch (both): any 1-D grid and block; a grid-stride loop, one thread per group (outer * inner of them).
extern "C" __global__ void log_softmax_forward(const float* __restrict__ x, float* __restrict__ y, int outer,
                                               int length, int inner) {
  const int groups = outer * inner;
  for (int g = blockIdx.x * blockDim.x + threadIdx.x; g < groups; g += gridDim.x * blockDim.x) {
    const int base = (g / inner) * length * inner + g % inner;
    float m = x[base];
    for (int j = 1; j < length; j++) {
      const float v = x[base + j * inner];
      m = (v > m || v != v) && m == m ? v : m;
    }
    float sum = 0.0f;
    for (int j = 0; j < length; j++) sum += expf(x[base + j * inner] - m);
    // (x - m) first: m + log(sum) would round to the ulp of m, large where x is.
    const float log_sum = logf(sum);
    for (int j = 0; j < length; j++) y[base + j * inner] = (x[base + j * inner] - m) - log_sum;
  }
}

extern "C" __global__ void log_softmax_backward(const float* __restrict__ y, const float* __restrict__ dy,
                                                float* __restrict__ dx, int outer, int length, int inner,
                                                int accumulate) {
  const int groups = outer * inner;
  for (int g = blockIdx.x * blockDim.x + threadIdx.x; g < groups; g += gridDim.x * blockDim.x) {
    const int base = (g / inner) * length * inner + g % inner;
    float total = 0.0f;
    for (int j = 0; j < length; j++) total += dy[base + j * inner];
    for (int j = 0; j < length; j++) {
      const int e = base + j * inner;
      const float grad = dy[e] - expf(y[e]) * total;
      dx[e] = accumulate ? dx[e] + grad : grad;
    }
  }
}

// instance_norm_forward: ONNX InstanceNormalization of x [N, C, S] (S the product of the spatial dims) with
//   scale [C] and bias [C]: per group g = (n, c) of S elements, mean m and biased variance v (two passes, so a
//   large mean costs no digits), y = (x - m) scale[c] / sqrt(v + epsilon) + bias[c].
// instance_norm_backward: with xhat = (x - m) / sqrt(v + epsilon) and t = dy scale[c] (m, v recomputed from x),
//   dx = (t - mean over the group of t - xhat mean over the group of t xhat) / sqrt(v + epsilon) (+ dx when
//   accumulating); scale and bias get no gradient.
// Launch (both): 1-D grid (a grid-stride loop over the N C groups, one block each), block a multiple of 32 up to
//   1024, no dynamic shared memory.
static __device__ float instance_group_mean(const float* xg, int size, float* scratch) {
  float s = 0.0f;
  for (int i = threadIdx.x; i < size; i += blockDim.x) s += xg[i];
  return block_sum(s, scratch) / size;
}

static __device__ float instance_group_rstd(const float* xg, int size, float mean, float epsilon, float* scratch) {
  float q = 0.0f;
  for (int i = threadIdx.x; i < size; i += blockDim.x) {
    const float d = xg[i] - mean;
    q += d * d;
  }
  return 1.0f / sqrtf(block_sum(q, scratch) / size + epsilon);
}

extern "C" __global__ void instance_norm_forward(const float* __restrict__ x, const float* __restrict__ scale,
                                                 const float* __restrict__ bias, float* __restrict__ y, int groups,
                                                 int channels, int size, float epsilon) {
  __shared__ float scratch[32];
  // Every thread of a block takes the same trips through this loop, so all of them reach every barrier.
  for (int g = blockIdx.x; g < groups; g += gridDim.x) {
    const float* xg = x + (long long)g * size;
    const float mean = instance_group_mean(xg, size, scratch);
    const float rstd = instance_group_rstd(xg, size, mean, epsilon, scratch);
    const float a = scale[g % channels] * rstd;
    const float b = bias[g % channels];
    float* yg = y + (long long)g * size;
    for (int i = threadIdx.x; i < size; i += blockDim.x) yg[i] = (xg[i] - mean) * a + b;
  }
}

extern "C" __global__ void instance_norm_backward(const float* __restrict__ x, const float* __restrict__ scale,
                                                  const float* __restrict__ dy, float* __restrict__ dx, int groups,
                                                  int channels, int size, float epsilon, int accumulate) {
  __shared__ float scratch[32];
  for (int g = blockIdx.x; g < groups; g += gridDim.x) {
    const float* xg = x + (long long)g * size;
    const float* dyg = dy + (long long)g * size;
    const float mean = instance_group_mean(xg, size, scratch);
    const float rstd = instance_group_rstd(xg, size, mean, epsilon, scratch);
    const float s = scale[g % channels];
    float st = 0.0f;
    float stx = 0.0f;
    for (int i = threadIdx.x; i < size; i += blockDim.x) {
      const float t = dyg[i] * s;
      st += t;
      stx += t * (xg[i] - mean) * rstd;
    }
    const float mean_t = block_sum(st, scratch) / size;
    const float mean_tx = block_sum(stx, scratch) / size;
    float* dxg = dx + (long long)g * size;
    for (int i = threadIdx.x; i < size; i += blockDim.x) {
      const float xhat = (xg[i] - mean) * rstd;
      const float grad = (dyg[i] * s - mean_t - xhat * mean_tx) * rstd;
      dxg[i] = accumulate ? dxg[i] + grad : grad;
    }
  }
}
