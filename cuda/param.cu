// The image parameterizations of the visualization step (params -> image in (0, 1)), forward and
// backward, except the inverse DFT of the spectral parameterization, which runs as cuBLAS GEMMs with
// the matrices of org.featviz.param.InverseRealDft2d.
// Shape legend: B batch, C channels, H x W the image, plane = H * W, Wf = W / 2 + 1; images [B, C, H, W];
// spectra [B, C, 2, H, Wf] (per channel the real parts [H, Wf], then the imaginary parts).
// CPU twins: org.featviz.param.PixelParam, Sigmoid, ColorDecorrelation and FftParam.
//
// Pixel parameterization, and the last stage of the spectral one without color decorrelation:
//   param_sigmoid_forward:  image = 1 / (1 + exp(-p)) over n elements
//   param_sigmoid_backward: grad_p = grad_image * s (1 - s), with s = image (the forward's output)
// Spectral parameterization of 3-channel images, its last stage (t = the inverse DFT's output [B, 3, H, W],
// M the 3x3 color matrix of ColorDecorrelation.MATRIX, m_ij row i = output color i):
//   param_decorrelate_sigmoid_forward:  image[b, i, p] = sigmoid(sum_j m_ij t[b, j, p])
//   param_decorrelate_sigmoid_backward: g_i = grad_image[b, i, p] s_i (1 - s_i) with s = image;
//                                       grad_t[b, j, p] = sum_i m_ij g_i
// The spectral parameterization's 1/f weighting, before the inverse DFT and (being diagonal, it is its own
// adjoint) after the adjoint DFT:
//   param_spectrum_weight: y[r, k] = x[r, k] w[k] for the rows r < count (count = B * C * 2 halves of
//                          a spectrum) of half = H * Wf values each; w [H, Wf] is FftParam.weight().
//                          x and y may be the same buffer (in place).
// Launch (all): any 1-D grid and block; a grid-stride loop covers the n elements, the B * plane pixels or
// the count * half values.

namespace {

__device__ __forceinline__ float param_sigmoid(float x) {
  return 1.0f / (1.0f + expf(-x));
}

}  // namespace

extern "C" __global__ void param_sigmoid_forward(const float* __restrict__ params, float* __restrict__ image,
                                                 int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    image[i] = param_sigmoid(params[i]);
  }
}

extern "C" __global__ void param_sigmoid_backward(const float* __restrict__ image,
                                                  const float* __restrict__ grad_image,
                                                  float* __restrict__ grad_params, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float s = image[i];
    grad_params[i] = grad_image[i] * (s * (1.0f - s));
  }
}

extern "C" __global__ void param_decorrelate_sigmoid_forward(const float* __restrict__ t, float* __restrict__ image,
                                                             int batch, int plane, float m00, float m01, float m02,
                                                             float m10, float m11, float m12, float m20, float m21,
                                                             float m22) {
  const int pixels = batch * plane;
  for (int q = blockIdx.x * blockDim.x + threadIdx.x; q < pixels; q += gridDim.x * blockDim.x) {
    const int b = q / plane;
    const int p = q % plane;
    const size_t base = (size_t) b * 3 * plane + p;
    const float t0 = t[base];
    const float t1 = t[base + plane];
    const float t2 = t[base + 2 * (size_t) plane];
    image[base] = param_sigmoid(m00 * t0 + m01 * t1 + m02 * t2);
    image[base + plane] = param_sigmoid(m10 * t0 + m11 * t1 + m12 * t2);
    image[base + 2 * (size_t) plane] = param_sigmoid(m20 * t0 + m21 * t1 + m22 * t2);
  }
}

extern "C" __global__ void param_decorrelate_sigmoid_backward(const float* __restrict__ image,
                                                              const float* __restrict__ grad_image,
                                                              float* __restrict__ grad_t, int batch, int plane,
                                                              float m00, float m01, float m02, float m10, float m11,
                                                              float m12, float m20, float m21, float m22) {
  const int pixels = batch * plane;
  for (int q = blockIdx.x * blockDim.x + threadIdx.x; q < pixels; q += gridDim.x * blockDim.x) {
    const int b = q / plane;
    const int p = q % plane;
    const size_t base = (size_t) b * 3 * plane + p;
    const float s0 = image[base];
    const float s1 = image[base + plane];
    const float s2 = image[base + 2 * (size_t) plane];
    const float g0 = grad_image[base] * (s0 * (1.0f - s0));
    const float g1 = grad_image[base + plane] * (s1 * (1.0f - s1));
    const float g2 = grad_image[base + 2 * (size_t) plane] * (s2 * (1.0f - s2));
    grad_t[base] = m00 * g0 + m10 * g1 + m20 * g2;
    grad_t[base + plane] = m01 * g0 + m11 * g1 + m21 * g2;
    grad_t[base + 2 * (size_t) plane] = m02 * g0 + m12 * g1 + m22 * g2;
  }
}

extern "C" __global__ void param_spectrum_weight(const float* x, const float* __restrict__ weight, float* y,
                                                 int count, int half) {
  const long long n = (long long) count * half;
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
       i += (long long) gridDim.x * blockDim.x) {
    y[i] = x[i] * weight[i % half];
  }
}
