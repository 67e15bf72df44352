package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.Broadcast;

/**
 * Max and Min of one or more inputs with numpy broadcasting. Each output element comes from one
 * input: the first that holds the extremum (the first NaN, which propagates), and the gradient goes
 * to that input alone (summed over its broadcast dimensions). Ties thus go to the earlier input;
 * PyTorch's maximum splits a tie evenly, which no continuous input meets.
 */
final class ExtremumRef implements CpuKernel {
  private final boolean max;

  ExtremumRef(boolean max) {
    this.max = max;
  }

  @Override
  public void forward(KernelCall c) {
    float[] y = c.out(0).data();
    int[][] src = sources(c, c.out(0).shape());
    int[] from = winners(c, src, y.length);
    for (int o = 0; o < y.length; o++) y[o] = c.in(from[o]).data()[src[from[o]][o]];
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    float[] dy = c.gradOut(0).data();
    int[][] src = sources(c, c.gradOut(0).shape());
    int[] from = winners(c, src, dy.length);
    for (int o = 0; o < dy.length; o++) {
      var g = c.gradIn(from[o]);
      if (g != null) g.data()[src[from[o]][o]] += dy[o];
    }
  }

  private static int[][] sources(KernelCall c, Shape out) {
    int[][] src = new int[c.inputCount()][];
    for (int i = 0; i < src.length; i++) src[i] = Broadcast.sourceIndices(c.in(i).shape(), out);
    return src;
  }

  /** For each output element, the input it comes from. */
  private int[] winners(KernelCall c, int[][] src, int n) {
    int[] from = new int[n];
    for (int o = 0; o < n; o++) {
      int best = 0;
      float v = c.in(0).data()[src[0][o]];
      for (int i = 1; i < src.length && !Float.isNaN(v); i++) {
        float w = c.in(i).data()[src[i][o]];
        if (Float.isNaN(w) || (max ? w > v : w < v)) {
          best = i;
          v = w;
        }
      }
      from[o] = best;
    }
    return from;
  }
}
