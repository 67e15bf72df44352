package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.InstanceNormalizationSpec;

/**
 * InstanceNormalization in double: per (n, c) group of S spatial elements the mean m, the biased
 * variance v and y = scale[c] (x - m) / sqrt(v + epsilon) + B[c]. Backward (x only; scale and B are
 * weights): with xhat = (x - m) / sqrt(v + epsilon) and t = dy scale[c], dx = (t - mean(t) - xhat
 * mean(t xhat)) / sqrt(v + epsilon).
 */
final class InstanceNormalizationRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    float eps = InstanceNormalizationSpec.epsilon(c.context());
    Shape s = c.in(0).shape();
    int channels = s.dim(1);
    int size = s.size(2, s.rank());
    float[] scale = c.in(1).data();
    float[] bias = c.in(2).data();
    for (int g = 0; g < s.dim(0) * channels; g++) {
      int base = g * size;
      double[] mr = meanAndRstd(x, base, size, eps);
      double a = scale[g % channels] * mr[1];
      for (int i = base; i < base + size; i++)
        y[i] = (float) ((x[i] - mr[0]) * a + bias[g % channels]);
    }
  }

  /** The group's mean and 1 / sqrt(variance + eps), two passes. */
  private static double[] meanAndRstd(float[] x, int base, int size, float eps) {
    double sum = 0;
    for (int i = base; i < base + size; i++) sum += x[i];
    double mean = sum / size;
    double q = 0;
    for (int i = base; i < base + size; i++) q += (x[i] - mean) * (x[i] - mean);
    return new double[] {mean, 1 / Math.sqrt(q / size + eps)};
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    float eps = InstanceNormalizationSpec.epsilon(c.context());
    Shape s = c.in(0).shape();
    int channels = s.dim(1);
    int size = s.size(2, s.rank());
    float[] x = c.in(0).data();
    float[] scale = c.in(1).data();
    for (int g = 0; g < s.dim(0) * channels; g++) {
      int base = g * size;
      double[] mr = meanAndRstd(x, base, size, eps);
      double sc = scale[g % channels];
      double st = 0;
      double stx = 0;
      for (int i = base; i < base + size; i++) {
        st += dy[i] * sc;
        stx += dy[i] * sc * (x[i] - mr[0]) * mr[1];
      }
      double meanT = st / size;
      double meanTx = stx / size;
      for (int i = base; i < base + size; i++) {
        double xhat = (x[i] - mr[0]) * mr[1];
        dx[i] += (float) ((dy[i] * sc - meanT - xhat * meanTx) * mr[1]);
      }
    }
  }
}
