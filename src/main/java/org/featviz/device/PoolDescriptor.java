package org.featviz.device;

/**
 * One pooling as cuDNN describes it: NCHW (or NCDHW) float tensors, 2 or 3 spatial axes, a window,
 * symmetric padding smaller than the window, strides, no dilation, floor rounding. ONNX's
 * asymmetric pads and ceil_mode are lowered by a plan (an explicit Pad) or refused there; 1-D
 * pooling is 2-D with H = 1.
 *
 * <pre>
 * Shapes: N batch, C channels; x  N x C x in...,  y  N x C x out...
 *   out[i] = floor((in[i] + 2 pads[i] - window[i]) / strides[i]) + 1
 *   MAX:                        y = max over the window's taps inside the input (padding never wins)
 *   AVERAGE_COUNT_INCLUDE_PAD:  y = sum over taps inside the input / window size (padding counts as zeros)
 *   AVERAGE_COUNT_EXCLUDE_PAD:  y = sum over taps inside the input / their number
 * </pre>
 *
 * The spatial axes are a {@link SpatialAxes} without dilation (checked here), as a {@link
 * ConvDescriptor}'s are.
 */
public record PoolDescriptor(Mode mode, int n, int c, SpatialAxes axes)
    implements SpatialDescriptor, UnaryDescriptor {
  /** cuDNN's pooling modes that ONNX MaxPool and AveragePool need. */
  public enum Mode {
    MAX,
    AVERAGE_COUNT_INCLUDE_PAD,
    AVERAGE_COUNT_EXCLUDE_PAD
  }

  public PoolDescriptor {
    if (mode == null) throw new IllegalArgumentException("pooling: no mode");
    if (n < 1 || c < 1)
      throw new IllegalArgumentException("pooling: N " + n + " and C " + c + " must be positive");
    axes.check("pooling", "window", "1-D pooling is 2-D with H = 1", false);
    int[] window = axes.window();
    int[] pads = axes.pads();
    int[] dilations = axes.dilations();
    for (int i = 0; i < window.length; i++) {
      if (dilations[i] != 1 || pads[i] >= window[i]) {
        throw new IllegalArgumentException(
            "pooling: no dilation, and pads smaller than the window: "
                + axes.describe("window", false));
      }
    }
  }

  public PoolDescriptor(
      Mode mode, int n, int c, int[] in, int[] window, int[] pads, int[] strides) {
    this(mode, n, c, SpatialAxes.undilated(in, window, pads, strides));
  }

  public int[] window() {
    return axes.window();
  }

  public int[] outputDims() {
    return Dims.concat(new int[] {n, c}, out());
  }

  @Override
  public long inputCount() {
    return SpatialDescriptor.super.inputCount();
  }

  @Override
  public long outputCount() {
    return Dims.product(outputDims());
  }

  @Override
  public String operation() {
    return "pooling";
  }

  @Override
  public String toString() {
    return "PoolDescriptor["
        + mode
        + ", N "
        + n
        + ", C "
        + c
        + ", "
        + axes.describe("window", false)
        + "]";
  }
}
