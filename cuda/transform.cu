// The image side of the visualization step, fused into one kernel each way: the parameterization's last,
// per-pixel stage (none, sigmoid, or color decorrelation then sigmoid), the random augmentation (one
// affine bilinear resampling per image: pad, jitter, scale, rotate, jitter, composed) and the input
// normalization (x - mean[c]) / std[c].
// Shape legend: B batch, C channels, H x W the image, Ho x Wo the network's input canvas; pre (the
// parameterization before its last stage), image, grad_image and grad_pre [B, C, H, W], out and grad_out
// [B, C, Ho, Wo]; samples float[B, 4] holding each image's TransformSample (scale, angle in degrees, tx,
// ty); mean and std float[N] with N = 1 (one value for every channel) or N = C. CPU twins:
// org.featviz.param.PixelParam / FftParam's last stage (Sigmoid, ColorDecorrelation),
// org.featviz.param.Transforms (forward, backward) and org.featviz.model.InputNormalization (apply,
// backward); docs/parameterizations.md has the mapping:
//
//   p_img = c_img + R(theta) (p_out - c_out) / scale + t,   c = ((W - 1) / 2, (H - 1) / 2) of each canvas
//   out[c, yo, xo] = (sum over the 4 bilinear neighbours (i, j) of p_img of w_ij E[c, i, j] - mean) / std
//   E = the image inside it, pad_value in the ring of width pad around it, 0 beyond.
//
// The last stage (stage: 0 none, image = pre; 1 sigmoid, image = sigmoid(pre); 2 decorrelated, C = 3,
// image[i] = sigmoid(sum_j m_ij pre[j]) per pixel with M = ColorDecorrelation.MATRIX, m_ij row i) is
// computed where the resampling reads a pixel, so the image never makes a round trip through memory
// between parameterization and transform; the forward also writes the image (for regularizers, the
// backward's sigmoid derivative and the final result) when write_image = 1.
//
// transform_forward: pre -> image (optional) and the normalized network input.
// Launch: grid (X, B) with X * blockDim.x >= max(Ho * Wo, H * W), any 1-D block: one thread per output
// pixel (all channels), the first H * W threads also write their image pixel (all channels).
//
// transform_backward: grad_out (at the network input) -> grad_pre: divide by std[c], then the exact
// adjoint of the resampling (fill values, the pad ring and the zero region, are constants and take no
// gradient), plus grad_image when accumulate = 1 (e.g. image regularizers' gradients, written there
// first), then back through the last stage with s = image (sigmoid: g s (1 - s); decorrelated: M^T of
// that). grad_pre may be grad_image (each thread reads its pixel's values before writing them); stage 0
// does not read image, accumulate = 0 does not read grad_image (any buffer may be passed). GATHER formulation: one thread per image pixel
// (i, j) visits the output pixels whose sampling point can lie within one pixel of (i, j) (the preimage
// of the square |x - j| < 1, |y - i| < 1 is a square of half side `scale` turned by -theta, so a box of
// half side scale (|cos| + |sin|) around the preimage of (j, i) holds them all, plus a margin for
// rounding), recomputes each one's sampling point with the forward's own function, and adds the
// bilinear weight that output pixel gives (i, j). Why gather and not a scatter with atomicAdd from each
// output pixel: every gradient element is written once by one thread, in a fixed order, so the result is
// bitwise reproducible run to run, needs no cleared buffer (overwrite or accumulate at will) and no
// atomics contending on the same image pixels; the price, recomputing a few sampling points per image
// pixel (9 for Lucid's scales and angles), is arithmetic on data already in registers. The sampling
// point is a float computation; bilinear weights are continuous in it, so a last-bit difference in a
// point only moves weight of order 1e-7 between neighbours.
// Launch: grid (X, B) with X * blockDim.x >= H * W, any 1-D block.

