package org.featviz.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MatrixProduct's two paths, OpenBLAS's and the Java loop, against a float64 triple loop on random
 * blocks of larger matrices (offsets and leading dimensions), above and below the size where
 * OpenBLAS takes over.
 */
class MatrixProductTest {
  @Test
  void bothPathsMatchAFloat64ProductOnBlocksOfLargerMatrices() {
    if ("true".equals(System.getenv("CI"))) assertTrue(Blas.available(), Blas.unavailableReason());
    assumeTrue(Blas.available(), Blas.unavailableReason());
    long seed = new Random().nextLong();
    Random rng = new Random(seed);
    int[][] sizes = {{1, 2048, 64}, {100, 300, 70}, {37, 41, 43}, {5, 7, 3}, {64, 9, 784}};
    for (int[] s : sizes) {
      for (boolean reference : new boolean[] {false, true}) {
        int m = s[0];
        int k = s[1];
        int n = s[2];
        int lda = k + rng.nextInt(3);
        int ldb = n + rng.nextInt(3);
        int ldc = n + rng.nextInt(3);
        int aOff = rng.nextInt(5);
        int bOff = rng.nextInt(5);
        int cOff = rng.nextInt(5);
        float[] a = fill(rng, aOff + m * lda);
        float[] b = fill(rng, bOff + k * ldb);
        float[] c = fill(rng, cOff + m * ldc + 3);
        double[] expected = new double[c.length];
        for (int i = 0; i < c.length; i++) expected[i] = c[i];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int p = 0; p < k; p++)
              sum += (double) a[aOff + i * lda + p] * b[bOff + p * ldb + j];
            expected[cOff + i * ldc + j] += sum;
          }
        }
        try {
          CpuKernels.useReference(reference);
          MatrixProduct.multiplyAdd(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, k, n);
        } finally {
          CpuKernels.useReference(false);
        }
        String what =
            String.format("seed %d, %d x %d x %d, %s", seed, m, k, n, reference ? "Java" : "fast");
        for (int i = 0; i < c.length; i++) {
          double tol = 1e-5 * Math.sqrt(k) + 1e-6 * Math.abs(expected[i]);
          assertTrue(
              Math.abs(c[i] - expected[i]) <= tol,
              what + ": element " + i + " is " + c[i] + ", expected " + expected[i]);
        }
      }
    }
  }

  private static float[] fill(Random rng, int length) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) v[i] = rng.nextFloat() * 2 - 1;
    return v;
  }
}
