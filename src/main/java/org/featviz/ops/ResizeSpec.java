package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Resize (opset 11 on) and Upsample (opset 7 to 9) in modes nearest and linear, with constant
 * scales or sizes, so the output shape is known at import. Every axis resamples on its own: output
 * index i maps to the input coordinate c(i) of {@code coordinate_transformation_mode} (half_pixel,
 * pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn; Upsample is asymmetric),
 * then nearest rounds c by {@code nearest_mode} (round_prefer_floor, round_prefer_ceil, floor,
 * ceil; Upsample floors) and linear blends the two neighbours floor(c) and floor(c) + 1 (each
 * clamped to the axis) by c - floor(c). So linear on several axes is their product (bilinear on H,
 * W), as ONNX defines it. Cubic, tf_crop_and_resize, antialias, axes and a keep_aspect_ratio_policy
 * other than stretch are refused naming the node and the attribute, as is Resize-10 (whose rounding
 * ONNX leaves open).
 */
public final class ResizeSpec implements OpSpec {
  static final ResizeSpec INSTANCE = new ResizeSpec();

  /**
   * How one axis resamples: output i reads w0[i] x[i0[i]] + w1[i] x[i1[i]] (nearest: w1 = 0, i1 =
   * i0).
   */
  public record Taps(int[] i0, int[] i1, float[] w0, float[] w1) {
    /**
     * Whether an axis of length in is left as it is (the same length, each output its own input).
     */
    public boolean identity(int in) {
      if (i0.length != in) return false;
      for (int i = 0; i < i0.length; i++) if (i0[i] != i || w1[i] != 0) return false;
      return true;
    }
  }

