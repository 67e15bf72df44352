package org.featviz.cpu;

import org.featviz.ops.GatherSpec;

/**
 * Gather with constant indices: y[o, k, i] = x[o, idx[k], i] (x seen as [outer, axis, inner]); the
 * gradient adds dy back at the rows read, twice where an index repeats. The indices get none.
 */
final class GatherRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    GatherSpec.Layout g = GatherSpec.layout(c.context());
    int n = g.indices().length;
    for (int o = 0; o < g.outer(); o++)
      for (int k = 0; k < n; k++)
        System.arraycopy(
            x,
            (o * g.axisDim() + g.indices()[k]) * g.inner(),
            y,
            (o * n + k) * g.inner(),
            g.inner());
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    GatherSpec.Layout g = GatherSpec.layout(c.context());
    int n = g.indices().length;
    for (int o = 0; o < g.outer(); o++)
      for (int k = 0; k < n; k++) {
        int src = (o * n + k) * g.inner();
        int dst = (o * g.axisDim() + g.indices()[k]) * g.inner();
        for (int i = 0; i < g.inner(); i++) dx[dst + i] += dy[src + i];
      }
  }
}
