// Element-wise kernels that cuDNN has no call for: ONNX LeakyRelu, Clip and the functions of one input such as Erf,
// Exp or Elu (unary_*) forward and backward, inference-mode
// BatchNormalization (a per-channel affine map), and the bias add after a convolution or GEMM.
// Gradient kernels take an `accumulate` flag: 0 overwrites dx, 1 adds to it.
//
// Shape legend for the channel kernels: a contiguous tensor of n elements whose channel index is
// (i / inner) % channels, e.g. N x C x S with channels = C and inner = S (S spatial positions), or a GEMM output
// [M, N] with a bias per column (channels = N, inner = 1) or per row (channels = M, inner = N).
//
// leaky_relu_forward:   y = x >= 0 ? x : alpha x
// leaky_relu_backward:  dx = x >= 0 ? dy : alpha dy
// clip_forward:         y = min(max(x, lo), hi) (a NaN x stays NaN; max wins where lo > hi); the bounds are read
//                       from device memory (one float each), so they may be constants or graph inputs
// clip_backward:        dx = lo < x < hi ? dy : 0
// batch_norm_forward:   y = (x - mean[c]) a[c] + bias[c],  a[c] = scale[c] / sqrt(var[c] + epsilon)
// batch_norm_backward:  dx = dy a[c]
//                       (a per-channel affine map; a is recomputed per element, which costs nothing next to the
//                       memory traffic and lets the statistics be graph inputs as well as constants)
// bias_add:             y += alpha bias[c]   (in place)
// unary_forward:        y = f(x), unary_backward: dx = dy f'(x), for the function numbered fn with parameters p and
//                       q (org.featviz.ops.UnaryFunction: the order, the formulas and the kink conventions); an
//                       unknown fn writes NaN
// Launch (all): any 1-D grid and block; a grid-stride loop covers the n elements.

#include "common.cuh"

extern "C" __global__ void leaky_relu_forward(const float* __restrict__ x, float* __restrict__ y, int n,
                                              float alpha) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float v = x[i];
    y[i] = v >= 0.0f ? v : alpha * v;
  }
}

extern "C" __global__ void leaky_relu_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                               float* __restrict__ dx, int n, float alpha, int accumulate) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float g = x[i] >= 0.0f ? dy[i] : alpha * dy[i];
    dx[i] = accumulate ? dx[i] + g : g;
  }
}

extern "C" __global__ void clip_forward(const float* __restrict__ x, float* __restrict__ y, int n,
                                        const float* __restrict__ lo_ptr, const float* __restrict__ hi_ptr) {
  const float lo = *lo_ptr;
  const float hi = *hi_ptr;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    float v = x[i];
    v = v < lo ? lo : v;
    y[i] = v > hi ? hi : v;
  }
}

extern "C" __global__ void clip_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                         float* __restrict__ dx, int n, const float* __restrict__ lo_ptr,
                                         const float* __restrict__ hi_ptr, int accumulate) {
  const float lo = *lo_ptr;
  const float hi = *hi_ptr;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float v = x[i];
    const float g = (v > lo && v < hi) ? dy[i] : 0.0f;
    dx[i] = accumulate ? dx[i] + g : g;
  }
}

// The batch normalization coefficient of channel c.
static __device__ __forceinline__ float bn_coefficient(const float* scale, const float* var, int c, float epsilon) {
  return scale[c] / sqrtf(var[c] + epsilon);
}

extern "C" __global__ void batch_norm_forward(const float* __restrict__ x, const float* __restrict__ scale,
                                              const float* __restrict__ bias, const float* __restrict__ mean,
                                              const float* __restrict__ var, float* __restrict__ y, int n,
                                              int channels, int inner, float epsilon) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int c = (i / inner) % channels;
    y[i] = (x[i] - mean[c]) * bn_coefficient(scale, var, c, epsilon) + bias[c];
  }
}

