package org.featviz.ops;

import java.util.Arrays;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;

/**
 * The sliding-window geometry that Conv, MaxPool and AveragePool share, one entry per spatial axis:
 * input size, kernel size, stride, dilation, padding before and after, and output size. It is read
 * from the ONNX attributes (kernel_shape, strides, pads, dilations, auto_pad, ceil_mode) with the
 * spec's formulas, so shape inference and every backend agree on where each window sits.
 *
 * <p>Output size per axis, with extent = (kernel - 1) * dilation + 1:
 *
 * <pre>
 *   NOTSET:     floor((in + padBegin + padEnd - extent) / stride) + 1   (ceil instead of floor with ceil_mode;
 *               a last window that would start inside the end padding is dropped, as the spec says)
 *   VALID:      ceil((in - extent + 1) / stride), no padding
 *   SAME_UPPER: ceil(in / stride), total padding max(0, (out - 1) * stride + extent - in), the odd one at the end
 *   SAME_LOWER: the same, the odd one at the beginning
 * </pre>
 *
 * With auto_pad other than NOTSET the pads attribute is ignored (the spec forbids both; some
 * exporters write zeros). Kernels work on {@link #to3d()}, which puts unit axes in front so that
 * 1-D, 2-D and 3-D inputs share one loop.
 */
