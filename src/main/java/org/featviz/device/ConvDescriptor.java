package org.featviz.device;

import java.util.Arrays;

/**
 * The geometry of one convolution as cuDNN describes it: NCHW (or NCDHW) float tensors, 2 or 3 spatial axes,
 * symmetric padding, cross-correlation (ONNX Conv), grouped. cuDNN cannot pad one side more than the other, so a
 * plan lowers ONNX's asymmetric pads as an explicit Pad before the convolution; 1-D convolutions are 2-D ones with
 * H = 1. Both devices accept exactly these descriptors, so what runs on the emulator also runs on a GPU.
 *
 * <pre>
 * Shapes: N batch, C input channels, K output channels, G groups, spatial axes (H, W) or (D, H, W)
 *   x  N x C x in...        w  K x C/G x kernel...        y  N x K x out...
 *   out[i] = floor((in[i] + 2 pads[i] - ((kernel[i] - 1) dilations[i] + 1)) / strides[i]) + 1
 *   y[n, k, o] = sum over c in k's group and taps t of w[k, c, t] x[n, c, o strides - pads + t dilations]
 * </pre>
 *
 * Equal descriptors (value equality, arrays included) share cached cuDNN algorithm choices.
 */
public record ConvDescriptor(int n, int c, int[] in, int k, int[] kernel, int[] pads, int[] strides, int[] dilations,
    int groups) {

  public ConvDescriptor {
    in = in.clone();
    kernel = kernel.clone();
    pads = pads.clone();
    strides = strides.clone();
    dilations = dilations.clone();
    int rank = in.length;
    if (rank < 2 || rank > 3) {
      throw new IllegalArgumentException("convolution: 2 or 3 spatial axes, got " + rank + " (in " + Arrays.toString(in)
          + "); a 1-D convolution is a 2-D one with H = 1");
    }
    if (kernel.length != rank || pads.length != rank || strides.length != rank || dilations.length != rank) {
      throw new IllegalArgumentException("convolution: kernel, pads, strides and dilations need " + rank + " values each: "
          + describe(in, kernel, pads, strides, dilations));
    }
    if (n < 1 || c < 1 || k < 1 || groups < 1 || c % groups != 0 || k % groups != 0) {
      throw new IllegalArgumentException("convolution: N " + n + ", C " + c + ", K " + k + " must be positive and the "
          + "groups " + groups + " must divide C and K");
    }
    for (int i = 0; i < rank; i++) {
      if (in[i] < 1 || kernel[i] < 1 || pads[i] < 0 || strides[i] < 1 || dilations[i] < 1) {
        throw new IllegalArgumentException("convolution: sizes must be positive and pads non-negative: "
            + describe(in, kernel, pads, strides, dilations));
      }
      if (in[i] + 2 * pads[i] < (kernel[i] - 1) * dilations[i] + 1) {
        throw new IllegalArgumentException("convolution: the kernel does not fit the padded input on spatial axis " + i
            + ": " + describe(in, kernel, pads, strides, dilations));
      }
    }
  }

  /** Output size per spatial axis. */
  public int[] out() {
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = (in[i] + 2 * pads[i] - ((kernel[i] - 1) * dilations[i] + 1)) / strides[i] + 1;
    }
    return out;
  }

  /** x's dims: N x C x in. */
  public int[] inputDims() {
    return Dims.concat(new int[] {n, c}, in);
  }

  /** w's dims: K x C/G x kernel. */
  public int[] weightDims() {
    return Dims.concat(new int[] {k, c / groups}, kernel);
  }

  /** y's dims: N x K x out. */
  public int[] outputDims() {
    return Dims.concat(new int[] {n, k}, out());
  }

  public long inputCount() {
    return Dims.product(inputDims());
  }

  public long weightCount() {
    return Dims.product(weightDims());
  }

  public long outputCount() {
    return Dims.product(outputDims());
  }

  @Override
  public int[] in() {
    return in.clone();
  }

  @Override
  public int[] kernel() {
    return kernel.clone();
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
    return o instanceof ConvDescriptor d && n == d.n && c == d.c && k == d.k && groups == d.groups
        && Arrays.equals(in, d.in) && Arrays.equals(kernel, d.kernel) && Arrays.equals(pads, d.pads)
        && Arrays.equals(strides, d.strides) && Arrays.equals(dilations, d.dilations);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(new Object[] {n, c, k, groups, in, kernel, pads, strides, dilations});
  }

  @Override
  public String toString() {
    return "ConvDescriptor[N " + n + ", C " + c + ", K " + k + ", groups " + groups + ", "
        + describe(in, kernel, pads, strides, dilations) + "]";
  }

  private static String describe(int[] in, int[] kernel, int[] pads, int[] strides, int[] dilations) {
    return "in " + Arrays.toString(in) + ", kernel " + Arrays.toString(kernel) + ", pads " + Arrays.toString(pads)
        + ", strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations);
  }
}
