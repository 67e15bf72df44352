// Copies that move elements between layouts, for ONNX Concat, Transpose, Pad, Gather and Resize, forward and
// backward.
// Tensors are contiguous (row-major) floats. Every kernel takes an `accumulate` flag where it writes a gradient:
// 0 overwrites the destination, 1 adds to it (a value read by several ops sums their gradients).
//
// concat_forward: Concat along an axis seen as matrices: the output y is [outer, out_row] and input x is
//   [outer, row]; x's rows land at column `offset` of y's rows: y[o, offset + j] = x[o, j].
// concat_backward: the reverse slice, dx[o, j] = dy[o, offset + j] (+ dx[o, j] when accumulating).
//   Launch (both): any 1-D grid and block; a grid-stride loop over the outer*row elements of x.
//
// transpose_nd: y[i] = x[sum over k of c_k(i) * s_k] (+ y[i] when accumulating), where c(i) are i's coordinates in
//   y's dims [D0..D5] and s_k is x's contiguous stride along the input dimension that output dimension k comes
//   from. Transpose's backward is the same kernel applied to dy with the inverse permutation.
//   Launch: any 1-D grid and block; a grid-stride loop over the D0*...*D5 outputs.
//
// pad_forward: y (dims [Y0..Y5]) is x (dims [X0..X5]) with begin[k] elements added before axis k (negative:
//   removed) and the rest after: y[c] = x[src(c)], src_k = c_k - begin_k mapped into [0, X_k) by the mode
//   (0 constant: outside means `value`; 1 reflect: mirrored about the end elements, numpy's reflect; 2 edge:
//   clamped; 3 wrap: modulo X_k). The constant is read from device memory (one float; any valid pointer in the
//   other modes), so it may be a graph input.
// pad_backward_constant: the gradient of constant-mode Pad: dx[c] = dy[c + begin] where that lies inside y, else 0
//   (an element cropped away by a negative pad gets no gradient).
//   Launch (both): any 1-D grid and block; grid-stride loops over y's (forward) or x's (backward) elements.
//
// gather_forward: Gather with constant indices along one axis, x seen as [outer, axis_dim, inner] and y as
//   [outer, count, inner]: y[o, k, j] = x[o, index[k], j]. The indices are floats holding whole numbers in
//   [0, axis_dim) (exact below 2^24; the host checks), so they upload as an ordinary weight.
// gather_backward: dx[o, a, j] = sum over the k with index[k] = a of dy[o, k, j] (+ dx when accumulating): one
//   thread per dx element looping over the indices, so a repeated index sums without atomics, in a fixed order.
//   Launch (both): any 1-D grid and block; grid-stride loops over y's (forward) or x's (backward) elements.

#define PAD_CONSTANT 0
#define PAD_REFLECT 1
#define PAD_EDGE 2
#define PAD_WRAP 3

#include "common.cuh"

extern "C" __global__ void concat_forward(const float* __restrict__ x, float* __restrict__ y, int outer, int row,
                                          int out_row, int offset) {
  const int n = outer * row;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int o = i / row;
    const int j = i - o * row;
    y[o * out_row + offset + j] = x[i];
  }
}

extern "C" __global__ void concat_backward(const float* __restrict__ dy, float* __restrict__ dx, int outer, int row,
                                           int out_row, int offset, int accumulate) {
  const int n = outer * row;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int o = i / row;
    const int j = i - o * row;
    const float g = dy[o * out_row + offset + j];
    dx[i] = accumulate ? dx[i] + g : g;
  }
}

extern "C" __global__ void transpose_nd(const float* __restrict__ x, float* __restrict__ y, int accumulate,
                                        int d0, int d1, int d2, int d3, int d4, int d5,
                                        int s0, int s1, int s2, int s3, int s4, int s5) {
  const int d[6] = {d0, d1, d2, d3, d4, d5};
  const int s[6] = {s0, s1, s2, s3, s4, s5};
  const int n = d0 * d1 * d2 * d3 * d4 * d5;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int src = strided_offset(i, d, s);
    y[i] = accumulate ? y[i] + x[src] : x[src];
  }
}

// The dims of Pad's input x and output y, and the elements added before each axis, from a kernel's arguments.
struct PadDims {
  int x[6];
  int begin[6];
  int y[6];
};

static __device__ __forceinline__ PadDims pad_dims(int x0, int x1, int x2, int x3, int x4, int x5, int b0, int b1,
                                                   int b2, int b3, int b4, int b5, int y0, int y1, int y2, int y3,
                                                   int y4, int y5) {
  return {{x0, x1, x2, x3, x4, x5}, {b0, b1, b2, b3, b4, b5}, {y0, y1, y2, y3, y4, y5}};
}

// The offset, in a contiguous tensor of dims `to`, of element i of a contiguous tensor of dims `from` whose
// coordinate c along axis k lies at map(k, c) in `to`; -1 where some coordinate maps to -1 (outside `to`).
template <typename Map>
static __device__ __forceinline__ int pad_map(int i, const int* from, const int* to, Map map) {
  int offset = 0;
  int stride = 1;
  bool inside = true;
  for (int k = 5; k >= 0; k--) {
    const int c = map(k, i % from[k]);
    i /= from[k];
    if (c < 0) inside = false;
    offset += c * stride;
    stride *= to[k];
  }
  return inside ? offset : -1;
}

