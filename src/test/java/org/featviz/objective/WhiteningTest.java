package org.featviz.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;

/** The Jacobi eigen-solver and the ZCA whitening built on it. */
class WhiteningTest {
  @Test
  void jacobiOnAKnownMatrix() {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1) / sqrt 2 and (1, 1) / sqrt
    // 2
    SymmetricEigen e = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}});
    double[] values = e.values();
    Arrays.sort(values);
    assertEquals(1, values[0], 1e-14);
    assertEquals(3, values[1], 1e-14);
    SymmetricEigen diagonal = SymmetricEigen.of(new double[][] {{5, 0}, {0, -2}});
    assertEquals(5, diagonal.values()[0], 0);
    assertEquals(-2, diagonal.values()[1], 0);
  }

  @Test
  void jacobiReconstructsARandomSymmetricMatrix() {
    Random rng = new Random(51);
    int n = 7;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        a[i][j] = rng.nextGaussian();
        a[j][i] = a[i][j];
      }
    }
    SymmetricEigen e = SymmetricEigen.of(a);
    double[] lambda = e.values();
    double[][] v = e.vectors();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double vtv = 0; // (V^T V)[i][j]
        double rebuilt = 0; // (V diag(lambda) V^T)[i][j]
        for (int k = 0; k < n; k++) {
          vtv += v[k][i] * v[k][j];
          rebuilt += v[i][k] * lambda[k] * v[j][k];
        }
        assertEquals(i == j ? 1 : 0, vtv, 1e-12, "V^T V at " + i + "," + j);
        assertEquals(a[i][j], rebuilt, 1e-12, "V diag V^T at " + i + "," + j);
      }
    }
  }

  @Test
  void whitenedSamplesHaveIdentityCovariance() {
    Random rng = new Random(52);
    int n = 2000;
    int units = 5;
    double[][] mix = new double[units][units];
    for (double[] row : mix) for (int j = 0; j < units; j++) row[j] = rng.nextGaussian();
    float[][] samples = new float[n][units];
    for (float[] s : samples) {
      double[] g = new double[units];
      for (int j = 0; j < units; j++) g[j] = rng.nextGaussian();
      for (int i = 0; i < units; i++) {
        double x = 3 + i; // a nonzero mean
        for (int j = 0; j < units; j++) x += mix[i][j] * g[j];
        s[i] = (float) x;
      }
    }
    Whitening w = Whitening.estimate(samples);
    double[][] m = w.matrix();
    for (int i = 0; i < units; i++) {
      for (int j = 0; j < units; j++) assertEquals(m[i][j], m[j][i], 1e-9, "W is symmetric");
    }
    double[][] z = new double[n][units];
    double[] a = new double[units];
    for (int s = 0; s < n; s++) {
      for (int u = 0; u < units; u++) a[u] = samples[s][u];
      w.whiten(a, z[s]);
    }
    for (int i = 0; i < units; i++) {
      double mean = 0;
      for (double[] zs : z) mean += zs[i];
      assertEquals(0, mean / n, 1e-4, "whitened mean of unit " + i);
      for (int j = 0; j < units; j++) {
        double cov = 0;
        for (double[] zs : z) cov += zs[i] * zs[j];
        assertEquals(i == j ? 1 : 0, cov / (n - 1), 1e-3, "whitened covariance at " + i + "," + j);
      }
    }
  }

  @Test
  void convActivationsGiveOneSamplePerPosition() {
    Random rng = new Random(53);
    Shape batch = Shape.of(2, 3, 2, 2); // N C H W
    float[] data = ObjectiveTesting.uniform(batch.size(), rng, -1, 1);
    float[][] samples = new float[8][3];
    for (int b = 0; b < 2; b++) {
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 4; p++) samples[b * 4 + p][c] = data[(b * 3 + c) * 4 + p];
      }
    }
    Whitening fromConv = Whitening.fromActivations(data, batch);
    Whitening direct = Whitening.estimate(samples);
    for (int u = 0; u < 3; u++) assertEquals(direct.mean()[u], fromConv.mean()[u], 0);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) assertEquals(direct.matrix()[i][j], fromConv.matrix()[i][j], 0);
    }
  }

  @Test
  void badSamples() {
    assertThrows(ModelException.class, () -> Whitening.estimate(new float[][] {{1, 2}}));
    assertThrows(ModelException.class, () -> Whitening.estimate(new float[][] {{1, 2}, {1, 2}}));
    assertThrows(ModelException.class, () -> Whitening.estimate(new float[][] {{1, 2}, {1}}));
    assertThrows(
        ModelException.class, () -> Whitening.estimate(new float[][] {{1, Float.NaN}, {1, 2}}));
  }
}
