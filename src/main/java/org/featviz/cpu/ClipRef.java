package org.featviz.cpu;

import org.featviz.ops.ClipSpec;

/**
 * Clip: y = min(max(x, min), max). Backward: dx = dy where min < x < max; from opset 11, where the
 * bounds are inputs, d min collects dy where x < min (and min < max), d max where max(x, min) >
 * max. At exact ties the gradient goes to no input.
 */
final class ClipRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    ClipSpec.Bounds b = ClipSpec.bounds(c.context());
    float[] x = c.in(0).data();
    float[] y = c.out(0).data();
    for (int i = 0; i < x.length; i++) y[i] = Math.min(Math.max(x[i], b.min()), b.max());
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    ClipSpec.Bounds b = ClipSpec.bounds(c.context());
    float min = b.min();
    float max = b.max();
    float[] x = c.in(0).data();
    float[] dy = c.gradOut(0).data();
    float[] dx = c.gradIn(0) != null ? c.gradIn(0).data() : null;
    double dMin = 0;
    double dMax = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] > min && x[i] < max) {
        if (dx != null) dx[i] += dy[i];
      } else if (x[i] < min && min < max) {
        dMin += dy[i];
      } else if (Math.max(x[i], min) > max) {
        dMax += dy[i];
      }
    }
    if (c.gradIn(1) != null) c.gradIn(1).data()[0] += (float) dMin;
    if (c.gradIn(2) != null) c.gradIn(2).data()[0] += (float) dMax;
  }
}