// Helpers in an anonymous namespace: the emulator links every kernel file into one library.
namespace {

struct TransformGeometry {
  float cos_t;     // cos and sin of the angle
  float sin_t;
  float scale;
  float tx;
  float ty;
  float img_cx;    // (W - 1) / 2, (H - 1) / 2
  float img_cy;
  float out_cx;    // (Wo - 1) / 2, (Ho - 1) / 2
  float out_cy;
};

__device__ TransformGeometry transform_geometry(const float* __restrict__ samples, int b, int height, int width,
                                                int out_height, int out_width) {
  const float* s = samples + (size_t) b * 4;
  const float theta = s[1] * 0.017453292519943295f;  // degrees to radians
  TransformGeometry g;
  g.cos_t = cosf(theta);
  g.sin_t = sinf(theta);
  g.scale = s[0];
  g.tx = s[2];
  g.ty = s[3];
  g.img_cx = (width - 1) * 0.5f;
  g.img_cy = (height - 1) * 0.5f;
  g.out_cx = (out_width - 1) * 0.5f;
  g.out_cy = (out_height - 1) * 0.5f;
  return g;
}

// Where output pixel (xo, yo) reads the image: x (column) and y (row), in image pixels.
__device__ __forceinline__ void transform_locate(const TransformGeometry& g, int xo, int yo, float* x, float* y) {
  const float dx = xo - g.out_cx;
  const float dy = yo - g.out_cy;
  *x = g.img_cx + (g.cos_t * dx - g.sin_t * dy) / g.scale + g.tx;
  *y = g.img_cy + (g.sin_t * dx + g.cos_t * dy) / g.scale + g.ty;
}

// floor(v) as an int, clamped to [lo, hi] first (a point far outside reads zeros either way; the clamp
// keeps the conversion defined).
__device__ __forceinline__ int transform_floor(float v, int lo, int hi) {
  return (int) fminf(fmaxf(floorf(v), (float) lo), (float) hi);
}

#define TRANSFORM_CHANNEL_CHUNK 4  // gradient accumulators per thread in transform_backward
#define TRANSFORM_STAGE_NONE 0
#define TRANSFORM_STAGE_SIGMOID 1
#define TRANSFORM_STAGE_DECORRELATED 2

// The color matrix of the decorrelated stage, row after row (unused by the other stages); the kernels
// take its entries as nine float arguments m00 .. m22.
struct ColorMatrix {
  float m[9];
};

__device__ __forceinline__ ColorMatrix transform_color_matrix(float m00, float m01, float m02, float m10, float m11,
                                                              float m12, float m20, float m21, float m22) {
  ColorMatrix cm = {{m00, m01, m02, m10, m11, m12, m20, m21, m22}};
  return cm;
}

__device__ __forceinline__ float transform_sigmoid(float x) {
  return 1.0f / (1.0f + expf(-x));
}

// Channel c of the image at pixel index q of one image (pre_b = that image's [C, H, W] values): the
// parameterization's last stage applied to pre.
__device__ __forceinline__ float transform_stage(const float* __restrict__ pre_b, int c, size_t q, size_t plane,
                                                 int stage, const ColorMatrix& cm) {
  if (stage == TRANSFORM_STAGE_NONE) return pre_b[c * plane + q];
  if (stage == TRANSFORM_STAGE_SIGMOID) return transform_sigmoid(pre_b[c * plane + q]);
  const float* m = cm.m + 3 * c;
  return transform_sigmoid(m[0] * pre_b[q] + m[1] * pre_b[plane + q] + m[2] * pre_b[2 * plane + q]);
}

// The extended image E at (i, j), channel c: the image (the last stage of pre), the pad ring or the zero
// region.
__device__ __forceinline__ float transform_extended(const float* __restrict__ pre_b, int c, int i, int j,
                                                    int height, int width, int pad, float pad_value, int stage,
                                                    const ColorMatrix& cm) {
  if (i >= 0 && i < height && j >= 0 && j < width) {
    return transform_stage(pre_b, c, (size_t) i * width + j, (size_t) height * width, stage, cm);
  }
  if (i >= -pad && i < height + pad && j >= -pad && j < width + pad) return pad_value;
  return 0.0f;
}

}  // namespace

extern "C" __global__ void transform_forward(const float* __restrict__ pre, float* __restrict__ image,
                                             const float* __restrict__ samples, const float* __restrict__ mean,
                                             const float* __restrict__ std, float* __restrict__ out, int batch,
                                             int channels, int height, int width, int out_height, int out_width,
                                             int pad, float pad_value, int norm_channels, int write_image,
                                             int stage, float m00, float m01, float m02, float m10, float m11,
                                             float m12, float m20, float m21, float m22) {
  const ColorMatrix cm = transform_color_matrix(m00, m01, m02, m10, m11, m12, m20, m21, m22);
  const int b = blockIdx.y;
  const int o = blockIdx.x * blockDim.x + threadIdx.x;
  const int out_plane = out_height * out_width;
  const size_t plane = (size_t) height * width;
  if (b >= batch) return;
  const float* pre_b = pre + (size_t) b * channels * plane;
  if (write_image && o < (int) plane) {
    for (int c = 0; c < channels; ++c) {
      image[((size_t) b * channels + c) * plane + o] = transform_stage(pre_b, c, o, plane, stage, cm);
    }
  }
  if (o < out_plane) {
    const TransformGeometry g = transform_geometry(samples, b, height, width, out_height, out_width);
    float x;
    float y;
    transform_locate(g, o % out_width, o / out_width, &x, &y);
    const int x0 = transform_floor(x, -pad - 2, width + pad + 1);
    const int y0 = transform_floor(y, -pad - 2, height + pad + 1);
    const float fx = x - floorf(x);
    const float fy = y - floorf(y);
    for (int c = 0; c < channels; ++c) {
      const float e00 = transform_extended(pre_b, c, y0, x0, height, width, pad, pad_value, stage, cm);
      const float e01 = transform_extended(pre_b, c, y0, x0 + 1, height, width, pad, pad_value, stage, cm);
      const float e10 = transform_extended(pre_b, c, y0 + 1, x0, height, width, pad, pad_value, stage, cm);
      const float e11 = transform_extended(pre_b, c, y0 + 1, x0 + 1, height, width, pad, pad_value, stage, cm);
      const float sum = (1.0f - fy) * ((1.0f - fx) * e00 + fx * e01) + fy * ((1.0f - fx) * e10 + fx * e11);
      const int n = norm_channels == 1 ? 0 : c;
      out[((size_t) b * channels + c) * out_plane + o] = (sum - mean[n]) / std[n];
    }
  }
}

