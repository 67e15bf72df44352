package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ops.ConvSpec;
import org.featviz.ops.SpatialWindow;

/**
 * The sizes of one Conv call (its window seen as 3-D), its taps, and the patch-matrix gather and
 * scatter that {@link ConvRef} and {@link ConvBlas} share.
 */
final class ConvGeometry {
  /**
   * One kernel tap t = (kd, kh, kw), index t in the flattened kD x kH x kW kernel, and where it
   * reads: along w, outputs first .. first + count - 1 of every output row land inside the input;
   * output row r = (od, oh) reads the input from offset xRow[r] of the input plane (for output
   * first, stepping by the w stride), or nothing (xRow[r] = -1) where the tap's input row lies in
   * the padding.
   */
  record Tap(int index, int first, int count, int[] xRow) {}

  final int n, c, m, groups, cg, mg, k, kernel, sw, ow, rows, inPlane, outPlane, blockRows;
  final Tap[] taps;
  final SpatialWindow win;

  ConvGeometry(KernelCall call) {
    this(call, ConvRef.BLOCK);
  }

  /** The geometry of a call, with column blocks of whole output rows, about {@code block} long. */
  ConvGeometry(KernelCall call, int block) {
    this(
        call.context().in(0).dim(0),
        call.context().in(0).dim(1),
        call.context().in(1).dim(0),
        ConvSpec.group(call.context()),
        ConvSpec.window(call.context()).to3d(),
        block);
  }

  /**
   * N batch items of C channels, M output channels in G groups, over a 3-D window; column blocks of
   * whole output rows, about {@code block} long.
   */
  ConvGeometry(int n, int c, int m, int groups, SpatialWindow win, int block) {
    this.n = n;
    this.c = c;
    this.m = m;
    this.groups = groups;
    this.win = win;
    cg = c / groups;
    mg = m / groups;
    kernel = win.kernelSize();
    k = cg * kernel;
    sw = win.strides()[2];
    ow = win.out()[2];
    rows = win.out()[0] * win.out()[1];
    inPlane = win.inputSize();
    outPlane = win.outputSize();
    blockRows = Math.max(1, Math.min(rows, block / ow));
    taps = taps(win);
  }

  /**
   * For a convolution of stride 1, the one whose forward is this one's input gradient: dx = the
   * convolution of dy (M channels) with the weights flipped in space and transposed per group (see
   * {@link ConvBlas#flippedTransposed}), padded by extent - 1 - pad on each side; null where a
   * stride is not 1 or a pad exceeds extent - 1 (the gradient then goes through a scatter).
   */
  ConvGeometry transposed(int block) {
    int[] padBegin = new int[3];
    int[] padEnd = new int[3];
    for (int a = 0; a < 3; a++) {
      int reach = SpatialWindow.extent(win.kernel()[a], win.dilations()[a]) - 1;
      padBegin[a] = reach - win.padBegin()[a];
      padEnd[a] = reach - win.padEnd()[a];
      if (win.strides()[a] != 1 || padBegin[a] < 0 || padEnd[a] < 0) return null;
    }
    SpatialWindow t =
        new SpatialWindow(
            win.out(),
            win.kernel(),
            new int[] {1, 1, 1},
            win.dilations(),
            padBegin,
            padEnd,
            win.in());
    return new ConvGeometry(n, m, c, groups, t, block);
  }

  /**
   * One parallel task of a convolution: batch item n, group, and the channels [first, end) of a
   * slice of the group's channels (numbered within the group).
   */
  interface Task {
    void run(int n, int group, int first, int end);
  }

  /**
   * Runs {@code task} for every batch item, group and slice of a group's {@code channels} channels
   * ({@link #slices}), in parallel; no two tasks share a (batch item, group, channel).
   */
  void forEachTask(int channels, Task task) {
    int slices = slices(channels);
    Parallel.range(
        n * groups * slices,
        workPerItem() / (groups * slices),
        t -> {
          int s = t % slices;
          task.run(
              t / (groups * slices),
              t / slices % groups,
              channels * s / slices,
              channels * (s + 1) / slices);
        });
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
   * ConvRef#MIN_SLICE} channels, since each task gathers its own column block.
   */
  int slices(int channels) {
    int tasks = n * groups;
    int wanted = (2 * Runtime.getRuntime().availableProcessors() + tasks - 1) / tasks;
    return Math.max(1, Math.min(wanted, channels / ConvRef.MIN_SLICE));
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

  /**
   * {@link #gather} into one array: row ci * kernel + t of the patch matrix at {@code col[row *
   * len]}, len = (r1 - r0) * ow; every element of the K x len block is written. (Into a Java array,
   * then copied to native memory in one piece: FloatBuffer's bulk put costs too much per call for
   * rows of a few floats.)
   */
  void gatherFlat(float[] x, int xBase, int r0, int r1, float[] col) {
    int len = (r1 - r0) * ow;
    for (int ci = 0; ci < cg; ci++) {
      int channelBase = xBase + ci * inPlane;
      for (Tap t : taps) {
        int rowStart = (ci * kernel + t.index) * len;
        for (int r = r0; r < r1; r++) {
          int dst = rowStart + (r - r0) * ow;
          int src = t.xRow[r];
          if (src < 0) {
            for (int j = dst; j < dst + ow; j++) col[j] = 0f;
            continue;
          }
          int from = channelBase + src;
          int to = dst + t.first;
          // The pads are a tap or two wide: a loop costs less than a call to Arrays.fill.
          for (int j = dst; j < to; j++) col[j] = 0f;
          if (sw == 1) {
            System.arraycopy(x, from, col, to, t.count);
          } else {
            for (int i = 0; i < t.count; i++) col[to + i] = x[from + i * sw];
          }
          for (int j = to + t.count; j < dst + ow; j++) col[j] = 0f;
        }
      }
    }
  }

  /**
   * {@link #scatterAdd} from one array: the rows of input channels c0 .. c1 - 1, row (ci - c0) *
   * kernel + t at {@code dcol[row * len]}, len = (r1 - r0) * ow.
   */
  void scatterAddFlat(float[] dcol, int c0, int c1, int r0, int r1, float[] dx, int xBase) {
    int len = (r1 - r0) * ow;
    for (int ci = c0; ci < c1; ci++) {
      int channelBase = xBase + ci * inPlane;
      for (Tap t : taps) {
        int rowStart = ((ci - c0) * kernel + t.index) * len;
        for (int r = r0; r < r1; r++) {
          int src = t.xRow[r];
          if (src < 0) continue;
          int from = rowStart + (r - r0) * ow + t.first;
          int to = channelBase + src;
          if (sw == 1) {
            for (int i = 0; i < t.count; i++) dx[to + i] += dcol[from + i];
          } else {
            for (int i = 0; i < t.count; i++) dx[to + i * sw] += dcol[from + i];
          }
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

  /** The first output o >= 0 with o * stride + offset >= 0. */
  static int firstInside(int offset, int stride) {
    return offset >= 0 ? 0 : Math.floorDiv(-offset + stride - 1, stride);
  }

  /** One past the last output o < outSize with o * stride + offset < inSize (at least 0). */
  static int endInside(int offset, int stride, int inSize, int outSize) {
    return Math.max(0, Math.min(outSize, Math.floorDiv(inSize - 1 - offset, stride) + 1));
  }
}
