package org.featviz.device;

import java.util.Arrays;

/**
 * One pooling as cuDNN describes it: NCHW (or NCDHW) float tensors, 2 or 3 spatial axes, a window, symmetric
 * padding smaller than the window, strides, no dilation, floor rounding. ONNX's asymmetric pads and ceil_mode are
 * lowered by a plan (an explicit Pad) or refused there; 1-D pooling is 2-D with H = 1.
 *
 * <pre>
 * Shapes: N batch, C channels; x  N x C x in...,  y  N x C x out...
 *   out[i] = floor((in[i] + 2 pads[i] - window[i]) / strides[i]) + 1
 *   MAX:                        y = max over the window's taps inside the input (padding never wins)
 *   AVERAGE_COUNT_INCLUDE_PAD:  y = sum over taps inside the input / window size (padding counts as zeros)
 *   AVERAGE_COUNT_EXCLUDE_PAD:  y = sum over taps inside the input / their number
 * </pre>
 */
public record PoolDescriptor(Mode mode, int n, int c, int[] in, int[] window, int[] pads, int[] strides) {
  /** cuDNN's pooling modes that ONNX MaxPool and AveragePool need. */
  public enum Mode { MAX, AVERAGE_COUNT_INCLUDE_PAD, AVERAGE_COUNT_EXCLUDE_PAD }

  public PoolDescriptor {
    in = in.clone();
    window = window.clone();
    pads = pads.clone();
    strides = strides.clone();
    int rank = in.length;
    if (mode == null) throw new IllegalArgumentException("pooling: no mode");
    if (rank < 2 || rank > 3) {
      throw new IllegalArgumentException("pooling: 2 or 3 spatial axes, got " + rank + " (in " + Arrays.toString(in)
          + "); 1-D pooling is 2-D with H = 1");
    }
    if (window.length != rank || pads.length != rank || strides.length != rank) {
      throw new IllegalArgumentException("pooling: window, pads and strides need " + rank + " values each: "
          + describe(in, window, pads, strides));
    }
    if (n < 1 || c < 1) throw new IllegalArgumentException("pooling: N " + n + " and C " + c + " must be positive");
    for (int i = 0; i < rank; i++) {
      if (in[i] < 1 || window[i] < 1 || strides[i] < 1 || pads[i] < 0 || pads[i] >= window[i]
          || in[i] + 2 * pads[i] < window[i]) {
        throw new IllegalArgumentException("pooling: sizes must be positive, pads non-negative and smaller than the "
            + "window, and the window must fit the padded input: " + describe(in, window, pads, strides));
      }
    }
  }

  public int[] out() {
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) out[i] = (in[i] + 2 * pads[i] - window[i]) / strides[i] + 1;
    return out;
  }

  public int[] inputDims() {
    return Dims.concat(new int[] {n, c}, in);
  }

  public int[] outputDims() {
    return Dims.concat(new int[] {n, c}, out());
  }

  public long inputCount() {
    return Dims.product(inputDims());
  }

  public long outputCount() {
    return Dims.product(outputDims());
  }

  @Override
  public int[] in() {
    return in.clone();
  }

  @Override
  public int[] window() {
    return window.clone();
  }

  @Override
  public int[] pads() {
    return pads.clone();
  }

  @Override
  public int[] strides() {
    return strides.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolDescriptor d && mode == d.mode && n == d.n && c == d.c && Arrays.equals(in, d.in)
        && Arrays.equals(window, d.window) && Arrays.equals(pads, d.pads) && Arrays.equals(strides, d.strides);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(new Object[] {mode, n, c, in, window, pads, strides});
  }

  @Override
  public String toString() {
    return "PoolDescriptor[" + mode + ", N " + n + ", C " + c + ", " + describe(in, window, pads, strides) + "]";
  }

  private static String describe(int[] in, int[] window, int[] pads, int[] strides) {
    return "in " + Arrays.toString(in) + ", window " + Arrays.toString(window) + ", pads " + Arrays.toString(pads)
        + ", strides " + Arrays.toString(strides);
  }
}
