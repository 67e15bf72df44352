package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ops.ConvSpec;
import org.featviz.ops.OpContext;
import org.featviz.ops.SpatialWindow;

/**
 * Conv by direct loops (no im2col), for 1-D, 2-D and 3-D inputs seen as 3-D with unit leading axes.
 *
 * <pre>
 * Shapes: N batch, C input channels, M output channels, G groups, Cg = C / G, Mg = M / G;
 *   X  N x C x D x H x W          W  M x Cg x kD x kH x kW          B  M
 *   Y  N x M x oD x oH x oW
 * y[n, m, o] = B[m] + sum over c in m's group, taps k of W[m, c, k] * x[n, c, o * stride - padBegin + k * dilation]
 * </pre>
 *
 * For each kernel tap the output rows it touches are listed once per call ({@link Tap}); every loop nest then ends
 * in a run along an output row, clipped to where the tap lands inside the input, so the innermost loop is
 * contiguous (w stride 1) or a plain strided read. Forward and the X gradient run batch items in
 * parallel; the W gradient runs output channels in parallel, so no two threads write the same element.
 */
final class ConvRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    Geometry g = Geometry.of(c);
    float[] x = c.in(0).data();
    float[] w = c.in(1).data();
    float[] b = c.hasInput(2) ? c.in(2).data() : null;
    float[] y = c.out(0).data();
    int sw = g.sw;
    Parallel.range(g.n, g.workPerItem(), n -> {
      for (int m = 0; m < g.m; m++) {
        int yBase = (n * g.m + m) * g.outPlane;
        if (b != null) Arrays.fill(y, yBase, yBase + g.outPlane, b[m]);
        int firstChannel = (m / g.mg) * g.cg;
        for (int ci = 0; ci < g.cg; ci++) {
          int xBase = (n * g.c + firstChannel + ci) * g.inPlane;
          int wBase = (m * g.cg + ci) * g.kernel;
          for (Tap t : g.taps) {
            float wv = w[wBase + t.index];
            for (int r = 0; r < t.yRow.length; r++) {
              int yi = yBase + t.yRow[r];
              int xi = xBase + t.xRow[r];
              if (sw == 1) {
                for (int i = 0; i < t.count; i++) y[yi + i] += wv * x[xi + i];
              } else {
                for (int i = 0; i < t.count; i++) y[yi + i] += wv * x[xi + i * sw];
              }
            }
          }
        }
      }
    });
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    Geometry g = Geometry.of(c);
    float[] dy = c.gradOut(0).data();
    if (c.gradIn(0) != null) inputGradient(g, c.in(1).data(), dy, c.gradIn(0).data());
    if (c.gradIn(1) != null) weightGradient(g, c.in(0).data(), dy, c.gradIn(1).data());
    if (c.hasInput(2) && c.gradIn(2) != null) biasGradient(g, dy, c.gradIn(2).data());
  }

  /** dx[n, c, o * stride - pad + k * dilation] += W[m, c, k] * dy[n, m, o]: the forward loops, read backwards. */
  private static void inputGradient(Geometry g, float[] w, float[] dy, float[] dx) {
    int sw = g.sw;
    Parallel.range(g.n, g.workPerItem(), n -> {
      for (int m = 0; m < g.m; m++) {
        int yBase = (n * g.m + m) * g.outPlane;
        int firstChannel = (m / g.mg) * g.cg;
        for (int ci = 0; ci < g.cg; ci++) {
          int xBase = (n * g.c + firstChannel + ci) * g.inPlane;
          int wBase = (m * g.cg + ci) * g.kernel;
          for (Tap t : g.taps) {
            float wv = w[wBase + t.index];
            for (int r = 0; r < t.yRow.length; r++) {
              int yi = yBase + t.yRow[r];
              int xi = xBase + t.xRow[r];
              for (int i = 0; i < t.count; i++) dx[xi + i * sw] += wv * dy[yi + i];
            }
          }
        }
      }
    });
  }

  /** dW[m, c, k] += sum over n and o of dy[n, m, o] * x[n, c, o * stride - pad + k * dilation], in float64. */
  private static void weightGradient(Geometry g, float[] x, float[] dy, float[] dw) {
    int sw = g.sw;
    long work = (long) g.n * g.cg * g.kernel * g.outPlane;
    Parallel.range(g.m, work, m -> {
      int firstChannel = (m / g.mg) * g.cg;
      for (int ci = 0; ci < g.cg; ci++) {
        int wBase = (m * g.cg + ci) * g.kernel;
        for (Tap t : g.taps) {
          double sum = 0;
          for (int n = 0; n < g.n; n++) {
            int xBase = (n * g.c + firstChannel + ci) * g.inPlane;
            int yBase = (n * g.m + m) * g.outPlane;
            for (int r = 0; r < t.yRow.length; r++) {
              int yi = yBase + t.yRow[r];
              int xi = xBase + t.xRow[r];
              double s = 0;
              for (int i = 0; i < t.count; i++) s += dy[yi + i] * x[xi + i * sw];
              sum += s;
            }
          }
          dw[wBase + t.index] += (float) sum;
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
   * One kernel tap (kd, kh, kw) and the output rows it touches: for row r, the run of {@code count} outputs from
   * offset yRow[r] in the output plane reads the input from offset xRow[r] in the input plane, stepping by the w
   * stride. Rows and runs are clipped so that every read lies inside the input (padding contributes zero).
   */
  private record Tap(int index, int[] yRow, int[] xRow, int count) {}

  /** The sizes of one Conv call (window seen as 3-D) and its taps. */
  private static final class Geometry {
    final int n, c, m, cg, mg, sw, inPlane, outPlane, kernel;
    final Tap[] taps;

    Geometry(KernelCall call) {
      OpContext ctx = call.context();
      SpatialWindow win = ConvSpec.window(ctx).to3d();
      int group = ConvSpec.group(ctx);
      n = ctx.in(0).dim(0);
      c = ctx.in(0).dim(1);
      m = ctx.in(1).dim(0);
      cg = c / group;
      mg = m / group;
      sw = win.strides()[2];
      inPlane = win.inputSize();
      outPlane = win.outputSize();
      kernel = win.kernelSize();
      taps = taps(win);
    }

    static Geometry of(KernelCall call) {
      return new Geometry(call);
    }

    long workPerItem() {
      return (long) m * cg * kernel * outPlane;
    }

    private static Tap[] taps(SpatialWindow win) {
      int[] in = win.in();
      int[] out = win.out();
      int[] k = win.kernel();
      int[] s = win.strides();
      int[] d = win.dilations();
      int[] p = win.padBegin();
      Tap[] taps = new Tap[win.kernelSize()];
      int index = 0;
      for (int kd = 0; kd < k[0]; kd++) {
        for (int kh = 0; kh < k[1]; kh++) {
          for (int kw = 0; kw < k[2]; kw++) {
            int offW = kw * d[2] - p[2];
            int first = firstInside(offW, s[2]);
            int count = Math.max(0, endInside(offW, s[2], in[2], out[2]) - first);
            int[] yRow = new int[out[0] * out[1]];
            int[] xRow = new int[yRow.length];
            int rows = 0;
            for (int od = 0; od < out[0] && count > 0; od++) {
              int id = od * s[0] - p[0] + kd * d[0];
              if (id < 0 || id >= in[0]) continue;
              for (int oh = 0; oh < out[1]; oh++) {
                int ih = oh * s[1] - p[1] + kh * d[1];
                if (ih < 0 || ih >= in[1]) continue;
                yRow[rows] = (od * out[1] + oh) * out[2] + first;
                xRow[rows] = (id * in[1] + ih) * in[2] + first * s[2] + offW;
                rows++;
              }
            }
            taps[index] = new Tap(index, Arrays.copyOf(yRow, rows), Arrays.copyOf(xRow, rows),
                count);
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
