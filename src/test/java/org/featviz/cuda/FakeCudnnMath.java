package org.featviz.cuda;

import java.util.Arrays;
import org.featviz.cuda.FakeCudnn.Geometry;

/**
 * The formulas {@link FakeCudnn} computes, on dense row-major arrays in double: convolution and its
 * adjoint (groups, strides, dilations, padding, the filter flipped for CUDNN_CONVOLUTION), pooling
 * windows and the max rule, ReLU, LRN's scale. Written from the cuDNN documentation (see
 * FakeCudnn's class comment), sharing nothing with featviz's CPU reference; FakeCudnn holds the
 * API's behaviour (descriptors, checks, statuses, alpha/beta blending).
 */
final class FakeCudnnMath {
  private FakeCudnnMath() {}

  /** Spatial dims padded in front to three. */
  static int[] pad3(int[] spatial, int fill) {
    int[] r = new int[3];
    Arrays.fill(r, fill);
    System.arraycopy(spatial, 0, r, 3 - spatial.length, spatial.length);
    return r;
  }

  /**
   * One tap of a convolution: output y (dense N x K x out), input x (dense N x C x in), filter w (K
   * x C/G x taps).
   */
  private interface Tap {
    void at(int y, int x, int w);
  }

  /**
   * Every tap of the convolution that falls inside the input (padding taps skipped), outputs in
   * order and within each output its channels and taps in order: the one loop that convolve and its
   * adjoint both run.
   */
  private static void forEachTap(Geometry g, Tap tap) {
    int[] in = g.in();
    int[] ks = g.kernel();
    int[] out = g.out();
    int cg = g.c() / g.groups();
    int kg = g.k() / g.groups();
    int inPlane = in[0] * in[1] * in[2];
    int taps = ks[0] * ks[1] * ks[2];
    int at = 0;
    for (int n = 0; n < g.n(); n++) {
      for (int k = 0; k < g.k(); k++) {
        int c0 = (k / kg) * cg;
        for (int o0 = 0; o0 < out[0]; o0++) {
          for (int o1 = 0; o1 < out[1]; o1++) {
            for (int o2 = 0; o2 < out[2]; o2++, at++) {
              for (int cl = 0; cl < cg; cl++) {
                int xBase = (n * g.c() + c0 + cl) * inPlane;
                int wBase = (k * cg + cl) * taps;
                for (int t0 = 0; t0 < ks[0]; t0++) {
                  int i0 = o0 * g.strides()[0] - g.pads()[0] + t0 * g.dilations()[0];
                  if (i0 < 0 || i0 >= in[0]) continue;
                  for (int t1 = 0; t1 < ks[1]; t1++) {
                    int i1 = o1 * g.strides()[1] - g.pads()[1] + t1 * g.dilations()[1];
                    if (i1 < 0 || i1 >= in[1]) continue;
                    for (int t2 = 0; t2 < ks[2]; t2++) {
                      int i2 = o2 * g.strides()[2] - g.pads()[2] + t2 * g.dilations()[2];
                      if (i2 < 0 || i2 >= in[2]) continue;
                      tap.at(
                          at, xBase + (i0 * in[1] + i1) * in[2] + i2, wBase + tap(g, t0, t1, t2));
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * The output extents of a window sliding over in (all padded to three axes): 1 + (in + 2 pad -
   * span) / stride with span = (window - 1) dilation + 1; null where the window does not fit into
   * the padded input.
   */
  static int[] outputDims(int[] in, int[] window, int[] pads, int[] strides, int[] dilations) {
    int[] out = new int[3];
    for (int i = 0; i < 3; i++) {
      int span = (window[i] - 1) * dilations[i] + 1;
      if (in[i] + 2 * pads[i] < span) return null;
      out[i] = 1 + (in[i] + 2 * pads[i] - span) / strides[i];
    }
    return out;
  }

  /** conv(x, w) in double, dense N x K x out. */
  static double[] convolve(Geometry g, float[] x, float[] w) {
    double[] y = new double[(int) g.outputCount()];
    forEachTap(g, (yi, xi, wi) -> y[yi] += (double) x[xi] * w[wi]);
    return y;
  }

  /** The adjoint of {@link #convolve}: dx (dense N x C x in) from dy (dense N x K x out). */
  static double[] convolveTransposed(Geometry g, float[] dy, float[] w) {
    int[] in = g.in();
    double[] dx = new double[g.n() * g.c() * in[0] * in[1] * in[2]];
    forEachTap(g, (yi, xi, wi) -> dx[xi] += (double) dy[yi] * w[wi]);
    return dx;
  }

  /**
   * The filter offset of tap (t0, t1, t2) within one (k, c) plane; CUDNN_CONVOLUTION flips the
   * filter.
   */
  static int tap(Geometry g, int t0, int t1, int t2) {
    int[] ks = g.kernel();
    if (g.flip()) {
      t0 = ks[0] - 1 - t0;
      t1 = ks[1] - 1 - t1;
      t2 = ks[2] - 1 - t2;
    }
    return (t0 * ks[1] + t1) * ks[2] + t2;
  }

  /**
   * Pooling windows: per output position of a plane, the input offsets (in window order) inside the
   * input.
   */
  static int[][] windows(int[] window, int[] pads, int[] strides, int[] in, int[] out) {
    int[] win = pad3(window, 1);
    int[] pad = pad3(pads, 0);
    int[] str = pad3(strides, 1);
    int[][] taps = new int[out[0] * out[1] * out[2]][];
    int o = 0;
    for (int o0 = 0; o0 < out[0]; o0++) {
      for (int o1 = 0; o1 < out[1]; o1++) {
        for (int o2 = 0; o2 < out[2]; o2++) {
          int[] list = new int[win[0] * win[1] * win[2]];
          int used = 0;
          for (int t0 = 0; t0 < win[0]; t0++) {
            int i0 = o0 * str[0] - pad[0] + t0;
            for (int t1 = 0; t1 < win[1]; t1++) {
              int i1 = o1 * str[1] - pad[1] + t1;
              for (int t2 = 0; t2 < win[2]; t2++) {
                int i2 = o2 * str[2] - pad[2] + t2;
                if (i0 >= 0 && i0 < in[0] && i1 >= 0 && i1 < in[1] && i2 >= 0 && i2 < in[2]) {
                  list[used++] = (i0 * in[1] + i1) * in[2] + i2;
                }
              }
            }
          }
          taps[o++] = Arrays.copyOf(list, used);
        }
      }
    }
    return taps;
  }

  /**
   * The tap of a max window that wins (first maximum in window order; a NaN wins under
   * PROPAGATE_NAN), or -1.
   */
  static int argmax(float[] x, int base, int[] taps, boolean propagateNan) {
    int best = -1;
    for (int t : taps) {
      float v = x[base + t];
      if (Float.isNaN(v)) {
        if (propagateNan) return t;
        continue;
      }
      if (best < 0 || v > x[base + best]) best = t;
    }
    return best;
  }

  /** max(v, 0); NaN stays NaN where NaN propagates, else 0. */
  static float relu(float v, boolean propagateNan) {
    if (Float.isNaN(v)) return propagateNan ? v : 0f;
    return v > 0 ? v : 0f;
  }

  /**
   * Channel c's LRN window of width n: [c - floor((n-1)/2), c + ceil((n-1)/2)], clipped to the
   * channels.
   */
  static int lo(int n, int c) {
    return Math.max(0, c - (n - 1) / 2);
  }

  static int hi(int n, int c, int channels) {
    return Math.min(channels - 1, c + n / 2);
  }

  /** For dense N x C x rest data: s[b, c, r] = k + alpha / n sum over c's window of x^2. */
  static double[] lrnScale(
      int n, double alpha, double k, float[] x, int batch, int channels, int rest) {
    double[] s = new double[x.length];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        for (int r = 0; r < rest; r++) {
          double sum = 0;
          for (int j = lo(n, c); j <= hi(n, c, channels); j++) {
            double v = x[(b * channels + j) * rest + r];
            sum += v * v;
          }
          s[(b * channels + c) * rest + r] = k + alpha / n * sum;
        }
      }
    }
    return s;
  }
}
