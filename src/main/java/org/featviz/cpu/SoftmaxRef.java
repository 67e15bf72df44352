package org.featviz.cpu;

import org.featviz.ops.SoftmaxSpec;

/**
 * Softmax over groups of elements (see {@link SoftmaxSpec.Layout}): y_j = exp(x_j - max) / sum_i
 * exp(x_i - max), subtracting the group's max so that exp never overflows. Backward: dx_j = y_j
 * (dy_j - sum_i dy_i y_i).
 */
final class SoftmaxRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    SoftmaxSpec.Layout g = SoftmaxSpec.layout(c.context());
    int len = g.length();
    int inner = g.inner();
    for (int o = 0; o < g.outer(); o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) max = Math.max(max, x[base + j * inner]);
        double sum = 0;
        for (int j = 0; j < len; j++) sum += Math.exp(x[base + j * inner] - max);
        for (int j = 0; j < len; j++)
          y[base + j * inner] = (float) (Math.exp(x[base + j * inner] - max) / sum);
      }
    }
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    SoftmaxSpec.Layout g = SoftmaxSpec.layout(c.context());
    float[] y = c.out(0).data();
    int len = g.length();
    int inner = g.inner();
    for (int o = 0; o < g.outer(); o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i;
        double dot = 0;
        for (int j = 0; j < len; j++) dot += (double) dy[base + j * inner] * y[base + j * inner];
        for (int j = 0; j < len; j++) {
          int e = base + j * inner;
          dx[e] += (float) (y[e] * (dy[e] - dot));
        }
      }
    }
  }
}
