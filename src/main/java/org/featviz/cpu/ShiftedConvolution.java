package org.featviz.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.featviz.ops.SpatialWindow;

/**
 * A stride-1 convolution as one matrix product per kernel tap, with no patch matrix: the input is
 * copied once, zero-padded, into native memory; in that padded layout tap t reads, for every
 * output, the input at one fixed offset from the output's own position, so its product is W_t [M,
 * C] times the padded input seen from that offset as a [C, N'] matrix whose rows are the channel
 * planes (leading dimension: the padded plane). The products accumulate into one [M, N'] result
 * laid out like the padded input; the columns that fall in the padding are computed and dropped.
 *
 * <p>Against im2col + one product ({@link ConvBlas}): the 9x (for 3 x 3) patch matrix is neither
 * gathered in Java nor copied to native memory; OpenBLAS packs each tap's operand itself. It pays
 * where a group has many input channels (each product's inner dimension is C): see {@link
 * #applies}.
 */
final class ShiftedConvolution {
  /** The fewest input channels per group for which the per-tap products are long enough. */
  static final int MIN_CHANNELS = 16;

  /** Output positions (of the padded layout) per column block, as ConvBlas's blocks. */
  private static final int BLOCK = ConvBlas.BLOCK;

  private final ConvGeometry g;
  private final int[] padded = new int[3];
  private final int paddedPlane;
  private final int[] tapOffset;

  private ShiftedConvolution(ConvGeometry g) {
    this.g = g;
    SpatialWindow w = g.win;
    for (int a = 0; a < 3; a++) padded[a] = w.in()[a] + w.padBegin()[a] + w.padEnd()[a];
    paddedPlane = padded[0] * padded[1] * padded[2];
    tapOffset = new int[g.kernel];
    int t = 0;
    for (int kd = 0; kd < w.kernel()[0]; kd++) {
      for (int kh = 0; kh < w.kernel()[1]; kh++) {
        for (int kw = 0; kw < w.kernel()[2]; kw++) {
          tapOffset[t++] =
              paddedIndex(kd * w.dilations()[0], kh * w.dilations()[1], kw * w.dilations()[2]);
        }
      }
    }
  }

  /**
   * The shifted form for a convolution with every stride 1 and at least {@link #MIN_CHANNELS} input
   * channels per group, or null.
   */
  static ShiftedConvolution of(ConvGeometry g) {
    if (g.cg < MIN_CHANNELS) return null;
    for (int s : g.win.strides()) if (s != 1) return null;
    return new ShiftedConvolution(g);
  }

  private int paddedIndex(int d, int h, int w) {
    return (d * padded[1] + h) * padded[2] + w;
  }

  /** Where output row r (= od * out height + oh) starts in the padded layout. */
  private int rowStart(int r) {
    int oh = g.win.out()[1];
    return paddedIndex(r / oh, r % oh, 0);
  }

  /**
   * Weights [M, Cg, kernel] as per group and tap a row-major [Mg, Cg] matrix: [group][tap][Mg][Cg].
   */
  float[] tapMajor(float[] w) {
    float[] t = new float[w.length];
    for (int group = 0; group < g.groups; group++) {
      for (int mi = 0; mi < g.mg; mi++) {
        for (int ci = 0; ci < g.cg; ci++) {
          int src = ((group * g.mg + mi) * g.cg + ci) * g.kernel;
          for (int tap = 0; tap < g.kernel; tap++) {
            t[((group * g.kernel + tap) * g.mg + mi) * g.cg + ci] = w[src + tap];
          }
        }
      }
    }
    return t;
  }

  /**
   * y = conv(x) (+ bias per output channel), or y += conv(x) when {@code accumulate}; {@code w}
   * holds {@link #tapMajor} weights in native memory.
   */
  void run(float[] x, FloatPointer w, float[] bias, float[] y, boolean accumulate) {
    int ow = g.ow;
    int outHeight = g.win.out()[1];
    int rowsPerBlock = Math.max(1, Math.min(g.rows, BLOCK / padded[2]));
    g.forEachTask(
        g.mg,
        (n, group, first, end) -> {
          int mCount = end - first;
          int m0 = group * g.mg + first;
          NativeScratch scratch = NativeScratch.get();
          FloatPointer xN = scratch.buffer(0, (long) g.cg * paddedPlane);
          FloatPointer outN = scratch.buffer(1, (long) mCount * rowsPerBlock * padded[2]);
          copyPadded(x, (n * g.c + group * g.cg) * g.inPlane, scratch);
          FloatBuffer out = scratch.view(1);
          float[] block = scratch.array(1, mCount * rowsPerBlock * padded[2]);
          for (int r0 = 0, r1; r0 < g.rows; r0 = r1) {
            // A block stays within one output depth slice, so its columns fit the buffers.
            r1 = Math.min(Math.min(g.rows, r0 + rowsPerBlock), (r0 / outHeight + 1) * outHeight);
            int start = rowStart(r0);
            int columns = rowStart(r1 - 1) + ow - start;
            for (int tap = 0; tap < g.kernel; tap++) {
              Blas.sgemm(
                  false,
                  false,
                  mCount,
                  columns,
                  g.cg,
                  1f,
                  w,
                  ((long) (group * g.kernel + tap) * g.mg + first) * g.cg,
                  g.cg,
                  xN,
                  start + tapOffset[tap],
                  paddedPlane,
                  tap == 0 ? 0f : 1f,
                  outN,
                  0,
                  columns);
            }
            out.get(0, block, 0, mCount * columns);
            for (int mi = 0; mi < mCount; mi++) {
              int m = m0 + mi;
              float bm = bias == null ? 0f : bias[m];
              for (int r = r0; r < r1; r++) {
                int src = mi * columns + rowStart(r) - start;
                int dst = (n * g.m + m) * g.outPlane + r * ow;
                if (accumulate) {
                  for (int j = 0; j < ow; j++) y[dst + j] += block[src + j] + bm;
                } else {
                  for (int j = 0; j < ow; j++) y[dst + j] = block[src + j] + bm;
                }
              }
            }
          }
        });
  }

  /** The group's channels of one batch item, zero-padded, into native buffer 0 (one bulk copy). */
  private void copyPadded(float[] x, int xBase, NativeScratch scratch) {
    SpatialWindow w = g.win;
    int[] in = w.in();
    float[] p = scratch.array(0, g.cg * paddedPlane);
    java.util.Arrays.fill(p, 0, g.cg * paddedPlane, 0f);
    for (int ci = 0; ci < g.cg; ci++) {
      for (int d = 0; d < in[0]; d++) {
        for (int h = 0; h < in[1]; h++) {
          int src = xBase + ci * g.inPlane + (d * in[1] + h) * in[2];
          int dst =
              ci * paddedPlane
                  + paddedIndex(d + w.padBegin()[0], h + w.padBegin()[1], w.padBegin()[2]);
          System.arraycopy(x, src, p, dst, in[2]);
        }
      }
    }
    scratch.view(0).put(0, p, 0, g.cg * paddedPlane);
  }
}
