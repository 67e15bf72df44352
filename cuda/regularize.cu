// The image regularizers of the visualization step, fused over the whole batch: total variation, L1
// toward a center and the blur penalty, each a penalty on the image itself (not on activations).
// Shape legend: B batch, C channels, H x W the image; image and grad are [B, C, H, W] row-major
// (per sample [C, H, W], channel-major, as org.featviz.objective.ImageRegularizers reads one image);
// mask is int[B]; l1 is float[K, 3]. M = C * H * W, the pixels of one image.
// CPU twin: org.featviz.objective.ImageRegularizers (docs/objectives.md, "Image regularizers").
//
// regularize_image: for every sample b with mask[b] != 0 (the samples the renderer updates this step)
// and every pixel i of it, SUBTRACTS the regularizers' penalty gradients from grad (each regularizer's
// value is -weight/M * penalty, so grad[i] += d value / d x_i = -weight/M d penalty / d x_i):
//     tv:   tv_scale * k_i, k_i = sum over the right/down neighbour pairs (i, j) containing i of
//           sign(x_i - x_j) (pairs per channel; no pair crosses the image border)
//     l1:   for each term t of l1 [scale_t, pos_min_t, neg_max_t]: scale_t * sign(x_i - center_t), where
//           sign is +1 for x_i >= pos_min_t, -1 for x_i <= neg_max_t, else 0. The host passes the float
//           bounds of the double center (the smallest float above it, the largest below), so the sign is
//           the CPU's sign of (double) x - center exactly, also for a center no float can hold.
//     blur: blur_scale * ((I - B)^T r)_i with r = x - B x, B the per-channel 3x3 box blur that averages
//           the in-bounds neighbours of each pixel (tap(o) = 1 / (rows(o) * cols(o)), the in-bounds rows
//           and columns of o's 3x3 window). B's window is symmetric, so (B^T r)_i = sum over the in-bounds
//           o of i's 3x3 window of tap(o) r_o.
// tv_scale = (sum of the tv weights) / M and blur_scale = (sum of the blur weights) / M: a sum of
// regularizers of one kind is one term (they are linear in the weight). Samples with mask 0 are not
// touched. A NaN pixel gives NaN gradients (Java's signum(NaN) is NaN). Each grad element is written by
// exactly one thread: no atomics.
// Launch: grid (tiles_x * tiles_y, C, B) with tiles_x = ceil(W / 16), tiles_y = ceil(H / 16); block
// (16, 16); no dynamic shared memory. Block (tile, c, b) handles the 16 x 16 pixels of its tile of
// channel c of sample b: it loads the tile with a halo of 2 into shared memory (blur's gradient reads r
// one pixel around, and r reads x one pixel around that), computes r and tap * r on the tile with a halo
// of 1, then each thread its pixel's gradient. Every thread reaches both barriers (no early returns).

#define REG_TILE 16
#define REG_HALO 2
#define REG_XS (REG_TILE + 2 * REG_HALO)  // 20: the tile of x with a halo of 2
#define REG_RS (REG_TILE + 2)             // 18: the tile of r with a halo of 1

namespace {

// Java's Math.signum for a difference of floats: -1, 0 or 1; NaN stays NaN. The difference of two finite
// floats is zero only when they are equal, and has their order's sign, so this is the CPU's sign of the
// same difference taken in double.
static __device__ __forceinline__ float reg_signum(float d) {
  return d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : d);
}

// The 3x3 box blur's weight for output pixel (y, x): 1 / (in-bounds rows * in-bounds columns).
static __device__ __forceinline__ float reg_tap(int y, int x, int height, int width) {
  const int rows = min(y + 1, height - 1) - max(y - 1, 0) + 1;
  const int cols = min(x + 1, width - 1) - max(x - 1, 0) + 1;
  return 1.0f / (float) (rows * cols);
}

}  // namespace

