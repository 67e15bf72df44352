// The unit ablations of an analysis on the device (org.featviz.eval.AblationKernels, DeviceAblation): the
// network after an ablated layer runs on a batch of `sets` slices, slice j holding the chunk's n images with
// unit set j ablated; these kernels replace the ablated units in that batch and score each slice's class
// scores. Only the per-set counts and loss sums go back to the host, once per layer.
//
// Layouts: acts [sets * n, U, P] (slice j = rows j*n .. j*n+n-1; P = 1 for a dense layer); masks int[*, U],
// row set0 + j the mask of slice j (nonzero: ablated); replace float[U] (0, or the unit's dataset mean);
// scores [sets * n, C]; labels int[n] (the chunk's, the same for every slice).
//
// Kernels:
//   ablation_mask_units  acts[j*n + b, u, p] = replace[u] for every image b and position p where
//                        masks[(set0 + j) * U + u] != 0; the rest is left as it is (the caller copied the
//                        layer's activations into every slice). The CPU twin is Ablation.maskUnits. Grid
//                        (U, sets), blocks of any 1-D size striding over the slice's n * P values; a block
//                        whose unit is not ablated returns at once.
//   ablation_score       per slice j (block j of grid (sets)): for each image, the prediction (the first
//                        maximum of the scores, as eval.Evaluator.argmax: a NaN score never wins) and the
//                        cross-entropy loss log(sum_c exp(s_c - s_max)) + s_max - s_label in double; adds the
//                        number of correct predictions to correct[set0 + j] and the losses, one after
//                        another in image order, to loss[set0 + j] (double), as Ablation.score (the CPU
//                        twin) does, so the sums are the CPU's where the scores and exp/log are. A label
//                        outside 0..C-1 counts as wrong with a NaN loss (a Dataset's labels are class
//                        indices by construction). scratch: double[sets * n], the per-image losses. A 1-D block of a multiple
//                        of 32 threads (at most 1024).
// No dynamic shared memory. Every thread of a block reaches every barrier.

#include "common.cuh"

extern "C" __global__ void ablation_mask_units(float* __restrict__ acts, const int* __restrict__ masks,
                                               const float* __restrict__ replace, int n, int units,
                                               int positions, int set0) {
  const int u = blockIdx.x;
  const int j = blockIdx.y;
  if (masks[(long long) (set0 + j) * units + u] == 0) return;
  const float v = replace[u];
  const long long per_slice = (long long) n * positions;
  float* slice = acts + (long long) j * n * units * positions;
  for (long long e = threadIdx.x; e < per_slice; e += blockDim.x) {
    const long long b = e / positions;
    const long long p = e - b * positions;
    slice[(b * units + u) * positions + p] = v;
  }
}

extern "C" __global__ void ablation_score(const float* __restrict__ scores, const int* __restrict__ labels,
                                          int* __restrict__ correct, double* __restrict__ loss,
                                          double* __restrict__ scratch, int n, int classes, int set0) {
  __shared__ int hits_scratch[32];
  const int j = blockIdx.x;
  const float* slice = scores + (long long) j * n * classes;
  double* losses = scratch + (long long) j * n;
  int hits = 0;
  for (int b = block_thread(); b < n; b += blockDim.x * blockDim.y) {
    const float* row = slice + (long long) b * classes;
    int best = 0;
    for (int c = 1; c < classes; ++c)
      if (row[c] > row[best]) best = c;
    const double max = row[best];
    double sum = 0.0;
    for (int c = 0; c < classes; ++c) sum += exp((double) row[c] - max);
    const int label = labels[b];
    const bool known = label >= 0 && label < classes;
    losses[b] = known ? log(sum) + max - (double) row[label] : (double) quiet_nan();
    hits += known && best == label ? 1 : 0;
  }
  hits = block_sum(hits, hits_scratch);  // its barriers also make every image's loss visible to thread 0
  if (block_thread() == 0) {
    double total = loss[set0 + j];
    for (int b = 0; b < n; ++b) total += losses[b];
    loss[set0 + j] = total;
    correct[set0 + j] += hits;
  }
}
