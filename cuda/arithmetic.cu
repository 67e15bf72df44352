// Broadcasting arithmetic for ONNX Add, Sub, Mul, Div, Max, Min and PRelu on tensors of up to 6 dimensions: forward, and the
// gradient of either operand, summed over the dimensions along which that operand was broadcast.
//
// Shape legend: the output y (and its gradient dy) is contiguous with dims [D0, ..., D5] (lower ranks
// right-aligned and padded with leading 1s, as in ONNX/NumPy broadcasting). The operands a and b are read through
// element strides [as0..as5] and [bs0..bs5] in the output's coordinates: 0 along every dimension where the
// operand broadcasts (its size there is 1), its own contiguous stride elsewhere. So an operand's stride is non-zero
// exactly where its size equals the output's (and exceeds 1). Op codes: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min
// (ONNX Max and Min of two inputs: a NaN propagates, the first operand's where both are; a tie gives a), 6 prelu
// (a = x, b = the slope: b a where a < 0, else a).
//
// arithmetic_forward: y[i] = a[offset_a(i)] OP b[offset_b(i)].
//   Launch: any 1-D grid and block; a grid-stride loop covers the D0*...*D5 outputs (fewer than 2^31).
//
// arithmetic_backward / arithmetic_backward_reduce: the gradient dx of operand `wrt` (0: a, 1: b), a contiguous
// tensor of `count` elements:
//   dx[j] = scale * (sum over the outputs i that read x[j] of dy[i] * dOP/dx(a[offset_a(i)], b[offset_b(i)]))
//           + (accumulate ? dx[j] : 0)
//   with dOP/da, dOP/db: add 1, 1; sub 1, -1; mul b, a; div 1/b, -a/b^2; max and min 1, 0 where the result is a
//   (arith_picks_a) and 0, 1 where it is b; prelu b, a where a < 0 and 1, 0 elsewhere (at 0 the x piece). The outputs that read x[j] share x's kept
//   coordinates and run over every index of the dimensions where x broadcasts (R of them in all).
//   arithmetic_backward: one thread per dx element, summing its R terms in a loop: for R small (1 when x is not
//     broadcast). Launch: any 1-D grid and block (grid-stride loop over count).
//   arithmetic_backward_reduce: one block per dx element (grid-stride over elements by block), its threads sharing
//     the R terms and reducing them (warp shuffles, then shared memory): for large R such as a per-channel
//     operand. Launch: 1-D grid, block a multiple of 32 up to 1024, no dynamic shared memory.

#define ARITH_ADD 0
#define ARITH_SUB 1
#define ARITH_MUL 2
#define ARITH_DIV 3
#define ARITH_MAX 4
#define ARITH_MIN 5
#define ARITH_PRELU 6

#include "common.cuh"

// Whether Max (max = 1) or Min of (a, b) is a: where a is NaN or at least as far as b (so ties go to a).
static __device__ __forceinline__ bool arith_picks_a(bool max, float a, float b) {
  if (a != a) return true;  // a NaN propagates; a's first
  if (b != b) return false;
  return max ? a >= b : a <= b;
}

static __device__ __forceinline__ float arith_apply(int op, float a, float b) {
  switch (op) {
    case ARITH_ADD: return a + b;
    case ARITH_SUB: return a - b;
    case ARITH_MUL: return a * b;
    case ARITH_DIV: return a / b;
    case ARITH_MAX: return arith_picks_a(true, a, b) ? a : b;
    case ARITH_MIN: return arith_picks_a(false, a, b) ? a : b;
    case ARITH_PRELU: return a < 0.0f ? b * a : a;
    default: return quiet_nan();  // an unknown op code must not pass unnoticed
  }
}

// dy * dOP/d(operand wrt) at (a, b).
static __device__ __forceinline__ float arith_partial(int op, int wrt, float a, float b, float dy) {
  switch (op) {
    case ARITH_ADD: return dy;
    case ARITH_SUB: return wrt == 0 ? dy : -dy;
    case ARITH_MUL: return wrt == 0 ? dy * b : dy * a;
    case ARITH_DIV: return wrt == 0 ? dy / b : -dy * a / (b * b);
    case ARITH_MAX:
    case ARITH_MIN: return arith_picks_a(op == ARITH_MAX, a, b) == (wrt == 0) ? dy : 0.0f;
    case ARITH_PRELU: return a < 0.0f ? (wrt == 0 ? dy * b : dy * a) : (wrt == 0 ? dy : 0.0f);
    default: return quiet_nan();
  }
}

extern "C" __global__ void arithmetic_forward(const float* __restrict__ a, const float* __restrict__ b,
                                              float* __restrict__ y, int op,
                                              int d0, int d1, int d2, int d3, int d4, int d5,
                                              int as0, int as1, int as2, int as3, int as4, int as5,
                                              int bs0, int bs1, int bs2, int bs3, int bs4, int bs5) {
  const int d[6] = {d0, d1, d2, d3, d4, d5};
  const int as[6] = {as0, as1, as2, as3, as4, as5};
  const int bs[6] = {bs0, bs1, bs2, bs3, bs4, bs5};
  const int n = d0 * d1 * d2 * d3 * d4 * d5;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    y[i] = arith_apply(op, a[strided_offset(i, d, as)], b[strided_offset(i, d, bs)]);
  }
}