extern "C" __global__ void regularize_image(const float* __restrict__ image, float* __restrict__ grad,
                                            const int* __restrict__ mask, const float* __restrict__ l1,
                                            int l1_count, int batch, int channels, int height, int width,
                                            int tiles_x, float tv_scale, float blur_scale) {
  __shared__ float xs[REG_XS][REG_XS];
  __shared__ float rs[REG_RS][REG_RS];  // r = x - B x
  __shared__ float qs[REG_RS][REG_RS];  // tap(o) r_o, 0 outside the image
  const int b = blockIdx.z;
  const int c = blockIdx.y;
  const bool live = b < batch && c < channels && mask[b] != 0;
  const int y0 = (blockIdx.x / tiles_x) * REG_TILE;
  const int x0 = (blockIdx.x % tiles_x) * REG_TILE;
  const int tid = threadIdx.y * blockDim.x + threadIdx.x;
  const int threads = blockDim.x * blockDim.y;
  const size_t plane = (size_t) height * width;
  const size_t base = ((size_t) b * channels + c) * plane;

  // x on the tile with a halo of 2; 0 outside the image (never read as a pixel: every use checks bounds).
  if (live) {
    for (int i = tid; i < REG_XS * REG_XS; i += threads) {
      const int y = y0 - REG_HALO + i / REG_XS;
      const int x = x0 - REG_HALO + i % REG_XS;
      const bool inside = y >= 0 && y < height && x >= 0 && x < width;
      xs[i / REG_XS][i % REG_XS] = inside ? image[base + (size_t) y * width + x] : 0.0f;
    }
  }
  __syncthreads();  // r reads the neighbours' x

  if (live && blur_scale != 0.0f) {
    for (int i = tid; i < REG_RS * REG_RS; i += threads) {
      const int ly = i / REG_RS;
      const int lx = i % REG_RS;
      const int y = y0 - 1 + ly;
      const int x = x0 - 1 + lx;
      float r = 0.0f;
      float q = 0.0f;
      if (y >= 0 && y < height && x >= 0 && x < width) {
        // r = x_o - tap sum_in x_in = tap sum_in (x_o - x_in) (tap is 1 / the number of taps). The second form
        // sums small differences, exact for neighbours within a factor 2 of each other, where the first
        // would subtract two values near 0.5 and lose the few bits r has on a smooth image.
        const float own = xs[ly + 1][lx + 1];
        float sum = 0.0f;
        for (int yy = max(y - 1, 0); yy <= min(y + 1, height - 1); ++yy) {
          for (int xx = max(x - 1, 0); xx <= min(x + 1, width - 1); ++xx) {
            sum += own - xs[yy - y0 + REG_HALO][xx - x0 + REG_HALO];
          }
        }
        const float tap = reg_tap(y, x, height, width);
        r = tap * sum;
        q = tap * r;
      }
      rs[ly][lx] = r;
      qs[ly][lx] = q;
    }
  }
  __syncthreads();  // the gradient reads the neighbours' r

  const int y = y0 + threadIdx.y;
  const int x = x0 + threadIdx.x;
  if (live && threadIdx.x < REG_TILE && threadIdx.y < REG_TILE && y < height && x < width) {
    const int sy = threadIdx.y + REG_HALO;
    const int sx = threadIdx.x + REG_HALO;
    const float v = xs[sy][sx];
    const size_t k = base + (size_t) y * width + x;
    float g = grad[k];
    if (tv_scale != 0.0f) {
      float pairs = 0.0f;
      if (x > 0) pairs += reg_signum(v - xs[sy][sx - 1]);
      if (y > 0) pairs += reg_signum(v - xs[sy - 1][sx]);
      if (x + 1 < width) pairs -= reg_signum(xs[sy][sx + 1] - v);
      if (y + 1 < height) pairs -= reg_signum(xs[sy + 1][sx] - v);
      g -= tv_scale * pairs;
    }
    for (int t = 0; t < l1_count; ++t) {
      const float scale = l1[3 * t];
      const float sign = v >= l1[3 * t + 1] ? 1.0f : (v <= l1[3 * t + 2] ? -1.0f : (v == v ? 0.0f : v));
      g -= scale * sign;
    }
    if (blur_scale != 0.0f) {
      float back = 0.0f;  // (B^T r)_i: qs is 0 outside the image
      for (int dy = 0; dy < 3; ++dy) {
        for (int dx = 0; dx < 3; ++dx) back += qs[threadIdx.y + dy][threadIdx.x + dx];
      }
      g -= blur_scale * (rs[threadIdx.y + 1][threadIdx.x + 1] - back);
    }
    grad[k] = g;
  }
}
