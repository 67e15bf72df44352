package org.featviz.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@link MatrixProduct#multiplyAdd} on OpenBLAS: B copied once to native memory, then blocks of
 * rows of C in parallel tasks, each copying its rows of A and C in, multiplying with beta = 1, and
 * copying C back.
 */
final class BlasProduct {
  /** Rows of C per task at the least: fewer make the copies of B's use too dear. */
  private static final int MIN_ROWS = 8;

  private BlasProduct() {}

  static void multiplyAdd(
      float[] a,
      int aOffset,
      int lda,
      float[] b,
      int bOffset,
      int ldb,
      float[] c,
      int cOffset,
      int ldc,
      int m,
      int k,
      int n) {
    int cores = Runtime.getRuntime().availableProcessors();
    int tasks = Math.max(1, Math.min(2 * cores, m / MIN_ROWS));
    try (FloatPointer bN = new FloatPointer((long) k * n)) {
      FloatBuffer bView = bN.asBuffer();
      for (int p = 0; p < k; p++) bView.put(p * n, b, bOffset + p * ldb, n);
      Parallel.range(
          tasks,
          (long) m * k * n / tasks,
          task -> {
            int i0 = (int) ((long) m * task / tasks);
            int i1 = (int) ((long) m * (task + 1) / tasks);
            int rows = i1 - i0;
            NativeScratch scratch = NativeScratch.get();
            FloatPointer aN = scratch.buffer(0, (long) rows * k);
            FloatPointer cN = scratch.buffer(1, (long) rows * n);
            FloatBuffer aView = scratch.view(0);
            FloatBuffer cView = scratch.view(1);
            for (int i = 0; i < rows; i++) {
              aView.put(i * k, a, aOffset + (i0 + i) * lda, k);
              cView.put(i * n, c, cOffset + (i0 + i) * ldc, n);
            }
            Blas.sgemm(false, false, rows, n, k, 1f, aN, 0, k, bN, 0, n, 1f, cN, 0, n);
            for (int i = 0; i < rows; i++) cView.get(i * n, c, cOffset + (i0 + i) * ldc, n);
          });
    }
  }
}
