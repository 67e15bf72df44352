package org.featviz.device;

/**
 * The geometry of one convolution as cuDNN describes it: NCHW (or NCDHW) float tensors, 2 or 3
 * spatial axes, symmetric padding, cross-correlation (ONNX Conv), grouped. cuDNN cannot pad one
 * side more than the other, so a plan lowers ONNX's asymmetric pads as an explicit Pad before the
 * convolution; 1-D convolutions are 2-D ones with H = 1. Both devices accept exactly these
 * descriptors, so what runs on the emulator also runs on a GPU.
 *
 * <pre>
 * Shapes: N batch, C input channels, K output channels, G groups, spatial axes (H, W) or (D, H, W)
 *   x  N x C x in...        w  K x C/G x kernel...        y  N x K x out...
 *   out[i] = floor((in[i] + 2 pads[i] - ((kernel[i] - 1) dilations[i] + 1)) / strides[i]) + 1
 *   y[n, k, o] = sum over c in k's group and taps t of w[k, c, t] x[n, c, o strides - pads + t dilations]
 * </pre>
 *
 * Equal descriptors (value equality, arrays included) share cached cuDNN algorithm choices. The
 * spatial axes are a {@link SpatialAxes} (checked here), as a {@link PoolDescriptor}'s are.
 */
public record ConvDescriptor(int n, int c, int k, int groups, SpatialAxes axes)
    implements SpatialDescriptor {
  public ConvDescriptor {
    if (n < 1 || c < 1 || k < 1 || groups < 1 || c % groups != 0 || k % groups != 0) {
      throw new IllegalArgumentException(
          "convolution: N "
              + n
              + ", C "
              + c
              + ", K "
              + k
              + " must be positive and the "
              + "groups "
              + groups
              + " must divide C and K");
    }
    axes.check("convolution", "kernel", "a 1-D convolution is a 2-D one with H = 1", true);
  }

  public ConvDescriptor(
      int n,
      int c,
      int[] in,
      int k,
      int[] kernel,
      int[] pads,
      int[] strides,
      int[] dilations,
      int groups) {
    this(n, c, k, groups, new SpatialAxes(in, kernel, pads, strides, dilations));
  }

  public int[] kernel() {
    return axes.window();
  }

  public int[] dilations() {
    return axes.dilations();
  }

  /** w's dims: K x C/G x kernel. */
  public int[] weightDims() {
    return Dims.concat(new int[] {k, c / groups}, kernel());
  }

  /** y's dims: N x K x out. */
  public int[] outputDims() {
    return Dims.concat(new int[] {n, k}, out());
  }

  public long weightCount() {
    return Dims.product(weightDims());
  }

  public long outputCount() {
    return Dims.product(outputDims());
  }

  @Override
  public String toString() {
    return "ConvDescriptor[N "
        + n
        + ", C "
        + c
        + ", K "
        + k
        + ", groups "
        + groups
        + ", "
        + axes.describe("kernel", true)
        + "]";
  }
}
