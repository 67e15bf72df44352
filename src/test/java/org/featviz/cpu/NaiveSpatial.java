package org.featviz.cpu;

/**
 * Plain references for the spatial op tests, written straight from the ONNX spec and independent of
 * the kernels: one loop per index, every window tap checked against the input bounds. Tensors are N
 * x C x D x H x W (pass D = 1 for 2-D and D = H = 1 for 1-D); geometry arrays hold the three
 * spatial axes (D, H, W).
 */
final class NaiveSpatial {
  private NaiveSpatial() {}

  /** Window geometry per spatial axis (D, H, W); out is filled in by {@link #outputSize}. */
  record Geometry(
      int[] in,
      int[] kernel,
      int[] strides,
      int[] dilations,
      int[] padBegin,
      int[] padEnd,
      int[] out) {
    int outSize() {
      return out[0] * out[1] * out[2];
    }

    int inSize() {
      return in[0] * in[1] * in[2];
    }
  }

  /** The ONNX output size of one axis: floor or ceil of (in + pads - ((k - 1) * d + 1)) / s + 1. */
  static int outputSize(int in, int k, int s, int d, int padBegin, int padEnd, boolean ceil) {
    double span = (double) (in + padBegin + padEnd - ((k - 1) * d + 1)) / s + 1;
    int out = (int) (ceil ? Math.ceil(span) : Math.floor(span));
    // The spec drops a last window that would start inside the end padding.
    if (ceil && (out - 1) * s >= in + padBegin) out--;
    return out;
  }

  /** Geometry from explicit attributes; arrays of length 3 (D, H, W). */
  static Geometry geometry(
      int[] in,
      int[] kernel,
      int[] strides,
      int[] dilations,
      int[] padBegin,
      int[] padEnd,
      boolean ceil) {
    int[] out = new int[3];
    for (int a = 0; a < 3; a++) {
      out[a] = outputSize(in[a], kernel[a], strides[a], dilations[a], padBegin[a], padEnd[a], ceil);
    }
    return new Geometry(in, kernel, strides, dilations, padBegin, padEnd, out);
  }

  /**
   * The 2-D geometry of auto_pad mode (SAME_UPPER, SAME_LOWER or VALID) for an h x w input, a kh x
   * kw kernel and strides {sh, sw}, dilations 1.
   */
  static Geometry autoPad(String mode, int h, int w, int kh, int kw, int sh, int sw) {
    int[] ph = {0, 0};
    int[] pw = {0, 0};
    if (!mode.equals("VALID")) {
      ph = samePads(h, kh, sh, 1, mode.equals("SAME_UPPER"));
      pw = samePads(w, kw, sw, 1, mode.equals("SAME_UPPER"));
    }
    return undilated(
        new int[] {1, h, w},
        new int[] {1, kh, kw},
        new int[] {1, sh, sw},
        new int[] {0, ph[0], pw[0]},
        new int[] {0, ph[1], pw[1]},
        false);
  }

  /** {@link #geometry} with dilations 1 on every axis. */
  static Geometry undilated(
      int[] in, int[] kernel, int[] strides, int[] padBegin, int[] padEnd, boolean ceil) {
    return geometry(in, kernel, strides, new int[] {1, 1, 1}, padBegin, padEnd, ceil);
  }

  /**
   * A 2-D geometry (D = 1): an h x w input, a kh x kw kernel, strides and dilations {h, w}, pads
   * {hBegin, wBegin, hEnd, wEnd}.
   */
  static Geometry planar(
      int h, int w, int kh, int kw, int[] strides, int[] dilations, int[] pads, boolean ceil) {
    return geometry(
        new int[] {1, h, w},
        new int[] {1, kh, kw},
        new int[] {1, strides[0], strides[1]},
        new int[] {1, dilations[0], dilations[1]},
        new int[] {0, pads[0], pads[1]},
        new int[] {0, pads[2], pads[3]},
        ceil);
  }

