// The small bookkeeping kernels of the device render loop (org.featviz.render.gpu.DeviceRenderer), beside
// the parameterization, transform, objective and Adam kernels: per-sample flags that say whether anything
// is left of a gradient, and moving the gradient seeds of chosen samples from one buffer to another.
// Shape legend: B batch, N values per sample; x, a, src and dst are [B, N] row-major; flags, mask, keep,
// begin and count int[B]; sample b's range is [begin[b], begin[b] + count[b]) of its N values.
// CPU twin: the host loops of org.featviz.render.Renderer (blockedByRelu, redirect, and the all-zero check
// of the input gradient that marks a unit DEAD); the range kernels are the same loops over one target unit's
// slice of each sample.
//
//   render_sample_any:   flags[b] = 1 if some i has x[b, i] != 0 and, with positive_only, a[b, i] > 0;
//                        else 0. NaN counts as nonzero, as Java's != has it. With positive_only = 0, a is
//                        not read (pass x again). The renderer uses it on a ReLU layer's gradient seed with
//                        the ReLU's output as a (does any seeded element pass the ReLU?), on a seed alone,
//                        and on the network input's gradient (is it all zero?).
//                        Launch: grid (B), a 1-D block of a multiple of 32 threads (at most 1024), no
//                        dynamic shared memory. Every thread reaches the one barrier.
//   render_move_samples: for every b with mask[b] != 0: dst[b, i] += src[b, i], then src[b, i] = 0
//                        (src and dst distinct buffers); samples with mask 0 are not touched. Moves the
//                        seeds of redirected samples from a ReLU's output to its input, and adds a
//                        scratch gradient into a seed for the samples of one objective term.
//                        Launch: grid (X, B) with any X >= 1, any 1-D block; a grid-stride loop covers N.
//   render_range_any:    render_sample_any over one range per sample: flags[b] = 1 if some i in sample b's
//                        range has x[b, i] != 0 and, with positive_only, a[b, i] > 0; else 0 (an empty
//                        range gives 0). Ranges are clipped to [0, N). The renderer uses it on a ReLU
//                        layer's seed with the ReLU's output as a, over each sample's target unit (does any
//                        seeded element of the target's own unit pass the ReLU?).
//                        Launch: grid (B), a 1-D block of a multiple of 32 threads (at most 1024), no
//                        dynamic shared memory. Every thread reaches the one barrier.
//   render_move_ranges:  for every b with keep[b] == 0: dst[b, i] += src[b, i], then src[b, i] = 0 for
//                        every i of sample b's range (clipped to [0, N)); nothing else is touched (src and
//                        dst distinct buffers). With render_range_any's flags as keep, moves the seed of
//                        each blocked target unit from a ReLU's output to its input.
//                        Launch: grid (X, B) with any X >= 1, any 1-D block; a grid-stride loop covers the
//                        longest range.

#include "common.cuh"

// flags[b] = 1 if some i in [lo, hi) has x[b, i] != 0 and, with positive_only, a[b, i] > 0; else 0 (nothing is
// written where the block's sample b is not live). Every thread of the block calls it.
static __device__ void render_any_in(const float* __restrict__ x, const float* __restrict__ a, int* __restrict__ flags,
                                     int b, bool live, int per, int lo, int hi, int positive_only) {
  __shared__ int warp_found[32];
  int found = 0;
  if (live) {
    const size_t base = (size_t) b * per;
    for (int i = lo + threadIdx.x; i < hi && !found; i += blockDim.x) {
      if (x[base + i] != 0.0f && (positive_only == 0 || a[base + i] > 0.0f)) found = 1;
    }
  }
  const int any = block_any_to_first(found, warp_found);
  if (threadIdx.x == 0 && live) flags[b] = any;
}

// dst[b, i] += src[b, i], then src[b, i] = 0, for every i in [lo, hi) of sample b: a grid-stride loop along x.
static __device__ __forceinline__ void render_move(float* __restrict__ src, float* __restrict__ dst, int b, int per,
                                                   int lo, int hi) {
  const size_t base = (size_t) b * per;
  for (int i = lo + blockIdx.x * blockDim.x + threadIdx.x; i < hi; i += gridDim.x * blockDim.x) {
    dst[base + i] += src[base + i];
    src[base + i] = 0.0f;
  }
}

// Sample b's range [lo, hi) clipped to [0, per).
static __device__ __forceinline__ void render_range(const int* begin, const int* count, int b, int per, int* lo,
                                                    int* hi) {
  const int first = max(begin[b], 0);
  *lo = min(first, per);
  *hi = (int) min((long long) begin[b] + max(count[b], 0), (long long) per);
  if (*hi < *lo) *hi = *lo;
}

extern "C" __global__ void render_sample_any(const float* __restrict__ x, const float* __restrict__ a,
                                             int* __restrict__ flags, int batch, int per, int positive_only) {
  const int b = blockIdx.x;
  render_any_in(x, a, flags, b, b < batch, per, 0, per, positive_only);
}

extern "C" __global__ void render_move_samples(float* __restrict__ src, float* __restrict__ dst,
                                               const int* __restrict__ mask, int batch, int per) {
  const int b = blockIdx.y;
  if (b < batch && mask[b] != 0) render_move(src, dst, b, per, 0, per);
}

extern "C" __global__ void render_range_any(const float* __restrict__ x, const float* __restrict__ a,
                                            const int* __restrict__ begin, const int* __restrict__ count,
                                            int* __restrict__ flags, int batch, int per, int positive_only) {
  const int b = blockIdx.x;
  const bool live = b < batch;
  int lo = 0;
  int hi = 0;
  if (live) render_range(begin, count, b, per, &lo, &hi);
  render_any_in(x, a, flags, b, live, per, lo, hi, positive_only);
}

extern "C" __global__ void render_move_ranges(float* __restrict__ src, float* __restrict__ dst,
                                              const int* __restrict__ begin, const int* __restrict__ count,
                                              const int* __restrict__ keep, int batch, int per) {
  const int b = blockIdx.y;
  if (b < batch && keep[b] == 0) {
    int lo, hi;
    render_range(begin, count, b, per, &lo, &hi);
    render_move(src, dst, b, per, lo, hi);
  }
}