public record SpatialWindow(
    int[] in,
    int[] kernel,
    int[] strides,
    int[] dilations,
    int[] padBegin,
    int[] padEnd,
    int[] out) {

  /** The most spatial axes featviz handles (Conv3d, MaxPool3d). */
  public static final int MAX_SPATIAL_RANK = 3;

  /**
   * Reads the window of a Conv or pooling node over input x (N x C x D1 x ... x Dk).
   *
   * @param kernelShape the kernel size per spatial axis (Conv: from the weight's shape; pools:
   *     kernel_shape)
   * @param allowCeil whether the op has a ceil_mode attribute (pools do, Conv does not)
   */
  public static SpatialWindow read(OpContext ctx, Shape x, int[] kernelShape, boolean allowCeil) {
    int k = x.rank() - 2;
    requireSupportedRank(ctx, x);
    if (kernelShape.length != k) {
      throw ctx.error(
          "kernel has " + kernelShape.length + " spatial axes but input " + x + " has " + k);
    }
    Attributes a = ctx.node().attributes();
    int[] in = new int[k];
    for (int i = 0; i < k; i++) in[i] = x.dim(i + 2);
    int[] strides = positive(ctx, "strides", a.getInts("strides", null), k);
    int[] dilations = positive(ctx, "dilations", a.getInts("dilations", null), k);
    for (int i = 0; i < k; i++) {
      if (kernelShape[i] <= 0)
        throw ctx.error("kernel_shape " + Arrays.toString(kernelShape) + " must be positive");
    }
    boolean ceil = allowCeil && a.getInt("ceil_mode", 0) != 0;
    String autoPad = a.getString("auto_pad", "NOTSET");
    int[] padBegin = new int[k];
    int[] padEnd = new int[k];
    int[] out = new int[k];
    switch (autoPad) {
      case "NOTSET", "" -> {
        long[] pads = a.getInts("pads", new long[2 * k]);
        if (pads.length != 2 * k) {
          throw ctx.error(
              "pads has "
                  + pads.length
                  + " values, expected "
                  + 2 * k
                  + " (begin and end per axis)");
        }
        for (int i = 0; i < k; i++) {
          if (pads[i] < 0 || pads[i + k] < 0)
            throw ctx.error("pads " + Arrays.toString(pads) + " must be >= 0");
          padBegin[i] = (int) pads[i];
          padEnd[i] = (int) pads[i + k];
          int span = in[i] + padBegin[i] + padEnd[i] - extent(kernelShape[i], dilations[i]);
          out[i] =
              (ceil
                      ? Math.floorDiv(span + strides[i] - 1, strides[i])
                      : Math.floorDiv(span, strides[i]))
                  + 1;
          // ceil_mode: a window that would start inside the end padding covers no input; the spec
          // drops it.
          if (ceil && out[i] > 1 && (long) (out[i] - 1) * strides[i] >= in[i] + padBegin[i])
            out[i]--;
        }
      }
      case "VALID" -> {
        for (int i = 0; i < k; i++) {
          int span = in[i] - extent(kernelShape[i], dilations[i]) + 1;
          out[i] = span <= 0 ? 0 : (span + strides[i] - 1) / strides[i];
        }
      }
      case "SAME_UPPER", "SAME_LOWER" -> {
        for (int i = 0; i < k; i++) {
          out[i] = (in[i] + strides[i] - 1) / strides[i];
          int total =
              Math.max(0, (out[i] - 1) * strides[i] + extent(kernelShape[i], dilations[i]) - in[i]);
          int small = total / 2;
          padBegin[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
          padEnd[i] = total - padBegin[i];
        }
      }
      default ->
          throw ctx.error(
              "auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    for (int i = 0; i < k; i++) {
      if (out[i] <= 0) {
        throw ctx.error(
            "kernel "
                + Arrays.toString(kernelShape)
                + " (dilations "
                + Arrays.toString(dilations)
                + ") does not fit input "
                + x
                + " with pads "
                + Arrays.toString(padBegin)
                + "/"
                + Arrays.toString(padEnd)
                + ": output size "
                + out[i]
                + " on spatial axis "
                + i);
      }
    }
    return new SpatialWindow(in, kernelShape.clone(), strides, dilations, padBegin, padEnd, out);
  }

  /** Throws {@link UnsupportedOpException} unless x is N x C with 1 to 3 spatial axes. */
  public static void requireSupportedRank(OpContext ctx, Shape x) {
    int k = x.rank() - 2;
    if (k < 1 || k > MAX_SPATIAL_RANK) {
      throw new UnsupportedOpException(
          ctx.node(),
          ctx.opset(),
          "only 1-D, 2-D and 3-D spatial inputs (N x C x D1 [x D2 [x D3]]), got input shape " + x);
    }
  }

  /** The kernel_shape attribute (pools, where it is required), as ints. */
  public static int[] kernelShapeAttribute(OpContext ctx) {
    long[] ks = ctx.node().attributes().getInts("kernel_shape", null);
    if (ks == null) throw ctx.error("attribute kernel_shape is required");
    int[] k = new int[ks.length];
    for (int i = 0; i < ks.length; i++) k[i] = (int) ks[i];
    return k;
  }

  /** Number of spatial axes. */
  public int rank() {
    return in.length;
  }

  /** The distance from a window's first to its last tap plus one: (kernel - 1) * dilation + 1. */
  public static int extent(int kernel, int dilation) {
    return (kernel - 1) * dilation + 1;
  }

  public int inputSize() {
    return product(in);
  }

  public int outputSize() {
    return product(out);
  }

  public int kernelSize() {
    return product(kernel);
  }

  /** Output shape N x channels x out. */
  public Shape outputShape(int n, int channels) {
    int[] d = new int[rank() + 2];
    d[0] = n;
    d[1] = channels;
    System.arraycopy(out, 0, d, 2, rank());
    return Shape.of(d);
  }

  /**
   * This window with unit axes in front (size 1, kernel 1, stride 1, dilation 1, no padding) up to
   * 3 axes.
   */
  public SpatialWindow to3d() {
    return new SpatialWindow(
        front(in, 1),
        front(kernel, 1),
        front(strides, 1),
        front(dilations, 1),
        front(padBegin, 0),
        front(padEnd, 0),
        front(out, 1));
  }

  private static int[] front(int[] v, int fill) {
    int[] r = new int[MAX_SPATIAL_RANK];
    int lead = MAX_SPATIAL_RANK - v.length;
    Arrays.fill(r, 0, lead, fill);
    System.arraycopy(v, 0, r, lead, v.length);
    return r;
  }

  private static int[] positive(OpContext ctx, String name, long[] values, int k) {
    int[] r = new int[k];
    Arrays.fill(r, 1);
    if (values == null) return r;
    if (values.length != k)
      throw ctx.error(name + " has " + values.length + " values, expected " + k);
    for (int i = 0; i < k; i++) {
      if (values[i] <= 0)
        throw ctx.error(name + " " + Arrays.toString(values) + " must be positive");
      r[i] = (int) values[i];
    }
    return r;
  }

  private static int product(int[] v) {
    int p = 1;
    for (int d : v) p *= d;
    return p;
  }

  @Override
  public String toString() {
    return "SpatialWindow[in="
        + Arrays.toString(in)
        + ", kernel="
        + Arrays.toString(kernel)
        + ", strides="
        + Arrays.toString(strides)
        + ", dilations="
        + Arrays.toString(dilations)
        + ", pads="
        + Arrays.toString(padBegin)
        + "/"
        + Arrays.toString(padEnd)
        + ", out="
        + Arrays.toString(out)
        + "]";
  }
}
