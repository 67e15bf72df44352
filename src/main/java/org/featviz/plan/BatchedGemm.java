package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmDescriptor;

/**
 * Equal-shaped matrix products over broadcast batch dimensions, C[t] (+)= alpha op(A[t]) op(B[t])
 * for every batch index t, issued as few device library calls as the layout allows (through the
 * plan's {@link MixedPrecision}). Each operand has a stride in floats per batch dimension, 0 where
 * it is broadcast; the written operand C may be broadcast too (the gradient of a broadcast
 * operand), and then the products of the batch indices it is broadcast over are summed into it.
 *
 * <pre>
 * Batch dims [d0, ..., dr-1]; strides sA, sB, sC per dim (floats, 0 = broadcast)
 *   1. dims of size 1 are dropped; a dim merges into the one before it where sX[prev] = sX[cur] dcur for X = A, B, C
 *   2. C moves along some dims: the largest becomes one gemmStridedBatched call (cublasSgemmStridedBatched), the
 *      other dims are looped over, each iteration one call at its offsets
 *   3. beta is 0 on the first visit of each region of C (unless accumulating) and 1 on later ones, so products of
 *      indices that C is broadcast over add up
 *   4. C broadcast over the whole (one merged) batch, with op(A) = A^T, op(B) = B and both contiguous over it: the
 *      sum over t is one GEMM with K' = t K (the batch stacks along the reduction axis)
 * </pre>
 *
 * Same-batch MatMuls ([b, m, k] [b, k, n]) and a weight broadcast to a batch ([b, m, k] [k, n]) are
 * one call each.
 */
final class BatchedGemm {
  private final int[] dims;
  private final long[] aStrides;
  private final long[] bStrides;
  private final long[] cStrides;

  /**
   * @param dims the batch dims (any rank, sizes 0 or more)
   * @param aStrides, bStrides, cStrides each operand's stride in floats per batch dim (0 where
   *     broadcast)
   */
  BatchedGemm(int[] dims, long[] aStrides, long[] bStrides, long[] cStrides) {
    List<long[]> merged = new ArrayList<>(); // {dim, sA, sB, sC}
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 1) continue;
      long[] cur = {dims[i], aStrides[i], bStrides[i], cStrides[i]};
      long[] prev = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (prev != null
          && prev[1] == cur[1] * cur[0]
          && prev[2] == cur[2] * cur[0]
          && prev[3] == cur[3] * cur[0]) {
        prev[0] *= cur[0];
        prev[1] = cur[1];
        prev[2] = cur[2];
        prev[3] = cur[3];
      } else {
        merged.add(cur);
      }
    }
    int r = merged.size();
    this.dims = new int[r];
    this.aStrides = new long[r];
    this.bStrides = new long[r];
    this.cStrides = new long[r];
    for (int i = 0; i < r; i++) {
      long[] m = merged.get(i);
      this.dims[i] = Math.toIntExact(m[0]);
      this.aStrides[i] = m[1];
      this.bStrides[i] = m[2];
      this.cStrides[i] = m[3];
    }
  }

  /** The batch dims after dropping unit dims and merging (for tests and listings). */
  int[] mergedDims() {
    return dims.clone();
  }

  /** The library calls {@link #run} makes: 1 where the layout folds or batches completely. */
  long calls(GemmDescriptor d) {
    if (folds(d)) return 1;
    int inner = innerDim();
    long calls = 1;
    for (int i = 0; i < dims.length; i++) if (i != inner) calls *= dims[i];
    return calls;
  }

  /**
   * C (+)= alpha op(A) op(B) over the batch; {@code accumulate} false overwrites each region of C
   * on its first product, true adds every product to C's contents. Does nothing for an empty batch.
   */
  void run(
      MixedPrecision mixed,
      GemmDescriptor d,
      DeviceBuffer a,
      DeviceBuffer b,
      DeviceBuffer c,
      float alpha,
      boolean accumulate) {
    for (int dim : dims) if (dim == 0) return;
    if (folds(d)) {
      // sum_t A[t]^T B[t] = A'^T B' with A' [t K, M] and B' [t K, N]: the batch stacks along the
      // reduction axis.
      GemmDescriptor stacked =
          new GemmDescriptor(true, false, d.m(), d.n(), Math.multiplyExact(d.k(), dims[0]));
      mixed.gemm(stacked, a, 0, b, 0, c, 0, alpha, accumulate ? 1f : 0f);
      return;
    }
    int inner = innerDim();
    int[] index = new int[dims.length];
    while (true) {
      long aPos = 0;
      long bPos = 0;
      long cPos = 0;
      boolean revisit = false; // a region of C that an earlier iteration wrote
      for (int i = 0; i < dims.length; i++) {
        aPos += index[i] * aStrides[i];
        bPos += index[i] * bStrides[i];
        cPos += index[i] * cStrides[i];
        revisit |= cStrides[i] == 0 && index[i] > 0;
      }
      float beta = accumulate || revisit ? 1f : 0f;
      if (inner < 0) {
        mixed.gemm(d, a, aPos, b, bPos, c, cPos, alpha, beta);
      } else {
        GemmBatch batch =
            new GemmBatch(dims[inner], aStrides[inner], bStrides[inner], cStrides[inner]);
        mixed.gemmStridedBatched(d, batch, a, aPos, b, bPos, c, cPos, alpha, beta);
      }
      if (!advance(index, inner)) return;
    }
  }

  /**
   * Step 4 of the class comment: C broadcast over one merged dim, A^T B with both contiguous along
   * it.
   */
  private boolean folds(GemmDescriptor d) {
    return dims.length == 1
        && cStrides[0] == 0
        && d.transA()
        && !d.transB()
        && aStrides[0] == d.aCount()
        && bStrides[0] == d.bCount();
  }

  /** The largest dim along which C moves (the last of equals), or -1 where C moves along none. */
  private int innerDim() {
    int inner = -1;
    for (int i = 0; i < dims.length; i++) {
      if (cStrides[i] != 0 && (inner < 0 || dims[i] >= dims[inner])) inner = i;
    }
    return inner;
  }

  /** The next index in row-major order over every dim but {@code skip}; false after the last. */
  private boolean advance(int[] index, int skip) {
    for (int i = dims.length - 1; i >= 0; i--) {
      if (i == skip) continue;
      if (++index[i] < dims[i]) return true;
      index[i] = 0;
    }
    return false;
  }
}
