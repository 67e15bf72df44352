// The dataset passes of a unit analysis on the device (org.featviz.eval.DatasetKernels, DeviceUnitResponses):
// per chunk of images the forward's activations of a layer become unit means, and from those every unit's
// per-class sums, its sum over the images, its top-k images and, for a visualization's value, the number of
// images whose response is below it. Only those small results go back to the host.
//
// Layouts: acts [N, U, P] (P = 1 for a dense layer); means [images, U], image-major, so that the per-unit
// threads of one image read adjacent floats. row0 is the global index of the chunk's first image.
//
// Kernels:
//   dataset_unit_means   means[(row0 + b) * U + u] = (1/P) sum_p acts[b, u, p], summed in double in position
//                        order and rounded once to float, as org.featviz.eval.UnitResponses.unitMeans does.
//                        One thread per (b, u): any 1-D grid and block covering N * U.
//   dataset_class_sums   for the chunk's images in index order: sums[u * K + label] += mean and
//                        totals[u] += mean (doubles), and counts[label] += 1 (thread u = 0 only); a label
//                        outside 0..K-1 adds nothing and counts in counts[K], so the caller can refuse it.
//                        The order of the additions is the CPU's (UnitResponses.classMeans), so the sums are
//                        its bits. One thread per unit: any 1-D grid and block covering U.
//   dataset_topk_update  merges the chunk's images into each unit's top-k list (values float[U, k], images
//                        int[U, k], most first; image -1 marks an empty slot). The order is
//                        UnitResponses.topImages's: larger value first (NaN above every number, as
//                        Float.compare ranks it), ties (==, so -0 ties +0; NaN ties NaN) to the lower image
//                        index. Images arrive in index order, so a new image never wins a tie. One thread per
//                        unit: any 1-D grid and block covering U.
//   dataset_count_below  counts[q] = the number of the images whose mean of unit query_units[q] is below
//                        query_values[q] (<: NaN is below nothing, nothing is below NaN); -1 for a unit out of
//                        range. Grid (Q), a 1-D block of a multiple of 32 threads (at most 1024) striding over
//                        the images, summed with a block reduction.
// No dynamic shared memory. Every thread of a block reaches every barrier.

#include "common.cuh"

extern "C" __global__ void dataset_unit_means(const float* __restrict__ acts, float* __restrict__ means, int n,
                                              int units, int positions, int row0) {
  const long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= (long long) n * units) return;
  const float* row = acts + i * positions;
  double sum = 0.0;
  for (int p = 0; p < positions; ++p) sum += row[p];
  means[(long long) row0 * units + i] = (float) (sum / positions);
}

extern "C" __global__ void dataset_class_sums(const float* __restrict__ means, const int* __restrict__ labels,
                                              double* __restrict__ sums, double* __restrict__ totals,
                                              int* __restrict__ counts, int n, int units, int classes,
                                              int row0) {
  const int u = blockIdx.x * blockDim.x + threadIdx.x;
  if (u >= units) return;
  const float* chunk = means + (long long) row0 * units;
  double total = totals[u];
  for (int b = 0; b < n; ++b) {
    const int c = labels[b];
    const float v = chunk[(long long) b * units + u];
    total += v;
    if (c >= 0 && c < classes) {
      sums[(long long) u * classes + c] += v;
      if (u == 0) counts[c] += 1;
    } else if (u == 0) {
      counts[classes] += 1;
    }
  }
  totals[u] = total;
}

namespace {

// Whether (v, i) ranks before (w, j): the larger value, NaN above every number, ties to the lower index.
static __device__ __forceinline__ bool ranks_before(float v, int i, float w, int j) {
  const bool vn = isnan(v);
  const bool wn = isnan(w);
  if (vn || wn) return vn && wn ? i < j : vn;
  if (v != w) return v > w;
  return i < j;
}

}  // namespace

extern "C" __global__ void dataset_topk_update(const float* __restrict__ means, float* __restrict__ top_values,
                                               int* __restrict__ top_images, int n, int units, int k, int row0) {
  const int u = blockIdx.x * blockDim.x + threadIdx.x;
  if (u >= units) return;
  const float* chunk = means + (long long) row0 * units;
  float* values = top_values + (long long) u * k;
  int* images = top_images + (long long) u * k;
  for (int b = 0; b < n; ++b) {
    const float v = chunk[(long long) b * units + u];
    const int image = row0 + b;
    const bool full = images[k - 1] >= 0;
    if (full && !ranks_before(v, image, values[k - 1], images[k - 1])) continue;
    // Shift the entries it ranks before one slot down, then insert (the last entry falls off when full).
    int slot = k - 1;
    while (slot > 0 && (images[slot - 1] < 0 || ranks_before(v, image, values[slot - 1], images[slot - 1]))) {
      values[slot] = values[slot - 1];
      images[slot] = images[slot - 1];
      --slot;
    }
    values[slot] = v;
    images[slot] = image;
  }
}

extern "C" __global__ void dataset_count_below(const float* __restrict__ means, const int* __restrict__ query_units,
                                               const float* __restrict__ query_values, int* __restrict__ counts,
                                               int images, int units, int queries) {
  __shared__ int scratch[32];
  const int q = blockIdx.x;
  const int u = q < queries ? query_units[q] : -1;
  const bool valid = u >= 0 && u < units;
  const float value = q < queries ? query_values[q] : 0.0f;
  int below = 0;
  if (valid) {
    for (int i = block_thread(); i < images; i += blockDim.x * blockDim.y) {
      below += means[(long long) i * units + u] < value ? 1 : 0;
    }
  }
  below = block_sum(below, scratch);
  if (block_thread() == 0 && q < queries) counts[q] = valid ? below : -1;
}
