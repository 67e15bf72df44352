package org.featviz.device;

import java.util.Arrays;

/**
 * The spatial axes of a convolution or pooling as cuDNN's Nd descriptors give them: input sizes, a
 * window of taps {@code dilations} apart (all 1 for pooling), symmetric pads and strides, 2 or 3
 * axes. Value equality, arrays included. {@link ConvDescriptor} and {@link PoolDescriptor} hold one
 * and check it ({@link #check}) with their own names in the messages.
 *
 * <pre>
 *   out[i] = floor((in[i] + 2 pads[i] - ((window[i] - 1) dilations[i] + 1)) / strides[i]) + 1
 * </pre>
 */
public record SpatialAxes(int[] in, int[] window, int[] pads, int[] strides, int[] dilations) {
  public SpatialAxes {
    in = in.clone();
    window = window.clone();
    pads = pads.clone();
    strides = strides.clone();
    dilations = dilations.clone();
  }

  /** Axes without dilation (pooling). */
  static SpatialAxes undilated(int[] in, int[] window, int[] pads, int[] strides) {
    int[] ones = new int[in.length];
    Arrays.fill(ones, 1);
    return new SpatialAxes(in, window, pads, strides, ones);
  }

  /**
   * Checks what cuDNN accepts: 2 or 3 axes, one value per axis in every array, positive sizes,
   * strides and dilations, non-negative pads, and a window that fits the padded input.
   *
   * @param op "convolution" or "pooling", for the messages
   * @param windowName what the op calls its window ("kernel", "window")
   * @param oneD how the op expresses one spatial axis, for the message on rank 1
   * @param dilated whether the op has dilations (a convolution), for the messages
   */
  void check(String op, String windowName, String oneD, boolean dilated) {
    int rank = in.length;
    if (rank < 2 || rank > 3) {
      throw new IllegalArgumentException(
          op + ": 2 or 3 spatial axes, got " + rank + " (in " + Arrays.toString(in) + "); " + oneD);
    }
    if (window.length != rank
        || pads.length != rank
        || strides.length != rank
        || dilations.length != rank) {
      throw new IllegalArgumentException(
          op
              + ": "
              + windowName
              + ", pads"
              + (dilated ? ", strides and dilations" : " and strides")
              + " need "
              + rank
              + " values each: "
              + describe(windowName, dilated));
    }
    for (int i = 0; i < rank; i++) {
      if (in[i] < 1 || window[i] < 1 || pads[i] < 0 || strides[i] < 1 || dilations[i] < 1) {
        throw new IllegalArgumentException(
            op
                + ": sizes must be positive and pads non-negative: "
                + describe(windowName, dilated));
      }
      if (in[i] + 2 * pads[i] < span(i)) {
        throw new IllegalArgumentException(
            op
                + ": the "
                + windowName
                + " does not fit the padded input on spatial axis "
                + i
                + ": "
                + describe(windowName, dilated));
      }
    }
  }

  /** Output size per spatial axis (see the class comment). */
  public int[] out() {
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) out[i] = (in[i] + 2 * pads[i] - span(i)) / strides[i] + 1;
    return out;
  }

  /** The input extent one window covers on axis i. */
  private int span(int i) {
    return (window[i] - 1) * dilations[i] + 1;
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
  public int[] dilations() {
    return dilations.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpatialAxes a
        && Arrays.equals(in, a.in)
        && Arrays.equals(window, a.window)
        && Arrays.equals(pads, a.pads)
        && Arrays.equals(strides, a.strides)
        && Arrays.equals(dilations, a.dilations);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(new Object[] {in, window, pads, strides, dilations});
  }

  @Override
  public String toString() {
    return "SpatialAxes[" + describe("window", true) + "]";
  }

  /**
   * "in [...], kernel [...], pads [...], strides [...]", and ", dilations [...]" where {@code
   * dilated}.
   */
  String describe(String windowName, boolean dilated) {
    return "in "
        + Arrays.toString(in)
        + ", "
        + windowName
        + " "
        + Arrays.toString(window)
        + ", pads "
        + Arrays.toString(pads)
        + ", strides "
        + Arrays.toString(strides)
        + (dilated ? ", dilations " + Arrays.toString(dilations) : "");
  }
}
