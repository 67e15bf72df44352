package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ops.ConvSpec;
import org.featviz.ops.OpContext;
import org.featviz.ops.SpatialWindow;

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

  /** The fewest channels a parallel task takes (see {@link Geometry#slices}). */
  static final int MIN_SLICE = 16;

  @Override
  public void forward(KernelCall c) {
    Geometry g = new Geometry(c);
    float[] x = c.in(0).data();
    float[] w = c.in(1).data();
    float[] b = c.hasInput(2) ? c.in(2).data() : null;
    float[] y = c.out(0).data();
    // One task: batch item n, group, and a slice [m0, m1) of the group's output channels.
    int slices = g.slices(g.mg);
    Parallel.range(
        g.n * g.groups * slices,
        g.workPerItem() / (g.groups * slices),
        task -> {
          int n = task / (g.groups * slices);
          int group = task / slices % g.groups;
          int m0 = group * g.mg + g.mg * (task % slices) / slices;
          int m1 = group * g.mg + g.mg * (task % slices + 1) / slices;
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
    Geometry g = new Geometry(c);
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
  private static void inputGradient(Geometry g, float[] w, float[] dy, float[] dx) {
    int slices = g.slices(g.cg);
    Parallel.range(
        g.n * g.groups * slices,
        g.workPerItem() / (g.groups * slices),
        task -> {
          int n = task / (g.groups * slices);
          int group = task / slices % g.groups;
          int c0 = g.cg * (task % slices) / slices;
          int c1 = g.cg * (task % slices + 1) / slices;
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
  private static void weightGradient(Geometry g, float[] x, float[] dy, float[] dw) {
    int sw = g.sw;
    Parallel.range(
        g.m,
        (long) g.n * g.k * g.outPlane,
        m -> {
          int firstChannel = (m / g.mg) * g.cg;
          for (int ci = 0; ci < g.cg; ci++) {
            for (Tap t : g.taps) {
              double sum = 0;
              for (int n = 0; n < g.n; n++) {
                int xBase = (n * g.c + firstChannel + ci) * g.inPlane;
                int yBase = (n * g.m + m) * g.outPlane + t.first;
                for (int r = 0; r < g.rows; r++) {
                  if (t.xRow[r] < 0) continue;
                  int yi = yBase + r * g.ow;
                  int xi = xBase + t.xRow[r];
                  double s = 0;
                  for (int i = 0; i < t.count; i++) s += dy[yi + i] * x[xi + i * sw];
                  sum += s;
                }
              }
              dw[(m * g.cg + ci) * g.kernel + t.index] += (float) sum;
            }
          }
        });
  }

  /** dB[m] += sum over n and o of dy[n, m, o], in float64. */
  private static void biasGradient(Geometry g, float[] dy, float[] db) {
    for (int m = 0; m < g.m; m++) {
      double sum = 0;
      for (int n = 0; n < g.n; n++) {
        int base = (n * g.m + m) * g.outPlane;
        for (int i = 0; i < g.outPlane; i++) sum += dy[base + i];
      }
      db[m] += (float) sum;
    }
  }

  /**
   * One kernel tap t = (kd, kh, kw), index t in the flattened kD x kH x kW kernel, and where it
   * reads: along w, outputs first .. first + count - 1 of every output row land inside the input;
   * output row r = (od, oh) reads the input from offset xRow[r] of the input plane (for output
   * first, stepping by the w stride), or nothing (xRow[r] = -1) where the tap's input row lies in
   * the padding.
   */
  private record Tap(int index, int first, int count, int[] xRow) {}

  /** The sizes of one Conv call (window seen as 3-D) and its taps. */
  private static final class Geometry {
    final int n, c, m, groups, cg, mg, k, kernel, sw, ow, rows, inPlane, outPlane, blockRows;
    final Tap[] taps;

    Geometry(KernelCall call) {
      OpContext ctx = call.context();
      SpatialWindow win = ConvSpec.window(ctx).to3d();
      groups = ConvSpec.group(ctx);
      n = ctx.in(0).dim(0);
      c = ctx.in(0).dim(1);
      m = ctx.in(1).dim(0);
      cg = c / groups;
      mg = m / groups;
      kernel = win.kernelSize();
      k = cg * kernel;
      sw = win.strides()[2];
      ow = win.out()[2];
      rows = win.out()[0] * win.out()[1];
      inPlane = win.inputSize();
      outPlane = win.outputSize();
      blockRows = Math.max(1, Math.min(rows, BLOCK / ow));
      taps = taps(win);
    }

    long workPerItem() {
      return (long) m * k * outPlane;
    }

    /** Floats per row of a column block. */
    int blockLength() {
      return blockRows * ow;
    }

    /**
     * Into how many slices to cut a group's channels (of which there are {@code channels}) so that
     * batch items x groups x slices give every core about two tasks; a slice keeps at least {@link
     * #MIN_SLICE} channels, since each task gathers its own column block.
     */
    int slices(int channels) {
      int tasks = n * groups;
      int wanted = (2 * Runtime.getRuntime().availableProcessors() + tasks - 1) / tasks;
      return Math.max(1, Math.min(wanted, channels / MIN_SLICE));
    }

    /**
     * col[ci * kernel + t][(r - r0) * ow + j] = the input that tap t of channel ci (of the group
     * starting at xBase) reads for output (r, j), for output rows r0 .. r1 - 1.
     */
    void gather(float[] x, int xBase, int r0, int r1, float[][] columns) {
      for (int ci = 0; ci < cg; ci++) {
        int channelBase = xBase + ci * inPlane;
        for (Tap t : taps) {
          float[] col = columns[ci * kernel + t.index];
          for (int r = r0; r < r1; r++) {
            int dst = (r - r0) * ow;
            int src = t.xRow[r];
            if (src < 0) {
              Arrays.fill(col, dst, dst + ow, 0f);
              continue;
            }
            Arrays.fill(col, dst, dst + t.first, 0f);
            int from = channelBase + src;
            int to = dst + t.first;
            if (sw == 1) {
              System.arraycopy(x, from, col, to, t.count);
            } else {
              for (int i = 0; i < t.count; i++) col[to + i] = x[from + i * sw];
            }
            Arrays.fill(col, to + t.count, dst + ow, 0f);
          }
        }
      }
    }

    /**
     * The reverse of {@link #gather}: dx at each tap's input position += dcol at its column entry.
     */
    void scatterAdd(float[][] columns, int c0, int c1, int r0, int r1, float[] dx, int xBase) {
      for (int ci = c0; ci < c1; ci++) {
        int channelBase = xBase + ci * inPlane;
        for (Tap t : taps) {
          float[] dcol = columns[ci * kernel + t.index];
          for (int r = r0; r < r1; r++) {
            int src = t.xRow[r];
            if (src < 0) continue;
            int from = (r - r0) * ow + t.first;
            int to = channelBase + src;
            for (int i = 0; i < t.count; i++) dx[to + i * sw] += dcol[from + i];
          }
        }
      }
    }

    private static Tap[] taps(SpatialWindow win) {
      int[] in = win.in();
      int[] out = win.out();
      int[] kk = win.kernel();
      int[] s = win.strides();
      int[] d = win.dilations();
      int[] p = win.padBegin();
      Tap[] taps = new Tap[win.kernelSize()];
      int index = 0;
      for (int kd = 0; kd < kk[0]; kd++) {
        for (int kh = 0; kh < kk[1]; kh++) {
          for (int kw = 0; kw < kk[2]; kw++) {
            int offW = kw * d[2] - p[2];
            int first = Math.min(out[2], firstInside(offW, s[2]));
            int count = Math.max(0, endInside(offW, s[2], in[2], out[2]) - first);
            int[] xRow = new int[out[0] * out[1]];
            for (int od = 0; od < out[0]; od++) {
              int id = od * s[0] - p[0] + kd * d[0];
              for (int oh = 0; oh < out[1]; oh++) {
                int ih = oh * s[1] - p[1] + kh * d[1];
                boolean inside = id >= 0 && id < in[0] && ih >= 0 && ih < in[1] && count > 0;
                xRow[od * out[1] + oh] =
                    inside ? (id * in[1] + ih) * in[2] + first * s[2] + offW : -1;
              }
            }
            taps[index] = new Tap(index, first, count, xRow);
            index++;
          }
        }
      }
      return taps;
    }
  }

  /** The first output o >= 0 with o * stride + offset >= 0. */
  static int firstInside(int offset, int stride) {
    return offset >= 0 ? 0 : Math.floorDiv(-offset + stride - 1, stride);
  }

  /** One past the last output o < outSize with o * stride + offset < inSize (at least 0). */
  static int endInside(int offset, int stride, int inSize, int outSize) {
    return Math.max(0, Math.min(outSize, Math.floorDiv(inSize - 1 - offset, stride) + 1));
  }
}
