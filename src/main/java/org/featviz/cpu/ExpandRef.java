package org.featviz.cpu;

import org.featviz.ops.Broadcast;

/**
 * Expand: y[o] = x[source(o)] (numpy broadcasting); backward sums dy over the copies, in double.
 */
final class ExpandRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    float[] x = c.in(0).data();
    float[] y = c.out(0).data();
    int[] src = Broadcast.sourceIndices(c.in(0).shape(), c.out(0).shape());
    for (int o = 0; o < y.length; o++) y[o] = x[src[o]];
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null || c.gradIn(0) == null) return;
    float[] dy = c.gradOut(0).data();
    float[] dx = c.gradIn(0).data();
    int[] src = Broadcast.sourceIndices(c.in(0).shape(), c.gradOut(0).shape());
    double[] sum = new double[dx.length];
    for (int o = 0; o < dy.length; o++) sum[src[o]] += dy[o];
    for (int j = 0; j < dx.length; j++) dx[j] += (float) sum[j];
  }
}
