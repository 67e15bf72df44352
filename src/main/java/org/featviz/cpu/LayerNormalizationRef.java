package org.featviz.cpu;

import org.featviz.ops.LayerNormalizationSpec;

/**
 * LayerNormalization over the rows of X seen as [R, N] ({@link LayerNormalizationSpec.Layout}),
 * statistics in double by two passes (the mean, then the squares about it):
 *
 * <pre>
 * mean = sum_i x_i / N, var = sum_i (x_i - mean)^2 / N, inv = 1 / sqrt(var + epsilon)
 * xhat_i = (x_i - mean) inv, y_i = xhat_i scale_i + B_i; outputs Mean = mean, InvStdDev = inv
 * </pre>
 *
 * Backward, per row with g_i = dy_i scale_i and the gradients dmean, dinv reaching Mean and
 * InvStdDev: dx_i = inv (g_i - mean(g) - xhat_i mean(g xhat)) + dmean / N - dinv inv^2 xhat_i / N;
 * over the rows dscale_i = sum dy_i xhat_i and dB_i = sum dy_i. Featviz needs only dx (Scale and B
 * are frozen weights); the others keep the gradient check complete.
 */
final class LayerNormalizationRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    LayerNormalizationSpec.Layout g = LayerNormalizationSpec.layout(c.context());
    double eps = LayerNormalizationSpec.epsilon(c.context());
    float[] x = c.in(0).data();
    float[] scale = c.in(1).data();
    float[] bias = c.hasInput(2) ? c.in(2).data() : null;
    float[] y = c.out(0).data();
    float[] meanOut = c.outputCount() > 1 && c.out(1) != null ? c.out(1).data() : null;
    float[] invOut = c.outputCount() > 2 && c.out(2) != null ? c.out(2).data() : null;
    int n = g.cols();
    for (int r = 0; r < g.rows(); r++) {
      int base = r * n;
      double mean = mean(x, base, n);
      double inv = inverseStd(x, base, n, mean, eps);
      for (int i = 0; i < n; i++) {
        double xhat = (x[base + i] - mean) * inv;
        y[base + i] = (float) (xhat * scale[i] + (bias == null ? 0 : bias[i]));
      }
      if (meanOut != null) meanOut[r] = (float) mean;
      if (invOut != null) invOut[r] = (float) inv;
    }
  }

  @Override
  public void backward(KernelCall c) {
    LayerNormalizationSpec.Layout g = LayerNormalizationSpec.layout(c.context());
    double eps = LayerNormalizationSpec.epsilon(c.context());
    float[] x = c.in(0).data();
    float[] scale = c.in(1).data();
    float[] dy = c.gradOut(0) == null ? null : c.gradOut(0).data();
    float[] dMean = c.gradOut(1) == null ? null : c.gradOut(1).data();
    float[] dInv = c.gradOut(2) == null ? null : c.gradOut(2).data();
    float[] dx = c.gradIn(0) == null ? null : c.gradIn(0).data();
    float[] dScale = c.gradIn(1) == null ? null : c.gradIn(1).data();
    float[] dBias = c.gradIn(2) == null ? null : c.gradIn(2).data();
    int n = g.cols();
    double[] xhat = new double[n];
    for (int r = 0; r < g.rows(); r++) {
      int base = r * n;
      double mean = mean(x, base, n);
      double inv = inverseStd(x, base, n, mean, eps);
      double meanG = 0;
      double meanGx = 0;
      for (int i = 0; i < n; i++) {
        xhat[i] = (x[base + i] - mean) * inv;
        double gi = dy == null ? 0 : (double) dy[base + i] * scale[i];
        meanG += gi;
        meanGx += gi * xhat[i];
      }
      meanG /= n;
      meanGx /= n;
      double dm = dMean == null ? 0 : dMean[r];
      double di = dInv == null ? 0 : dInv[r];
      for (int i = 0; i < n; i++) {
        double gi = dy == null ? 0 : (double) dy[base + i] * scale[i];
        if (dx != null) {
          double v = inv * (gi - meanG - xhat[i] * meanGx) + dm / n - di * inv * inv * xhat[i] / n;
          dx[base + i] += (float) v;
        }
        if (dy != null && dScale != null) dScale[i] += (float) (dy[base + i] * xhat[i]);
        if (dy != null && dBias != null) dBias[i] += dy[base + i];
      }
    }
  }

  private static double mean(float[] x, int base, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[base + i];
    return s / n;
  }

  private static double inverseStd(float[] x, int base, int n, double mean, double eps) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double d = x[base + i] - mean;
      s += d * d;
    }
    return 1 / Math.sqrt(s / n + eps);
  }
}
