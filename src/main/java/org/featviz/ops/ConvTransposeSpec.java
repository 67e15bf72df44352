package org.featviz.ops;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;

/**
 * ConvTranspose with 1 to 3 spatial axes: X (N x C x D1 ...) with W (C x M/group x K1 ...) and an
 * optional bias B (M) gives Y (N x M x O1 ...), each input pixel spreading its kernel at stride s:
 *
 * <pre>
 *   y[n, m, i s - pb + t d] += x[n, c, i] w[c, m - g M/G, t]   for c in group g, per spatial axis
 *   out = s (in - 1) + output_padding + d (k - 1) + 1 - pb - pe
 * </pre>
 *
 * Pads come from {@code pads}, or from {@code output_shape} or {@code auto_pad} SAME_UPPER /
 * SAME_LOWER (output in s) as ONNX distributes the total padding; output_padding must be less than
 * the stride. More spatial axes, a negative total padding and output_padding of the stride or more
 * are refused naming the node and attribute.
 */
public final class ConvTransposeSpec implements OpSpec {
  static final ConvTransposeSpec INSTANCE = new ConvTransposeSpec();

  /** The geometry; arrays per spatial axis. */
  public record Geometry(
      int n,
      int c,
      int m,
      int groups,
      int[] in,
      int[] kernel,
      int[] strides,
      int[] dilations,
      int[] padBegin,
      int[] padEnd,
      int[] out) {
    public Shape outputShape() {
      int[] dims = new int[2 + out.length];
      dims[0] = n;
      dims[1] = m;
      System.arraycopy(out, 0, dims, 2, out.length);
      return Shape.of(dims);
    }
  }

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(geometry(ctx).outputShape());
  }

  private static UnsupportedOpException refuse(OpContext ctx, String what) {
    return new UnsupportedOpException(ctx.node(), ctx.opset(), what);
  }

  private static int[] ints(OpContext ctx, String name, int fill, int rank) {
    long[] v = ctx.node().attributes().getInts(name, null);
    int[] r = new int[rank];
    Arrays.fill(r, fill);
    if (v == null) return r;
    if (v.length != rank)
      throw ctx.error(name + " " + Arrays.toString(v) + " must have " + rank + " values");
    for (int i = 0; i < rank; i++) r[i] = (int) v[i];
    return r;
  }

  public static Geometry geometry(OpContext ctx) {
    Shape x = ctx.in(0);
    Shape w = ctx.in(1);
    Attributes a = ctx.node().attributes();
    if (x.rank() < 3 || x.rank() > 5)
      throw refuse(ctx, "input " + x + ": ConvTranspose with 1 to 3 spatial axes is supported");
    int r = x.rank() - 2;
    if (w.rank() != x.rank())
      throw ctx.error("weight " + w + " must be C x M/group x kernel, of the input's rank");
    long group = a.getInt("group", 1);
    int c = x.dim(1);
    if (group < 1 || c % group != 0 || w.dim(0) != c)
      throw ctx.error(
          "weight "
              + w
              + " must have the input's "
              + c
              + " channels first, divisible by group "
              + group);
    int m = (int) (w.dim(1) * group);
    if (ctx.hasInput(2) && !ctx.in(2).equals(Shape.of(m)))
      throw ctx.error("bias " + ctx.in(2) + " must have shape [" + m + "] (the output channels)");
    int[] kernel = Arrays.copyOfRange(w.dims(), 2, w.rank());
    long[] ks = a.getInts("kernel_shape", null);
    if (ks != null && !Arrays.equals(ks, Arrays.copyOfRange(w.longDims(), 2, w.rank())))
      throw ctx.error("kernel_shape " + Arrays.toString(ks) + " does not match weight " + w);
    int[] strides = ints(ctx, "strides", 1, r);
    int[] dilations = ints(ctx, "dilations", 1, r);
    int[] outPad = ints(ctx, "output_padding", 0, r);
    int[] in = Arrays.copyOfRange(x.dims(), 2, x.rank());
    for (int i = 0; i < r; i++) {
      if (strides[i] < 1 || dilations[i] < 1)
        throw ctx.error("strides and dilations must be positive");
      if (outPad[i] < 0 || outPad[i] >= strides[i])
        throw refuse(
            ctx, "output_padding " + outPad[i] + " on axis " + i + " (supported: 0 to stride - 1)");
    }
    // The output with no padding at all.
    int[] full = new int[r];
    for (int i = 0; i < r; i++)
      full[i] = strides[i] * (in[i] - 1) + outPad[i] + dilations[i] * (kernel[i] - 1) + 1;
    String autoPad = a.getString("auto_pad", "NOTSET");
    long[] outputShape = a.getInts("output_shape", null);
    int[] begin = new int[r];
    int[] end = new int[r];
    if (outputShape != null || autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
      int[] target = new int[r];
      for (int i = 0; i < r; i++) {
        if (outputShape != null) {
          if (outputShape.length != r && outputShape.length != r + 2)
            throw ctx.error(
                "output_shape " + Arrays.toString(outputShape) + " must have " + r + " values");
          target[i] = (int) outputShape[outputShape.length - r + i];
        } else {
          target[i] = in[i] * strides[i];
        }
        int total = full[i] - target[i];
        if (total < 0)
          throw refuse(
              ctx,
              "output_shape "
                  + target[i]
                  + " on axis "
                  + i
                  + " beyond the unpadded output "
                  + full[i]
                  + " (negative padding)");
        boolean upper = autoPad.equals("SAME_UPPER");
        begin[i] = upper ? total / 2 : total - total / 2;
        end[i] = total - begin[i];
      }
    } else if (autoPad.equals("NOTSET") || autoPad.equals("VALID")) {
      long[] pads = a.getInts("pads", null);
      if (pads != null && autoPad.equals("NOTSET")) {
        if (pads.length != 2 * r)
          throw ctx.error("pads " + Arrays.toString(pads) + " must have " + 2 * r + " values");
        for (int i = 0; i < r; i++) {
          begin[i] = (int) pads[i];
          end[i] = (int) pads[i + r];
          if (begin[i] < 0 || end[i] < 0)
            throw refuse(ctx, "negative pads " + Arrays.toString(pads));
        }
      }
    } else {
      throw refuse(ctx, "auto_pad '" + autoPad + "'");
    }
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      out[i] = full[i] - begin[i] - end[i];
      if (out[i] < 1)
        throw ctx.error("the pads leave no output along axis " + i + " (input " + x + ")");
    }
    return new Geometry(
        x.dim(0), c, m, (int) group, in, kernel, strides, dilations, begin, end, out);
  }
}