extern "C" __global__ void transform_backward(const float* __restrict__ grad_out, const float* __restrict__ samples,
                                              const float* __restrict__ std, const float* __restrict__ image,
                                              const float* grad_image, float* grad_pre, int batch, int channels,
                                              int height, int width, int out_height, int out_width,
                                              int norm_channels, int accumulate, int stage, float m00, float m01,
                                              float m02, float m10, float m11, float m12, float m20, float m21,
                                              float m22) {
  const ColorMatrix cm = transform_color_matrix(m00, m01, m02, m10, m11, m12, m20, m21, m22);
  const int b = blockIdx.y;
  const int pixel = blockIdx.x * blockDim.x + threadIdx.x;
  const int plane = height * width;
  if (b < batch && pixel < plane) {
    const int i = pixel / width;
    const int j = pixel % width;
    const TransformGeometry g = transform_geometry(samples, b, height, width, out_height, out_width);
    // The preimage of (j, i) on the output canvas, and the half side of the box of candidates around it.
    const float ex = j - g.img_cx - g.tx;
    const float ey = i - g.img_cy - g.ty;
    const float cxo = g.out_cx + g.scale * (g.cos_t * ex + g.sin_t * ey);
    const float cyo = g.out_cy + g.scale * (-g.sin_t * ex + g.cos_t * ey);
    const float reach = g.scale * (fabsf(g.cos_t) + fabsf(g.sin_t)) * 1.001f + 0.01f;
    const int xlo = (int) fminf(fmaxf(ceilf(cxo - reach), 0.0f), (float) out_width);
    const int xhi = (int) fmaxf(fminf(floorf(cxo + reach), out_width - 1.0f), -1.0f);
    const int ylo = (int) fminf(fmaxf(ceilf(cyo - reach), 0.0f), (float) out_height);
    const int yhi = (int) fmaxf(fminf(floorf(cyo + reach), out_height - 1.0f), -1.0f);
    const size_t out_plane = (size_t) out_height * out_width;

    // The decorrelated stage mixes the 3 channels, which one chunk holds (C = 3 <= TRANSFORM_CHANNEL_CHUNK).
    for (int c0 = 0; c0 < channels; c0 += TRANSFORM_CHANNEL_CHUNK) {
      float acc[TRANSFORM_CHANNEL_CHUNK] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int yo = ylo; yo <= yhi; ++yo) {
        for (int xo = xlo; xo <= xhi; ++xo) {
          float x;
          float y;
          transform_locate(g, xo, yo, &x, &y);
          const float x0 = floorf(x);
          const float y0 = floorf(y);
          const float fx = x - x0;
          const float fy = y - y0;
          // Which of the point's neighbours (x0 or x0 + 1, y0 or y0 + 1) is (j, i), and its weight.
          const float wx = x0 == j ? 1.0f - fx : (x0 + 1.0f == j ? fx : 0.0f);
          const float wy = y0 == i ? 1.0f - fy : (y0 + 1.0f == i ? fy : 0.0f);
          const float w = wx * wy;
          if (w != 0.0f) {
            const size_t o = (size_t) yo * out_width + xo;
            for (int k = 0; k < TRANSFORM_CHANNEL_CHUNK && c0 + k < channels; ++k) {
              const int c = c0 + k;
              const float s = std[norm_channels == 1 ? 0 : c];  // divided, as the CPU does (no reciprocal)
              acc[k] += w * (grad_out[((size_t) b * channels + c) * out_plane + o] / s);
            }
          }
        }
      }
      // acc is now the gradient at the image; add grad_image, then back through the last stage.
      for (int k = 0; k < TRANSFORM_CHANNEL_CHUNK && c0 + k < channels; ++k) {
        const size_t at = ((size_t) b * channels + c0 + k) * plane + pixel;
        if (accumulate) acc[k] += grad_image[at];
        if (stage != TRANSFORM_STAGE_NONE) {
          const float s = image[at];
          acc[k] *= s * (1.0f - s);
        }
      }
      if (stage == TRANSFORM_STAGE_DECORRELATED) {
        const float g0 = acc[0];
        const float g1 = acc[1];
        const float g2 = acc[2];
        for (int k = 0; k < 3; ++k) acc[k] = cm.m[k] * g0 + cm.m[3 + k] * g1 + cm.m[6 + k] * g2;
      }
      for (int k = 0; k < TRANSFORM_CHANNEL_CHUNK && c0 + k < channels; ++k) {
        grad_pre[((size_t) b * channels + c0 + k) * plane + pixel] = acc[k];
      }
    }
  }
}
