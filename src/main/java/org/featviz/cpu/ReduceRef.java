package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.ReduceSpec;

/**
 * ReduceSum, ReduceMean, ReduceMax over any axes (ops.ReduceSpec): each x element belongs to the
 * output element with its kept coordinates; sums in double. The maximum propagates NaN and keeps
 * the first of equal maxima; its gradient goes to that first maximum only (a subgradient: ties get
 * nothing, as in PyTorch's max over a dim, which picks one index).
 */
final class ReduceRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    ReduceSpec.Reduction r = ReduceSpec.reduction(c.context());
    int[] owner = owners(c.in(0).shape(), r.reduced());
    if (r.kind() == ReduceSpec.Kind.MAX) {
      int[] arg = argmax(x, owner, y.length);
      for (int o = 0; o < y.length; o++) y[o] = arg[o] < 0 ? Float.NEGATIVE_INFINITY : x[arg[o]];
      return;
    }
    double[] sum = new double[y.length];
    for (int i = 0; i < x.length; i++) sum[owner[i]] += x[i];
    int g = r.group(c.in(0).shape());
    for (int o = 0; o < y.length; o++)
      y[o] = (float) (r.kind() == ReduceSpec.Kind.MEAN ? sum[o] / g : sum[o]);
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    ReduceSpec.Reduction r = ReduceSpec.reduction(c.context());
    float[] x = c.in(0).data();
    int[] owner = owners(c.in(0).shape(), r.reduced());
    switch (r.kind()) {
      case SUM -> {
        for (int i = 0; i < x.length; i++) dx[i] += dy[owner[i]];
      }
      case MEAN -> {
        float g = r.group(c.in(0).shape());
        for (int i = 0; i < x.length; i++) dx[i] += dy[owner[i]] / g;
      }
      case MAX -> {
        int[] arg = argmax(x, owner, dy.length);
        for (int o = 0; o < dy.length; o++) if (arg[o] >= 0) dx[arg[o]] += dy[o];
      }
    }
  }

  /** For each element of x, the flat index of its output element (the kept coordinates). */
  static int[] owners(Shape x, boolean[] reduced) {
    int rank = x.rank();
    int[] outStride = new int[rank];
    int s = 1;
    for (int d = rank - 1; d >= 0; d--) {
      outStride[d] = reduced[d] ? 0 : s;
      if (!reduced[d]) s *= x.dim(d);
    }
    int[] owner = new int[x.size()];
    for (int i = 0; i < owner.length; i++) {
      int rest = i;
      int o = 0;
      for (int d = rank - 1; d >= 0; d--) {
        o += (rest % x.dim(d)) * outStride[d];
        rest /= x.dim(d);
      }
      owner[i] = o;
    }
    return owner;
  }

  /** The first maximum of each group (the first NaN where one is), -1 for an empty group. */
  private static int[] argmax(float[] x, int[] owner, int outputs) {
    int[] arg = new int[outputs];
    java.util.Arrays.fill(arg, -1);
    for (int i = 0; i < x.length; i++) {
      int o = owner[i];
      int a = arg[o];
      if (a < 0 || (!Float.isNaN(x[a]) && (x[i] > x[a] || Float.isNaN(x[i])))) arg[o] = i;
    }
    return arg;
  }
}
