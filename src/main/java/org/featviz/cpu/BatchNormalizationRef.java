package org.featviz.cpu;

import org.featviz.ops.BatchNormalizationSpec;

/**
 * BatchNormalization in inference mode, with the given running statistics.
 *
 * <pre>
 * Shapes: N batch, C channels, S = D1 x ... x Dk; X and Y  N x C x S; scale, B, mean, var  C
 * a[c] = scale[c] / sqrt(var[c] + epsilon)
 * y[n, c, s] = (x[n, c, s] - mean[c]) * a[c] + B[c]
 * </pre>
 *
 * Backward (sums over n and s): dx = dy * a[c]; dscale[c] = sum dy * (x - mean) / sqrt(var +
 * epsilon); dB[c] = sum dy; dmean[c] = -sum dy * a[c]; dvar[c] = -sum dy * scale * (x - mean) / (2
 * (var + epsilon)^1.5). Featviz only needs dx (the statistics are frozen), the others keep the
 * gradient check complete.
 */
final class BatchNormalizationRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    float eps = BatchNormalizationSpec.epsilon(c.context());
    float[] x = c.in(0).data();
    float[] scale = c.in(1).data();
    float[] bias = c.in(2).data();
    float[] mean = c.in(3).data();
    float[] var = c.in(4).data();
    float[] y = c.out(0).data();
    int channels = scale.length;
    int plane = c.in(0).shape().size(2, c.in(0).shape().rank());
    int planes = c.in(0).shape().size(0, 2);
    for (int p = 0; p < planes; p++) {
      int ch = p % channels;
      float a = (float) (scale[ch] / Math.sqrt((double) var[ch] + eps));
      float m = mean[ch];
      float b = bias[ch];
      for (int i = p * plane; i < (p + 1) * plane; i++) y[i] = (x[i] - m) * a + b;
    }
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    float eps = BatchNormalizationSpec.epsilon(c.context());
    float[] x = c.in(0).data();
    float[] scale = c.in(1).data();
    float[] mean = c.in(3).data();
    float[] var = c.in(4).data();
    float[] dy = c.gradOut(0).data();
    int channels = scale.length;
    int plane = c.in(0).shape().size(2, c.in(0).shape().rank());
    int planes = c.in(0).shape().size(0, 2);
    double[] sumDy = new double[channels];
    double[] sumDyCentered = new double[channels];
    float[] dx = c.gradIn(0) == null ? null : c.gradIn(0).data();
    for (int p = 0; p < planes; p++) {
      int ch = p % channels;
      double std = Math.sqrt((double) var[ch] + eps);
      float a = (float) (scale[ch] / std);
      for (int i = p * plane; i < (p + 1) * plane; i++) {
        if (dx != null) dx[i] += dy[i] * a;
        sumDy[ch] += dy[i];
        sumDyCentered[ch] += dy[i] * ((double) x[i] - mean[ch]);
      }
    }
    for (int ch = 0; ch < channels; ch++) {
      double std = Math.sqrt((double) var[ch] + eps);
      add(c, 1, ch, sumDyCentered[ch] / std);
      add(c, 2, ch, sumDy[ch]);
      add(c, 3, ch, -sumDy[ch] * scale[ch] / std);
      add(c, 4, ch, -0.5 * scale[ch] * sumDyCentered[ch] / (std * std * std));
    }
  }

  private static void add(KernelCall c, int input, int ch, double value) {
    if (c.gradIn(input) != null) c.gradIn(input).data()[ch] += (float) value;
  }
}