  /**
   * The begin/end pads of auto_pad SAME_UPPER (upper = true) or SAME_LOWER on one axis: {begin,
   * end}.
   */
  static int[] samePads(int in, int k, int s, int d, boolean upper) {
    int out = (int) Math.ceil((double) in / s);
    int total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - in);
    int half = total / 2;
    return upper ? new int[] {half, total - half} : new int[] {total - half, half};
  }

  /**
   * Conv: y[n, m, o] = b[m] + sum over c in m's group and taps k of w[m, c, k] * x[n, c, o * s - p
   * + k * d].
   */
  static float[] conv(float[] x, float[] w, float[] b, int n, int c, int m, int group, Geometry g) {
    int cg = c / group;
    int mg = m / group;
    int[] k = g.kernel();
    float[] y = new float[n * m * g.outSize()];
    for (int in = 0; in < n; in++) {
      for (int om = 0; om < m; om++) {
        for (int od = 0; od < g.out()[0]; od++) {
          for (int oh = 0; oh < g.out()[1]; oh++) {
            for (int ow = 0; ow < g.out()[2]; ow++) {
              double sum = b == null ? 0 : b[om];
              for (int ci = 0; ci < cg; ci++) {
                int channel = (om / mg) * cg + ci;
                for (int kd = 0; kd < k[0]; kd++) {
                  for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++) {
                      int[] pos = tap(g, od, oh, ow, kd, kh, kw);
                      if (pos == null) continue;
                      float xv =
                          x[
                              (((in * c + channel) * g.in()[0] + pos[0]) * g.in()[1] + pos[1])
                                      * g.in()[2]
                                  + pos[2]];
                      float wv = w[(((om * cg + ci) * k[0] + kd) * k[1] + kh) * k[2] + kw];
                      sum += (double) xv * wv;
                    }
                  }
                }
              }
              y[(((in * m + om) * g.out()[0] + od) * g.out()[1] + oh) * g.out()[2] + ow] =
                  (float) sum;
            }
          }
        }
      }
    }
    return y;
  }

  /** MaxPool (max = true) or AveragePool over the taps inside the input; planes = N x C. */
  static float[] pool(float[] x, int planes, Geometry g, boolean max, boolean countIncludePad) {
    int[] k = g.kernel();
    float[] y = new float[planes * g.outSize()];
    for (int p = 0; p < planes; p++) {
      for (int od = 0; od < g.out()[0]; od++) {
        for (int oh = 0; oh < g.out()[1]; oh++) {
          for (int ow = 0; ow < g.out()[2]; ow++) {
            double best = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int inside = 0;
            int padded = 0;
            for (int kd = 0; kd < k[0]; kd++) {
              for (int kh = 0; kh < k[1]; kh++) {
                for (int kw = 0; kw < k[2]; kw++) {
                  if (insidePadded(g, od, oh, ow, kd, kh, kw)) padded++;
                  int[] pos = tap(g, od, oh, ow, kd, kh, kw);
                  if (pos == null) continue;
                  float v = x[((p * g.in()[0] + pos[0]) * g.in()[1] + pos[1]) * g.in()[2] + pos[2]];
                  best = Math.max(best, v);
                  sum += v;
                  inside++;
                }
              }
            }
            double value = max ? best : sum / (countIncludePad ? padded : inside);
            y[((p * g.out()[0] + od) * g.out()[1] + oh) * g.out()[2] + ow] = (float) value;
          }
        }
      }
    }
    return y;
  }

  /**
   * The input position (d, h, w) that tap (kd, kh, kw) of output (od, oh, ow) reads, or null in the
   * padding.
   */
  private static int[] tap(Geometry g, int od, int oh, int ow, int kd, int kh, int kw) {
    int[] o = {od, oh, ow};
    int[] k = {kd, kh, kw};
    int[] pos = new int[3];
    for (int a = 0; a < 3; a++) {
      pos[a] = o[a] * g.strides()[a] - g.padBegin()[a] + k[a] * g.dilations()[a];
      if (pos[a] < 0 || pos[a] >= g.in()[a]) return null;
    }
    return pos;
  }

  /** Whether the tap lies inside the padded input [-padBegin, in + padEnd) on every axis. */
  private static boolean insidePadded(Geometry g, int od, int oh, int ow, int kd, int kh, int kw) {
    int[] o = {od, oh, ow};
    int[] k = {kd, kh, kw};
    for (int a = 0; a < 3; a++) {
      int pos = o[a] * g.strides()[a] - g.padBegin()[a] + k[a] * g.dilations()[a];
      if (pos < -g.padBegin()[a] || pos >= g.in()[a] + g.padEnd()[a]) return false;
    }
    return true;
  }
}
