package org.featviz.cpu;

import org.featviz.ops.PoolSpec;
import org.featviz.ops.SpatialWindow;

/**
 * MaxPool over 2-D windows that lie wholly inside the input (no padding, dilation 1, any kernel and
 * stride: the pools of nearly every CNN): {@link MaxPoolRef}'s results bit for bit, the same rule
 * (the first maximum in window order, the first NaN where there is one), with each window read by
 * direct index instead of through a table of window offsets and without branches on the data
 * ({@link Windows#argmax}). The pools' argmax had been a quarter of the Java time of a fashion-cnn
 * render step (JFR, 1 thread); in a micro-benchmark of 2 x 2 windows (forward and backward, CPU
 * time) 6.7 ns a window against the reference's 14.5. Other windows go to the reference.
 */
final class MaxPoolFast implements DataGradientKernel {
  private static final MaxPoolRef REFERENCE = new MaxPoolRef();

  /** Input plane h x w, window kh x kw at strides sh, sw, output plane oh x ow. */
  private record Windows(int h, int w, int kh, int kw, int sh, int sw, int oh, int ow) {
    /** The windows of {@code c}, or null where they are not 2-D windows inside the input. */
    static Windows of(KernelCall c) {
      SpatialWindow s = PoolSpec.window(c.context());
      if (s.rank() != 2) return null;
      for (int a = 0; a < 2; a++) {
        if (s.padBegin()[a] != 0 || s.padEnd()[a] != 0 || s.dilations()[a] != 1) return null;
        // ceil_mode can add a last window that reaches past the input
        if ((s.out()[a] - 1) * s.strides()[a] + s.kernel()[a] > s.in()[a]) return null;
      }
      return new Windows(
          s.in()[0],
          s.in()[1],
          s.kernel()[0],
          s.kernel()[1],
          s.strides()[0],
          s.strides()[1],
          s.out()[0],
          s.out()[1]);
    }

    /**
     * The index in x of the argmax of window (i, j) of the plane starting at xBase. Branch-free
     * where the data decide (a branch on v > best mispredicts about every other tap on real
     * activations): the maximum by Math.max, which passes a NaN on, then the first tap equal to it
     * (from the last tap back, each equal one taking over), which is the reference's choice: its
     * running maximum moves only on a strictly greater tap, and -0 equals 0 in both.
     */
    int argmax(float[] x, int xBase, int i, int j) {
      int first = xBase + i * sh * w + j * sw;
      if (kh == 2 && kw == 2) return argmax2x2(x, first);
      float m = x[first];
      for (int a = 0; a < kh; a++) {
        for (int b = 0; b < kw; b++) m = Math.max(m, x[first + a * w + b]);
      }
      if (m != m) return firstNaN(x, first);
      int arg = first;
      for (int a = kh - 1; a >= 0; a--) {
        for (int b = kw - 1; b >= 0; b--) {
          int at = first + a * w + b;
          arg = x[at] == m ? at : arg;
        }
      }
      return arg;
    }

    /** {@link #argmax} unrolled for the most common window (twice as fast as the loops). */
    private int argmax2x2(float[] x, int first) {
      int below = first + w;
      float x0 = x[first];
      float x1 = x[first + 1];
      float x2 = x[below];
      float x3 = x[below + 1];
      float m = Math.max(Math.max(x0, x1), Math.max(x2, x3));
      if (m != m) return firstNaN(x, first);
      int arg = x3 == m ? below + 1 : below;
      arg = x2 == m ? below : arg;
      arg = x1 == m ? first + 1 : arg;
      return x0 == m ? first : arg;
    }

    private int firstNaN(float[] x, int first) {
      for (int a = 0; a < kh; a++) {
        for (int b = 0; b < kw; b++) {
          if (Float.isNaN(x[first + a * w + b])) return first + a * w + b;
        }
      }
      throw new IllegalStateException("no NaN in the window");
    }
  }

  /** What a pass does with each window: its argmax's index in x, its output's index. */
  private interface Route {
    void at(int argmax, int out);
  }

  /**
   * {@code route} for every window of {@code c}'s input x, planes in parallel (a backward adds into
   * its own plane of dx only); false, having done nothing, where the windows are not this kernel's.
   */
  private static boolean forEachWindow(KernelCall c, float[] x, Route route) {
    Windows p = Windows.of(c);
    if (p == null) return false;
    int planes = c.in(0).shape().size(0, 2);
    Parallel.range(
        planes,
        (long) p.oh() * p.ow() * p.kh() * p.kw(),
        plane -> {
          int xBase = plane * p.h() * p.w();
          int yBase = plane * p.oh() * p.ow();
          for (int i = 0; i < p.oh(); i++) {
            for (int j = 0; j < p.ow(); j++) {
              route.at(p.argmax(x, xBase, i, j), yBase + i * p.ow() + j);
            }
          }
        });
    return true;
  }

  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    if (!forEachWindow(c, x, (arg, o) -> y[o] = x[arg])) REFERENCE.forward(c, x, y);
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    float[] x = c.in(0).data();
    if (!forEachWindow(c, x, (arg, o) -> dx[arg] += dy[o])) REFERENCE.backward(c, dy, dx);
  }
}
