// ONNX LayerNormalization (opset 17), forward and input gradient. Shape legend: x is [R, N] row-major (R rows,
// the leading dims of X; N the normalized dims from `axis` on); scale and bias are [N]; mean and inv_std [R].
// CPU twin: org.featviz.cpu.LayerNormalizationRef.
//
// Per row, statistics in double by two passes (the sum, then the squares about the mean):
//   mean = sum x / N, var = sum (x - mean)^2 / N, inv = 1 / sqrt(var + epsilon), xhat = (x - mean) inv
// layer_norm_forward:   y = xhat scale + bias (bias only where has_bias)
// layer_norm_statistic: out[r] = mean (which = 0) or inv (which = 1): the optional outputs Mean and InvStdDev
// layer_norm_backward:  with g = dy scale, dx = inv (g - mean(g) - xhat mean(g xhat)) (+ dx where accumulate);
//                       the statistics are recomputed from x, so nothing but x is kept from the forward
// layer_norm_statistic_backward: the gradient reaching Mean (which = 0) or InvStdDev (1), d[r]:
//                       dx = d / N or dx = -d inv^2 xhat / N (+ dx where accumulate)
// Launch (all): any 1-D grid (blocks stride over the rows; one block per row is the natural size), a 1-D block of
// a multiple of 32 threads (at most 1024) striding over the row's N elements; every thread reaches every
// barrier (no early returns). No dynamic shared memory.

#include "common.cuh"

struct LnStats {
  double mean;
  double inv;
};

// The statistics of row xr (N elements), returned to every thread. Every thread of the block calls it.
// scratch: 32 doubles of shared memory.
static __device__ __forceinline__ LnStats ln_row_stats(const float* xr, int cols, float epsilon, double* scratch) {
  double s = 0.0;
  for (int i = threadIdx.x; i < cols; i += blockDim.x) s += xr[i];
  const double mean = block_sum(s, scratch) / cols;
  double q = 0.0;
  for (int i = threadIdx.x; i < cols; i += blockDim.x) {
    const double d = xr[i] - mean;
    q += d * d;
  }
  const double var = block_sum(q, scratch) / cols;
  LnStats st;
  st.mean = mean;
  st.inv = 1.0 / sqrt(var + (double) epsilon);
  return st;
}

extern "C" __global__ void layer_norm_forward(const float* __restrict__ x, const float* __restrict__ scale,
                                              const float* __restrict__ bias, float* __restrict__ y, int rows,
                                              int cols, float epsilon, int has_bias) {
  __shared__ double scratch[32];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + (size_t) r * cols;
    float* yr = y + (size_t) r * cols;
    const LnStats st = ln_row_stats(xr, cols, epsilon, scratch);
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
      const double xhat = (xr[i] - st.mean) * st.inv;
      yr[i] = (float) (xhat * scale[i] + (has_bias ? (double) bias[i] : 0.0));
    }
  }
}

extern "C" __global__ void layer_norm_statistic(const float* __restrict__ x, float* __restrict__ out, int rows,
                                                int cols, float epsilon, int which) {
  __shared__ double scratch[32];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const LnStats st = ln_row_stats(x + (size_t) r * cols, cols, epsilon, scratch);
    if (threadIdx.x == 0) out[r] = (float) (which == 0 ? st.mean : which == 1 ? st.inv : (double) quiet_nan());
  }
}

extern "C" __global__ void layer_norm_backward(const float* __restrict__ x, const float* __restrict__ scale,
                                               const float* __restrict__ dy, float* __restrict__ dx, int rows,
                                               int cols, float epsilon, int accumulate) {
  __shared__ double scratch[32];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + (size_t) r * cols;
    const float* dyr = dy + (size_t) r * cols;
    float* dxr = dx + (size_t) r * cols;
    const LnStats st = ln_row_stats(xr, cols, epsilon, scratch);
    double sg = 0.0;
    double sgx = 0.0;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
      const double g = (double) dyr[i] * scale[i];
      sg += g;
      sgx += g * ((xr[i] - st.mean) * st.inv);
    }
    const double mean_g = block_sum(sg, scratch) / cols;
    const double mean_gx = block_sum(sgx, scratch) / cols;
    // Each thread rewrites only the dx elements of its own stride: no barrier is needed before the next row.
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
      const double g = (double) dyr[i] * scale[i];
      const double xhat = (xr[i] - st.mean) * st.inv;
      const float v = (float) (st.inv * (g - mean_g - xhat * mean_gx));
      dxr[i] = accumulate ? dxr[i] + v : v;
    }
  }
}

extern "C" __global__ void layer_norm_statistic_backward(const float* __restrict__ x, const float* __restrict__ d,
                                                         float* __restrict__ dx, int rows, int cols, float epsilon,
                                                         int which, int accumulate) {
  __shared__ double scratch[32];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + (size_t) r * cols;
    float* dxr = dx + (size_t) r * cols;
    const LnStats st = ln_row_stats(xr, cols, epsilon, scratch);
    const double dr = d[r];
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
      const double xhat = (xr[i] - st.mean) * st.inv;
      const float v = (float) (which == 0 ? dr / cols : which == 1 ? -dr * st.inv * st.inv * xhat / cols
                                                                    : (double) quiet_nan());
      dxr[i] = accumulate ? dxr[i] + v : v;
    }
  }
}
