// The Adam update of the visualization step, fused over a whole batch of parameter vectors.
// Shape legend: B batch (one image per sample), P parameters per sample; params, grad, m, v are [B, P]
// row-major, active is int[B]. CPU twin: org.featviz.optim.Adam (one instance per sample).
//
// adam_ascend: one Adam ASCENT step (gradient of the quantity to maximize) of every element of every
// sample whose active[b] is nonzero; elements of inactive samples (dead or NaN images, which the
// renderer stops updating) are left untouched, params, m and v alike. With t the step number (from 1),
// the bias corrections c1 = 1 - beta1^t, c2 = 1 - beta2^t and the complements 1 - beta1, 1 - beta2 are
// passed in, computed in double on the host and rounded once (1 - 0.999f in float would be off by 1e-5):
//     m = beta1 m + (1 - beta1) g
//     v = beta2 v + (1 - beta2) g^2
//     p = p + lr (m / c1) / (sqrt(v / c2) + eps)
// m and v start at zero (the caller clears them before the first step). Float32 throughout; the CPU
// twin rounds the same terms from double, so the two agree to a few ulp.
// Launch: grid (X, B) with any X >= 1 (a grid-stride loop covers the P elements of sample blockIdx.y),
// any 1-D block; no shared memory. gridDim.y must be at least B (extra rows do nothing).
//
// adam_deactivate_nonfinite: active[b] = 0 for every sample with a NaN or infinite parameter, the
// check the renderer makes after each update. Every writer writes the same 0, so the race between
// threads that find a bad value in the same sample is benign. Launch: as adam_ascend.

extern "C" __global__ void adam_ascend(float* __restrict__ params, const float* __restrict__ grad,
                                       float* __restrict__ m, float* __restrict__ v,
                                       const int* __restrict__ active, int batch, int size, float lr,
                                       float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                                       float eps, float correction1, float correction2) {
  const int b = blockIdx.y;
  if (b < batch && active[b] != 0) {
    const size_t base = (size_t) b * size;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < size; i += gridDim.x * blockDim.x) {
      const size_t k = base + i;
      const float g = grad[k];
      const float mk = beta1 * m[k] + one_minus_beta1 * g;
      const float vk = beta2 * v[k] + one_minus_beta2 * g * g;
      m[k] = mk;
      v[k] = vk;
      params[k] += lr * (mk / correction1) / (sqrtf(vk / correction2) + eps);
    }
  }
}

extern "C" __global__ void adam_deactivate_nonfinite(const float* __restrict__ params, int* __restrict__ active,
                                                     int batch, int size) {
  const int b = blockIdx.y;
  if (b < batch) {
    const size_t base = (size_t) b * size;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < size; i += gridDim.x * blockDim.x) {
      if (!isfinite(params[base + i])) active[b] = 0;
    }
  }
}
