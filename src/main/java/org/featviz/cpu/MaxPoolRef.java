package org.featviz.cpu;

/**
 * MaxPool over 1-D, 2-D or 3-D windows ({@link PoolWindows}); padding never wins (it is minus
 * infinity).
 *
 * <pre>
 * Shapes: N batch, C channels; X  N x C x D x H x W,  Y  N x C x oD x oH x oW
 * y[n, c, o] = max over the taps of window o that lie inside the input; NaN if one of them is NaN
 * </pre>
 *
 * The backward routes dy[n, c, o] to the argmax of window o: the first maximum in window order on
 * ties, the first NaN where the window holds one. NaN propagates as in PyTorch and as cuDNN pools
 * with CUDNN_PROPAGATE_NAN (what the device uses), so a diverged activation shows downstream
 * instead of losing to its neighbours. A window with no tap inside the input (pads wider than the
 * kernel) yields 0 and passes no gradient.
 */
final class MaxPoolRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    PoolWindows pw = PoolWindows.of(c);
    pw.forEachPlane(
        c,
        (xBase, yBase) -> {
          for (int o = 0; o < pw.outPlane; o++) {
            int arg = argmax(pw, x, xBase, o);
            y[yBase + o] = arg < 0 ? 0f : x[xBase + arg];
          }
        });
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    PoolWindows pw = PoolWindows.of(c);
    float[] x = c.in(0).data();
    pw.forEachPlane(
        c,
        (xBase, yBase) -> {
          for (int o = 0; o < pw.outPlane; o++) {
            int arg = argmax(pw, x, xBase, o);
            if (arg >= 0) dx[xBase + arg] += dy[yBase + o];
          }
        });
  }

  /**
   * The offset (within the plane) of the first maximum of window o, or of its first NaN, or -1
   * where the window reads nothing.
   */
  private static int argmax(PoolWindows pw, float[] x, int xBase, int o) {
    int arg = -1;
    float best = Float.NEGATIVE_INFINITY;
    for (int j = pw.begin[o]; j < pw.begin[o + 1]; j++) {
      float v = x[xBase + pw.offsets[j]];
      if (Float.isNaN(v)) return pw.offsets[j];
      if (arg < 0 || v > best) {
        arg = pw.offsets[j];
        best = v;
      }
    }
    return arg;
  }
}