// The input index that padded index i (in input coordinates, possibly outside) reads, or -1 for the constant.
static __device__ __forceinline__ int pad_source(int i, int size, int mode) {
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case PAD_EDGE: return i < 0 ? 0 : size - 1;
    case PAD_WRAP: return ((i % size) + size) % size;
    case PAD_REFLECT: {
      if (size == 1) return 0;
      const int period = 2 * (size - 1);
      const int r = ((i % period) + period) % period;
      return r < size ? r : period - r;
    }
    default: return -1;
  }
}

extern "C" __global__ void pad_forward(const float* __restrict__ x, float* __restrict__ y, int mode,
                                       const float* __restrict__ value_ptr,
                                       int x0, int x1, int x2, int x3, int x4, int x5,
                                       int b0, int b1, int b2, int b3, int b4, int b5,
                                       int y0, int y1, int y2, int y3, int y4, int y5) {
  const PadDims p = pad_dims(x0, x1, x2, x3, x4, x5, b0, b1, b2, b3, b4, b5, y0, y1, y2, y3, y4, y5);
  const int n = y0 * y1 * y2 * y3 * y4 * y5;
  const float value = mode == PAD_CONSTANT ? *value_ptr : 0.0f;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int src = pad_map(i, p.y, p.x, [&](int k, int c) { return pad_source(c - p.begin[k], p.x[k], mode); });
    y[i] = src >= 0 ? x[src] : value;
  }
}

extern "C" __global__ void pad_backward_constant(const float* __restrict__ dy, float* __restrict__ dx,
                                                 int accumulate,
                                                 int x0, int x1, int x2, int x3, int x4, int x5,
                                                 int b0, int b1, int b2, int b3, int b4, int b5,
                                                 int y0, int y1, int y2, int y3, int y4, int y5) {
  const PadDims p = pad_dims(x0, x1, x2, x3, x4, x5, b0, b1, b2, b3, b4, b5, y0, y1, y2, y3, y4, y5);
  const int n = x0 * x1 * x2 * x3 * x4 * x5;
  for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < n; j += gridDim.x * blockDim.x) {
    const int dst = pad_map(j, p.x, p.y, [&](int k, int c) {
      const int t = c + p.begin[k];
      return t >= 0 && t < p.y[k] ? t : -1;
    });
    const float g = dst >= 0 ? dy[dst] : 0.0f;
    dx[j] = accumulate ? dx[j] + g : g;
  }
}

extern "C" __global__ void gather_forward(const float* __restrict__ x, float* __restrict__ y,
                                          const float* __restrict__ index, int outer, int axis_dim, int count,
                                          int inner) {
  const int n = outer * count * inner;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int j = i % inner;
    const int k = (i / inner) % count;
    const int o = i / (inner * count);
    y[i] = x[(o * axis_dim + (int) index[k]) * inner + j];
  }
}

extern "C" __global__ void gather_backward(const float* __restrict__ dy, float* __restrict__ dx,
                                           const float* __restrict__ index, int outer, int axis_dim, int count,
                                           int inner, int accumulate) {
  const int n = outer * axis_dim * inner;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int j = i % inner;
    const int a = (i / inner) % axis_dim;
    const int o = i / (inner * axis_dim);
    float g = 0.0f;
    for (int k = 0; k < count; k++) {
      if ((int) index[k] == a) g += dy[(o * count + k) * inner + j];
    }
    dx[i] = accumulate ? dx[i] + g : g;
  }
}

// resample_forward: Resize / Upsample along one axis, x seen as [outer, in_len, inner] and y as [outer, out_len,
//   inner]: y[o, i, j] = w0[i] x[o, i0[i], j] + w1[i] x[o, i1[i], j], a term of weight 0 left out (so nearest,
//   w1 = 0, copies x exactly). taps holds four rows of out_len floats: i0, i1 (whole numbers in [0, in_len),
//   exact below 2^24; the host checks), w0, w1.
// resample_backward: dx[o, a, j] = sum over the i with i0[i] = a of w0[i] dy[o, i, j] plus over the i with
//   i1[i] = a of w1[i] dy[o, i, j] (+ dx when accumulating): one thread per dx element looping over the taps, so
//   no atomics and a fixed order.
//   Launch (both): any 1-D grid and block; grid-stride loops over y's (forward) or x's (backward) elements.
extern "C" __global__ void resample_forward(const float* __restrict__ x, float* __restrict__ y,
                                            const float* __restrict__ taps, int outer, int in_len, int out_len,
                                            int inner) {
  const int n = outer * out_len * inner;
  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    const int j = e % inner;
    const int i = (e / inner) % out_len;
    const int o = e / (inner * out_len);
    const float w0 = taps[2 * out_len + i];
    const float w1 = taps[3 * out_len + i];
    float v = 0.0f;
    if (w0 != 0.0f) v += w0 * x[(o * in_len + (int) taps[i]) * inner + j];
    if (w1 != 0.0f) v += w1 * x[(o * in_len + (int) taps[out_len + i]) * inner + j];
    y[e] = v;
  }
}

extern "C" __global__ void resample_backward(const float* __restrict__ dy, float* __restrict__ dx,
                                             const float* __restrict__ taps, int outer, int in_len, int out_len,
                                             int inner, int accumulate) {
  const int n = outer * in_len * inner;
  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    const int j = e % inner;
    const int a = (e / inner) % in_len;
    const int o = e / (inner * in_len);
    float g = 0.0f;
    for (int i = 0; i < out_len; i++) {
      const float d = dy[(o * out_len + i) * inner + j];
      if ((int) taps[i] == a) g += taps[2 * out_len + i] * d;
      if ((int) taps[out_len + i] == a) g += taps[3 * out_len + i] * d;
    }
    dx[e] = accumulate ? dx[e] + g : g;
  }
}
