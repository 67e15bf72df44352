// The random augmentation and input normalization of the visualization step, fused: one affine bilinear
// resampling per image (pad, jitter, scale, rotate, jitter, composed), then (x - mean[c]) / std[c].
// Shape legend: B batch, C channels, H x W the image, Ho x Wo the network's input canvas; image and
// grad_image [B, C, H, W], out and grad_out [B, C, Ho, Wo]; samples float[B, 4] holding each image's
// TransformSample (scale, angle in degrees, tx, ty); mean and std float[N] with N = 1 (one value for
// every channel) or N = C. CPU twins: org.featviz.param.Transforms (forward, backward) and
// org.featviz.model.InputNormalization (apply, backward); docs/parameterizations.md has the mapping:
//
//   p_img = c_img + R(theta) (p_out - c_out) / scale + t,   c = ((W - 1) / 2, (H - 1) / 2) of each canvas
//   out[c, yo, xo] = (sum over the 4 bilinear neighbours (i, j) of p_img of w_ij E[c, i, j] - mean) / std
//   E = the image inside it, pad_value in the ring of width pad around it, 0 beyond.
//
// transform_forward: image -> normalized network input.
// Launch: grid (X, B) with X * blockDim.x >= Ho * Wo, any 1-D block: one thread per output pixel, all
// channels.
//
// transform_backward: grad_out (at the network input) -> grad_image: divide by std[c], then the exact
// adjoint of the resampling; fill values (pad ring, zero region) are constants and take no gradient.
// accumulate = 0 overwrites grad_image, 1 adds to it. GATHER formulation: one thread per image pixel
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

// The extended image E at (i, j) for one channel plane: image, pad ring or zero region.
__device__ __forceinline__ float transform_extended(const float* __restrict__ plane, int i, int j, int height,
                                                    int width, int pad, float pad_value) {
  if (i >= 0 && i < height && j >= 0 && j < width) return plane[(size_t) i * width + j];
  if (i >= -pad && i < height + pad && j >= -pad && j < width + pad) return pad_value;
  return 0.0f;
}

#define TRANSFORM_CHANNEL_CHUNK 4  // gradient accumulators per thread in transform_backward

}  // namespace

extern "C" __global__ void transform_forward(const float* __restrict__ image, const float* __restrict__ samples,
                                             const float* __restrict__ mean, const float* __restrict__ std,
                                             float* __restrict__ out, int batch, int channels, int height,
                                             int width, int out_height, int out_width, int pad,
                                             float pad_value, int norm_channels) {
  const int b = blockIdx.y;
  const int o = blockIdx.x * blockDim.x + threadIdx.x;
  const int out_plane = out_height * out_width;
  if (b < batch && o < out_plane) {
    const TransformGeometry g = transform_geometry(samples, b, height, width, out_height, out_width);
    float x;
    float y;
    transform_locate(g, o % out_width, o / out_width, &x, &y);
    const int x0 = transform_floor(x, -pad - 2, width + pad + 1);
    const int y0 = transform_floor(y, -pad - 2, height + pad + 1);
    const float fx = x - floorf(x);
    const float fy = y - floorf(y);
    const size_t plane = (size_t) height * width;
    for (int c = 0; c < channels; ++c) {
      const float* src = image + ((size_t) b * channels + c) * plane;
      const float sum = (1.0f - fy) * ((1.0f - fx) * transform_extended(src, y0, x0, height, width, pad, pad_value)
                                       + fx * transform_extended(src, y0, x0 + 1, height, width, pad, pad_value))
                        + fy * ((1.0f - fx) * transform_extended(src, y0 + 1, x0, height, width, pad, pad_value)
                                + fx * transform_extended(src, y0 + 1, x0 + 1, height, width, pad, pad_value));
      const int n = norm_channels == 1 ? 0 : c;
      out[((size_t) b * channels + c) * out_plane + o] = (sum - mean[n]) / std[n];
    }
  }
}

extern "C" __global__ void transform_backward(const float* __restrict__ grad_out, const float* __restrict__ samples,
                                              const float* __restrict__ std, float* __restrict__ grad_image,
                                              int batch, int channels, int height, int width, int out_height,
                                              int out_width, int norm_channels, int accumulate) {
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
      for (int k = 0; k < TRANSFORM_CHANNEL_CHUNK && c0 + k < channels; ++k) {
        const size_t dst = ((size_t) b * channels + c0 + k) * plane + pixel;
        grad_image[dst] = accumulate ? grad_image[dst] + acc[k] : acc[k];
      }
    }
  }
}
