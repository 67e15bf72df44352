package org.featviz.ops;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Conv: X (N x C x D1 x ... x Dk) convolved with W (M x C/group x K1 x ... x Kk), plus an optional
 * bias B (M), gives Y (N x M x O1 x ... x Ok), O from {@link SpatialWindow}. The kernel size comes
 * from W; a kernel_shape attribute, where present, must agree with it.
 */
public final class ConvSpec implements OpSpec {
  static final ConvSpec INSTANCE = new ConvSpec();

  private ConvSpec() {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(window(ctx).outputShape(ctx.in(0).dim(0), ctx.in(1).dim(0)));
  }

  /** The number of groups, checked against the shapes of X and W. */
  public static int group(OpContext ctx) {
    Shape x = ctx.in(0);
    Shape w = ctx.in(1);
    long group = ctx.node().attributes().getInt("group", 1);
    int c = x.dim(1);
    int m = w.dim(0);
    if (group <= 0 || c % group != 0 || m % group != 0) {
      throw ctx.error(
          "group "
              + group
              + " must divide the input channels ("
              + c
              + ", input "
              + x
              + ") and the output channels ("
              + m
              + ", weight "
              + w
              + ")");
    }
    if ((long) w.dim(1) * group != c) {
      throw ctx.error(
          "weight "
              + w
              + " has "
              + w.dim(1)
              + " input channels per group, but input "
              + x
              + " with group "
              + group
              + " needs "
              + c / group);
    }
    return (int) group;
  }

  /** The window geometry; also checks group, the bias shape and kernel_shape. */
  public static SpatialWindow window(OpContext ctx) {
    Shape x = ctx.in(0);
    Shape w = ctx.in(1);
    SpatialWindow.requireSupportedRank(ctx, x);
    if (w.rank() != x.rank())
      throw ctx.error("weight " + w + " and input " + x + " differ in rank");
    group(ctx);
    if (ctx.hasInput(2) && !ctx.in(2).equals(Shape.of(w.dim(0)))) {
      throw ctx.error(
          "bias "
              + ctx.in(2)
              + " must have shape ["
              + w.dim(0)
              + "] (the weight's output channels)");
    }
    int[] kernel = Arrays.copyOfRange(w.dims(), 2, w.rank());
    long[] attr = ctx.node().attributes().getInts("kernel_shape", null);
    if (attr != null && !Arrays.equals(attr, Arrays.copyOfRange(w.longDims(), 2, w.rank()))) {
      throw ctx.error("kernel_shape " + Arrays.toString(attr) + " does not match weight " + w);
    }
    return SpatialWindow.read(ctx, x, kernel, false);
  }
}