extern "C" __global__ void batch_norm_backward(const float* __restrict__ dy, const float* __restrict__ scale,
                                               const float* __restrict__ var, float* __restrict__ dx, int n,
                                               int channels, int inner, float epsilon, int accumulate) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float g = dy[i] * bn_coefficient(scale, var, (i / inner) % channels, epsilon);
    dx[i] = accumulate ? dx[i] + g : g;
  }
}

extern "C" __global__ void bias_add(float* __restrict__ y, const float* __restrict__ bias, int n, int channels,
                                    int inner, float alpha) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    y[i] += alpha * bias[(i / inner) % channels];
  }
}

// The unary functions, numbered as org.featviz.ops.UnaryFunction numbers them.
#define UNARY_ERF 0
#define UNARY_HARD_SIGMOID 1
#define UNARY_HARD_SWISH 2
#define UNARY_EXP 3
#define UNARY_NEG 4
#define UNARY_ABS 5
#define UNARY_SQRT 6
#define UNARY_POW 7
#define UNARY_ELU 8
#define UNARY_SELU 9
#define UNARY_SOFTPLUS 10
#define UNARY_RECIPROCAL 11
#define UNARY_LOG 12

static __device__ __forceinline__ float unary_value(int fn, float x, float p, float q) {
  switch (fn) {
    case UNARY_ERF: return erff(x);
    case UNARY_HARD_SIGMOID: return fmaxf(0.0f, fminf(1.0f, p * x + q));
    case UNARY_HARD_SWISH: return x * fmaxf(0.0f, fminf(1.0f, x / 6.0f + 0.5f));
    case UNARY_EXP: return expf(x);
    case UNARY_NEG: return -x;
    case UNARY_ABS: return fabsf(x);
    case UNARY_SQRT: return sqrtf(x);
    case UNARY_POW: return powf(x, p);
    case UNARY_ELU: return x >= 0.0f ? x : p * expm1f(x);
    case UNARY_SELU: return x > 0.0f ? q * x : q * p * expm1f(x);
    case UNARY_SOFTPLUS: return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
    case UNARY_RECIPROCAL: return 1.0f / x;
    case UNARY_LOG: return logf(x);
    default: return quiet_nan();
  }
}

static __device__ __forceinline__ float unary_derivative(int fn, float x, float p, float q) {
  switch (fn) {
    case UNARY_ERF: return 1.12837916709551257f * expf(-x * x);  // 2 / sqrt(pi)
    case UNARY_HARD_SIGMOID: {
      const float t = p * x + q;
      return t > 0.0f && t < 1.0f ? p : 0.0f;
    }
    case UNARY_HARD_SWISH: {
      const float t = x / 6.0f + 0.5f;
      return t >= 1.0f ? 1.0f : t > 0.0f ? x / 3.0f + 0.5f : 0.0f;
    }
    case UNARY_EXP: return expf(x);
    case UNARY_NEG: return -1.0f;
    case UNARY_ABS: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : 0.0f;
    case UNARY_SQRT: return 0.5f / sqrtf(x);
    case UNARY_POW: return p == 0.0f ? 0.0f : p * powf(x, p - 1.0f);
    case UNARY_ELU: return x >= 0.0f ? 1.0f : p * expf(x);
    case UNARY_SELU: return x > 0.0f ? q : q * p * expf(x);
    case UNARY_SOFTPLUS: return 1.0f / (1.0f + expf(-x));
    case UNARY_RECIPROCAL: return -1.0f / (x * x);
    case UNARY_LOG: return 1.0f / x;
    default: return quiet_nan();
  }
}

extern "C" __global__ void unary_forward(const float* __restrict__ x, float* __restrict__ y, int n, int fn, float p,
                                         float q) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    y[i] = unary_value(fn, x[i], p, q);
  }
}

extern "C" __global__ void unary_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                          float* __restrict__ dx, int n, int fn, float p, float q, int accumulate) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float g = dy[i] * unary_derivative(fn, x[i], p, q);
    dx[i] = accumulate ? dx[i] + g : g;
  }
}
