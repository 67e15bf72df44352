package org.featviz.cpu;

import java.util.Arrays;

/**
 * Conv for 1-D, 2-D and 3-D inputs (seen as 3-D with unit leading axes), with groups, strides,
 * dilations and asymmetric padding.
 *
 * <pre>
 * Shapes: N batch, C input channels, M output channels, G groups, Cg = C / G, Mg = M / G, K = Cg x kD x kH x kW,
 *   P = oD x oH x oW (one output plane);
 *   X  N x C x D x H x W          W  M x Cg x kD x kH x kW  (= M x K)          B  M
 *   Y  N x M x oD x oH x oW
 * y[n, m, o] = B[m] + sum over c in m's group, taps t of W[m, c, t] * x[n, c, o * stride - padBegin + t * dilation]
 * </pre>
 *
 * How (im2col plus a matrix product): for a block of output rows (about {@link #BLOCK} positions)
 * of one batch item and group, {@code col} gathers the input value that each tap (c, t) reads for
 * each output position, zero where the tap lands in the padding: the patch matrix, K rows (k = c x
 * kernel + t) of one block each. Then y[m, block] = B[m] + sum over k of W[m, k] * col[k, block],
 * computed by {@link ConvGemm} (register-tiled, vectorized by HotSpot: every row its own array
 * indexed from 0, since HotSpot 17 vectorizes a loop only where its arrays' start offsets are known
 * to agree, and these loops are where all the time goes). The X gradient runs the same way
 * backwards: dcol[k, block] = sum over m of W[m, k] * dy[m, block] (the product with W transposed),
 * then scattered back into dx where the taps came from (col2im). Parallel tasks are (batch item,
 * group, slice of output channels) forward and (batch item, group, slice of input channels)
 * backward, so no two threads write the same element; the W gradient runs output channels in
 * parallel (dot products of dy rows with input rows, in float64).
 */
final class ConvRef implements CpuKernel {
  /**
   * Output positions per column block (whole output rows): col holds K rows of up to BLOCK floats.
   */
  static final int BLOCK = 512;

  /** The fewest channels a parallel task takes (see {@link ConvGeometry#slices}). */
  static final int MIN_SLICE = 16;

  @Override
  public void forward(KernelCall c) {
    ConvGeometry g = new ConvGeometry(c);
    float[] x = c.in(0).data();
    float[] w = c.in(1).data();
    float[] b = c.hasInput(2) ? c.in(2).data() : null;
    float[] y = c.out(0).data();
    // One task: batch item n, group, and a slice [m0, m1) of the group's output channels.
    g.forEachTask(
        g.mg,
        (n, group, first, end) -> {
          int m0 = group * g.mg + first;
          int m1 = group * g.mg + end;
          int xBase = (n * g.c + group * g.cg) * g.inPlane;
          float[][] col = new float[g.k][g.blockLength()];
          float[][] acc = new float[m1 - m0][g.blockLength()];
          for (int r0 = 0; r0 < g.rows; r0 += g.blockRows) {
            int r1 = Math.min(g.rows, r0 + g.blockRows);
            int len = (r1 - r0) * g.ow;
            g.gather(x, xBase, r0, r1, col);
            for (int m = m0; m < m1; m++) Arrays.fill(acc[m - m0], 0, len, b == null ? 0f : b[m]);
            // acc[m - m0][j] += sum over k of W[m, k] * col[k][j]
            ConvGemm.multiplyAdd(w, m0 * g.k, g.k, 1, col, g.k, acc, 0, m1 - m0, len);
            for (int m = m0; m < m1; m++) {
              System.arraycopy(acc[m - m0], 0, y, (n * g.m + m) * g.outPlane + r0 * g.ow, len);
            }
          }
        });
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    ConvGeometry g = new ConvGeometry(c);
    float[] dy = c.gradOut(0).data();
    if (c.gradIn(0) != null) inputGradient(g, c.in(1).data(), dy, c.gradIn(0).data());
    if (c.gradIn(1) != null) weightGradient(g, c.in(0).data(), dy, c.gradIn(1).data());
    if (c.hasInput(2) && c.gradIn(2) != null) biasGradient(g, dy, c.gradIn(2).data());
  }

  /**
   * dcol[k][block] = sum over m in the group of W[m, k] * dy[n, m, block]; then dx += dcol,
   * scattered. One task: batch item n, group, and a slice [c0, c1) of the group's input channels,
   * whose dcol rows k = ci * kernel + t and dx planes belong to it alone.
   */
  private static void inputGradient(ConvGeometry g, float[] w, float[] dy, float[] dx) {
    g.forEachTask(
        g.cg,
        (n, group, c0, c1) -> {
          int xBase = (n * g.c + group * g.cg) * g.inPlane;
          int firstM = group * g.mg;
          float[][] dcol = new float[g.k][g.blockLength()];
          float[][] dyRows = new float[g.mg][g.blockLength()];
          for (int r0 = 0; r0 < g.rows; r0 += g.blockRows) {
            int r1 = Math.min(g.rows, r0 + g.blockRows);
            int len = (r1 - r0) * g.ow;
            for (int k = c0 * g.kernel; k < c1 * g.kernel; k++) Arrays.fill(dcol[k], 0, len, 0f);
            for (int m = 0; m < g.mg; m++) {
              System.arraycopy(
                  dy, (n * g.m + firstM + m) * g.outPlane + r0 * g.ow, dyRows[m], 0, len);
            }
            // dcol[k][j] += sum over m of W[firstM + m, k] * dyRows[m][j], k in c0 * kernel .. c1 *
            // kernel - 1
            ConvGemm.multiplyAdd(
                w,
                firstM * g.k + c0 * g.kernel,
                1,
                g.k,
                dyRows,
                g.mg,
                dcol,
                c0 * g.kernel,
                (c1 - c0) * g.kernel,
                len);
            g.scatterAdd(dcol, c0, c1, r0, r1, dx, xBase);
          }
        });
  }

  /**
   * dW[m, c, t] += sum over n and o of dy[n, m, o] * x[n, c, o * stride - pad + t * dilation], in
   * float64.
   */
  private static void weightGradient(ConvGeometry g, float[] x, float[] dy, float[] dw) {
    int sw = g.sw;
    Parallel.range(
        g.m,
        (long) g.n * g.k * g.outPlane,
        m -> {
          int firstChannel = (m / g.mg) * g.cg;
          for (int ci = 0; ci < g.cg; ci++) {
            for (ConvGeometry.Tap t : g.taps) {
              double sum = 0;
              for (int n = 0; n < g.n; n++) {
                int xBase = (n * g.c + firstChannel + ci) * g.inPlane;
                int yBase = (n * g.m + m) * g.outPlane + t.first();
                for (int r = 0; r < g.rows; r++) {
                  if (t.xRow()[r] < 0) continue;
                  int yi = yBase + r * g.ow;
                  int xi = xBase + t.xRow()[r];
                  double s = 0;
                  for (int i = 0; i < t.count(); i++) s += dy[yi + i] * x[xi + i * sw];
                  sum += s;
                }
              }
              dw[(m * g.cg + ci) * g.kernel + t.index()] += (float) sum;
            }
          }
        });
  }

  /** dB[m] += sum over n and o of dy[n, m, o], in float64. */
  private static void biasGradient(ConvGeometry g, float[] dy, float[] db) {
    for (int m = 0; m < g.m; m++) {
      double sum = 0;
      for (int n = 0; n < g.n; n++) {
        int base = (n * g.m + m) * g.outPlane;
        for (int i = 0; i < g.outPlane; i++) sum += dy[base + i];
      }
      db[m] += (float) sum;
    }
  }
}
