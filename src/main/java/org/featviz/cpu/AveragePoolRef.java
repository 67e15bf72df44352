package org.featviz.cpu;

/**
 * AveragePool over 1-D, 2-D or 3-D windows ({@link PoolWindows}).
 *
 * <pre>
 * Shapes: N batch, C channels; X  N x C x D x H x W,  Y  N x C x oD x oH x oW
 * y[n, c, o] = (sum over the taps of window o inside the input) / divisor(o)
 * divisor(o) = taps inside the input (count_include_pad = 0, the default)
 *            | taps inside the padded input (count_include_pad = 1; padding counts as zeros)
 * </pre>
 *
 * The backward spreads dy[n, c, o] / divisor(o) over the taps of window o that lie inside the
 * input.
 */
final class AveragePoolRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    PoolWindows pw = PoolWindows.of(c);
    int[] divisor = divisors(c, pw);
    pw.forEachPlane(
        c,
        (xBase, yBase) -> {
          for (int o = 0; o < pw.outPlane; o++) {
            float sum = 0;
            for (int j = pw.begin[o]; j < pw.begin[o + 1]; j++) sum += x[xBase + pw.offsets[j]];
            y[yBase + o] = divisor[o] == 0 ? 0f : sum / divisor[o];
          }
        });
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    PoolWindows pw = PoolWindows.of(c);
    int[] divisor = divisors(c, pw);
    pw.forEachPlane(
        c,
        (xBase, yBase) -> {
          for (int o = 0; o < pw.outPlane; o++) {
            if (divisor[o] == 0) continue;
            float g = dy[yBase + o] / divisor[o];
            for (int j = pw.begin[o]; j < pw.begin[o + 1]; j++) dx[xBase + pw.offsets[j]] += g;
          }
        });
  }

  /** divisor(o) per output position; a window that counts nothing (0) yields 0. */
  private static int[] divisors(KernelCall c, PoolWindows pw) {
    boolean includePad = c.node().attributes().getInt("count_include_pad", 0) != 0;
    int[] divisor = new int[pw.outPlane];
    for (int o = 0; o < pw.outPlane; o++) {
      divisor[o] = includePad ? pw.paddedCount[o] : pw.begin[o + 1] - pw.begin[o];
    }
    return divisor;
  }
}
