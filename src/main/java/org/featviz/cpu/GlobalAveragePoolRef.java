package org.featviz.cpu;

/**
 * GlobalAveragePool: the mean of each (n, c) plane over all spatial axes, accumulated in float64.
 *
 * <pre>
 * Shapes: N batch, C channels, S = D1 x ... x Dk; X  N x C x S,  Y  N x C x 1 x ... x 1
 * y[n, c] = sum over s of x[n, c, s] / S;   dx[n, c, s] += dy[n, c] / S
 * </pre>
 */
final class GlobalAveragePoolRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    int plane = c.in(0).shape().size(2, c.in(0).shape().rank());
    for (int p = 0; p < y.length; p++) {
      double sum = 0;
      for (int s = 0; s < plane; s++) sum += x[p * plane + s];
      y[p] = plane == 0 ? 0f : (float) (sum / plane);
    }
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    int plane = c.in(0).shape().size(2, c.in(0).shape().rank());
    for (int p = 0; p < dy.length; p++) {
      float g = dy[p] / plane;
      for (int s = 0; s < plane; s++) dx[p * plane + s] += g;
    }
  }
}
