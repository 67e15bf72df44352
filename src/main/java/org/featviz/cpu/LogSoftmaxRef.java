package org.featviz.cpu;

import org.featviz.ops.SoftmaxSpec;

/**
 * LogSoftmax over the groups of {@link SoftmaxSpec.Layout} (the same axis rules as Softmax): y_j =
 * x_j - max - log(sum_i exp(x_i - max)), in double, so that exp never overflows and the log's
 * argument is at least 1. Backward: dx_j = dy_j - exp(y_j) sum_i dy_i (softmax is exp(y)).
 */
final class LogSoftmaxRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    SoftmaxSpec.Layout g = SoftmaxSpec.layout(c.context());
    int len = g.length();
    int inner = g.inner();
    for (int o = 0; o < g.outer(); o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
          float v = x[base + j * inner];
          if (!(v <= max)) max = v; // a NaN becomes the max, and every y of the group NaN
          if (Float.isNaN(v)) break;
        }
        double sum = 0;
        for (int j = 0; j < len; j++) sum += Math.exp(x[base + j * inner] - max);
        double shift = max + Math.log(sum);
        for (int j = 0; j < len; j++) y[base + j * inner] = (float) (x[base + j * inner] - shift);
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
        double total = 0;
        for (int j = 0; j < len; j++) total += dy[base + j * inner];
        for (int j = 0; j < len; j++) {
          int e = base + j * inner;
          dx[e] += (float) (dy[e] - Math.exp(y[e]) * total);
        }
      }
    }
  }
}
