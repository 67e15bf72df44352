// The spectral image parameterization's 1/f weighting, applied before the inverse DFT and (being
// diagonal, it is its own adjoint) after the adjoint DFT. The inverse DFT runs as cuBLAS GEMMs with the
// matrices of org.featviz.param.InverseRealDft2d; the parameterizations' last, per-pixel stage (sigmoid,
// color decorrelation) runs fused into the transform kernels (cuda/transform.cu).
// Shape legend: B batch, C channels, H x W the image, Wf = W / 2 + 1; spectra [B, C, 2, H, Wf] (per channel
// the real parts [H, Wf], then the imaginary parts). CPU twin: org.featviz.param.FftParam.
//
//   param_spectrum_weight: y[r, k] = x[r, k] w[k] for the rows r < count (count = B * C * 2 halves of
//                          a spectrum) of half = H * Wf values each; w [H, Wf] is FftParam.weight().
//                          x and y may be the same buffer (in place).
// Launch: any 1-D grid and block; a grid-stride loop covers the count * half values.

extern "C" __global__ void param_spectrum_weight(const float* x, const float* __restrict__ weight, float* y,
                                                 int count, int half) {
  const long long n = (long long) count * half;
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
       i += (long long) gridDim.x * blockDim.x) {
    y[i] = x[i] * weight[i % half];
  }
}