// Everything the gradient of one dx element needs: the output dims and both operands' strides, and which
// dimensions the differentiated operand x broadcasts along.
struct ArithGrad {
  int d[6];
  int as[6];
  int bs[6];
  int ys[6];  // the output's contiguous strides
  int op;
  int wrt;
  int reduced;  // R: the product of the output dims along which x broadcasts
};

// The ArithGrad of a backward launch, from the kernel's arguments.
static __device__ __forceinline__ ArithGrad arith_grad(int op, int wrt, int d0, int d1, int d2, int d3, int d4, int d5,
                                                       int as0, int as1, int as2, int as3, int as4, int as5,
                                                       int bs0, int bs1, int bs2, int bs3, int bs4, int bs5) {
  const int d[6] = {d0, d1, d2, d3, d4, d5};
  const int as[6] = {as0, as1, as2, as3, as4, as5};
  const int bs[6] = {bs0, bs1, bs2, bs3, bs4, bs5};
  ArithGrad g;
  g.op = op;
  g.wrt = wrt;
  g.reduced = 1;
  int stride = 1;
  for (int k = 5; k >= 0; k--) {
    g.d[k] = d[k];
    g.as[k] = as[k];
    g.bs[k] = bs[k];
    g.ys[k] = stride;
    stride *= d[k];
    const int xs = wrt == 0 ? as[k] : bs[k];
    if (xs == 0) g.reduced *= d[k];
  }
  return g;
}

// The sum of dy * dOP/dx over the reduced positions r = first, first + step, ... < R for dx element j.
static __device__ float arith_grad_sum(const ArithGrad& g, const float* dy, const float* a, const float* b, int j,
                                       int first, int step) {
  // x's kept coordinates from j: along dimension k with a non-zero stride, x's index is (j / stride) % D_k.
  int y_base = 0;
  int a_base = 0;
  int b_base = 0;
  for (int k = 0; k < 6; k++) {
    const int xs = g.wrt == 0 ? g.as[k] : g.bs[k];
    if (xs == 0) continue;
    const int c = (j / xs) % g.d[k];
    y_base += c * g.ys[k];
    a_base += c * g.as[k];
    b_base += c * g.bs[k];
  }
  float sum = 0.0f;
  for (int r = first; r < g.reduced; r += step) {
    // r's coordinates along the broadcast dimensions, innermost fastest.
    int rest = r;
    int yo = y_base;
    int ao = a_base;
    int bo = b_base;
    for (int k = 5; k >= 0; k--) {
      const int xs = g.wrt == 0 ? g.as[k] : g.bs[k];
      if (xs != 0) continue;
      const int c = rest % g.d[k];
      rest /= g.d[k];
      yo += c * g.ys[k];
      ao += c * g.as[k];
      bo += c * g.bs[k];
    }
    sum += arith_partial(g.op, g.wrt, a[ao], b[bo], dy[yo]);
  }
  return sum;
}

extern "C" __global__ void arithmetic_backward(const float* __restrict__ dy, const float* __restrict__ a,
                                               const float* __restrict__ b, float* __restrict__ dx,
                                               int op, int wrt, int count, int accumulate, float scale,
                                               int d0, int d1, int d2, int d3, int d4, int d5,
                                               int as0, int as1, int as2, int as3, int as4, int as5,
                                               int bs0, int bs1, int bs2, int bs3, int bs4, int bs5) {
  const ArithGrad g = arith_grad(op, wrt, d0, d1, d2, d3, d4, d5, as0, as1, as2, as3, as4, as5, bs0, bs1, bs2, bs3,
                                 bs4, bs5);
  for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < count; j += gridDim.x * blockDim.x) {
    const float sum = scale * arith_grad_sum(g, dy, a, b, j, 0, 1);
    dx[j] = accumulate ? dx[j] + sum : sum;
  }
}

extern "C" __global__ void arithmetic_backward_reduce(const float* __restrict__ dy, const float* __restrict__ a,
                                                      const float* __restrict__ b, float* __restrict__ dx,
                                                      int op, int wrt, int count, int accumulate, float scale,
                                                      int d0, int d1, int d2, int d3, int d4, int d5,
                                                      int as0, int as1, int as2, int as3, int as4, int as5,
                                                      int bs0, int bs1, int bs2, int bs3, int bs4, int bs5) {
  __shared__ float warp_totals[32];
  const ArithGrad g = arith_grad(op, wrt, d0, d1, d2, d3, d4, d5, as0, as1, as2, as3, as4, as5, bs0, bs1, bs2, bs3,
                                 bs4, bs5);
  // Every thread of a block takes the same trips through this loop, so all of them reach every barrier.
  for (int j = blockIdx.x; j < count; j += gridDim.x) {
    const float total = block_sum_to_first(arith_grad_sum(g, dy, a, b, j, threadIdx.x, blockDim.x), warp_totals);
    if (threadIdx.x == 0) dx[j] = accumulate ? dx[j] + scale * total : scale * total;
  }
}