  @Override
  public int[] constantInputs() {
    return new int[] {1, 2, 3};
  }

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(Shape.of(outputDims(ctx)));
  }

  /** Whether the node blends neighbours (mode linear) rather than taking the nearest. */
  public static boolean linear(OpContext ctx) {
    String mode = ctx.node().attributes().getString("mode", "nearest");
    return switch (mode) {
      case "nearest" -> false;
      case "linear", "bilinear" -> true;
      default -> throw refuse(ctx, "mode '" + mode + "' (supported: nearest, linear)");
    };
  }

  /** The taps of every axis of x. */
  public static Taps[] taps(OpContext ctx) {
    Shape x = ctx.in(0);
    int[] out = outputDims(ctx);
    double[] scales = scales(ctx, out);
    boolean linear = linear(ctx);
    String transform = transform(ctx);
    String rounding = nearestMode(ctx);
    Taps[] taps = new Taps[x.rank()];
    for (int k = 0; k < taps.length; k++) {
      int in = x.dim(k);
      int n = out[k];
      int[] i0 = new int[n];
      int[] i1 = new int[n];
      float[] w0 = new float[n];
      float[] w1 = new float[n];
      for (int i = 0; i < n; i++) {
        double c = coordinate(transform, i, scales[k], in, n);
        if (linear) {
          double f = Math.floor(c);
          i0[i] = clamp((long) f, in);
          i1[i] = clamp((long) f + 1, in);
          w1[i] = (float) (c - f);
          w0[i] = (float) (1 - (c - f));
        } else {
          i0[i] = clamp(round(rounding, c), in);
          i1[i] = i0[i];
          w0[i] = 1;
        }
      }
      taps[k] = new Taps(i0, i1, w0, w1);
    }
    return taps;
  }

  private static int clamp(long v, int in) {
    return (int) Math.max(0, Math.min(in - 1, v));
  }

  private static long round(String mode, double c) {
    return (long)
        switch (mode) {
          case "round_prefer_floor" -> Math.ceil(c - 0.5);
          case "round_prefer_ceil" -> Math.floor(c + 0.5);
          case "floor" -> Math.floor(c);
          default -> Math.ceil(c);
        };
  }

  /**
   * The input coordinate of output index i along an axis of length in resized by scale. ONNX
   * measures the resized length as in scale, unrounded (so a scale of 0.6 on 4 is 2.4, not 2).
   */
  private static double coordinate(String transform, int i, double scale, int in, int n) {
    double len = in * scale;
    return switch (transform) {
      case "half_pixel" -> (i + 0.5) / scale - 0.5;
      case "pytorch_half_pixel" -> len > 1 ? (i + 0.5) / scale - 0.5 : 0;
      case "align_corners" -> len == 1 ? 0 : i * (double) (in - 1) / (len - 1);
      case "asymmetric" -> i / scale;
      default -> (i + 0.5) / scale; // tf_half_pixel_for_nn
    };
  }

  private static String transform(OpContext ctx) {
    if (upsample(ctx)) return "asymmetric";
    String t = ctx.node().attributes().getString("coordinate_transformation_mode", "half_pixel");
    return switch (t) {
      case "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric" -> t;
      case "tf_half_pixel_for_nn" -> {
        if (linear(ctx))
          throw refuse(ctx, "coordinate_transformation_mode '" + t + "' with mode linear");
        yield t;
      }
      default ->
          throw refuse(
              ctx,
              "coordinate_transformation_mode '"
                  + t
                  + "' (supported: half_pixel, pytorch_half_pixel, align_corners, asymmetric,"
                  + " tf_half_pixel_for_nn)");
    };
  }

  private static String nearestMode(OpContext ctx) {
    if (upsample(ctx)) return "floor";
    String m = ctx.node().attributes().getString("nearest_mode", "round_prefer_floor");
    return switch (m) {
      case "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" -> m;
      default ->
          throw refuse(
              ctx,
              "nearest_mode '"
                  + m
                  + "' (supported: round_prefer_floor, round_prefer_ceil, floor, ceil)");
    };
  }

  private static boolean upsample(OpContext ctx) {
    return ctx.node().opType().equals("Upsample");
  }

  private static UnsupportedOpException refuse(OpContext ctx, String what) {
    return new UnsupportedOpException(ctx.node(), ctx.opset(), what);
  }

  /** The output's dims: from sizes, or floor(dim scale) per axis. */
  public static int[] outputDims(OpContext ctx) {
    Shape x = ctx.in(0);
    checkAttributes(ctx);
    linear(ctx);
    int[] out = new int[x.rank()];
    Tensor sizes = sizesInput(ctx);
    if (sizes != null) {
      long[] s = sizes.longs();
      if (s.length != x.rank())
        throw ctx.error(
            "sizes has "
                + s.length
                + " values, expected "
                + x.rank()
                + " (one per axis of "
                + x
                + ")");
      for (int k = 0; k < out.length; k++) {
        if (s[k] < 1 || s[k] > Integer.MAX_VALUE)
          throw ctx.error("sizes " + s[k] + " along axis " + k + " (must be 1 or more)");
        out[k] = (int) s[k];
      }
      return out;
    }
    float[] sc = scalesInput(ctx);
    for (int k = 0; k < out.length; k++) {
      double d = Math.floor(x.dim(k) * (double) sc[k]);
      if (!(sc[k] > 0) || d < 1 || d > Integer.MAX_VALUE)
        throw ctx.error("scale " + sc[k] + " along axis " + k + " of " + x + " gives no output");
      out[k] = (int) d;
    }
    return out;
  }

  /** The scale of each axis: the given scales, or out / in where sizes were given. */
  private static double[] scales(OpContext ctx, int[] out) {
    Shape x = ctx.in(0);
    double[] s = new double[out.length];
    if (sizesInput(ctx) != null) {
      for (int k = 0; k < s.length; k++) s[k] = out[k] / (double) x.dim(k);
    } else {
      float[] sc = scalesInput(ctx);
      for (int k = 0; k < s.length; k++) s[k] = sc[k];
    }
    return s;
  }

  private static void checkAttributes(OpContext ctx) {
    Attributes a = ctx.node().attributes();
    if (!upsample(ctx) && ctx.opset() < 11)
      throw refuse(
          ctx, "Resize before opset 11 (its rounding is left open; export at opset 11 or later)");
    if (a.getInt("antialias", 0) != 0) throw refuse(ctx, "antialias = 1");
    if (a.has("axes"))
      throw refuse(ctx, "the axes attribute (give scales or sizes for every axis)");
    String policy = a.getString("keep_aspect_ratio_policy", "stretch");
    if (!policy.equals("stretch")) throw refuse(ctx, "keep_aspect_ratio_policy '" + policy + "'");
  }

  /** Sizes (Resize's input 3), or null where the node gives scales. */
  private static Tensor sizesInput(OpContext ctx) {
    if (upsample(ctx) || !ctx.hasInput(3)) return null;
    Tensor t = ctx.constant(3);
    return t.size() == 0 ? null : t;
  }

  /** Scales: Upsample-7's attribute, else input 1 (Upsample) or 2 (Resize), one per axis. */
  private static float[] scalesInput(OpContext ctx) {
    Shape x = ctx.in(0);
    float[] s;
    if (upsample(ctx) && ctx.opset() < 9) {
      s = ctx.node().attributes().getFloats("scales", null);
      if (s == null) throw ctx.error("it has no scales attribute");
    } else {
      int input = upsample(ctx) ? 1 : 2;
      if (!ctx.hasInput(input) || ctx.constant(input).size() == 0)
        throw ctx.error("it has neither scales nor sizes");
      s = ctx.constant(input).data();
    }
    if (s.length != x.rank())
      throw ctx.error(
          "scales has "
              + s.length
              + " values, expected "
              + x.rank()
              + " (one per axis of "
              + x
              + ")");
    return s;
  }
}
