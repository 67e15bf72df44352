package org.featviz.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;

/**
 * LayerNormalization (opset 17; what torch exports nn.LayerNorm as): X is split at {@code axis}
 * (default -1, negative counts from the back) into rows (the leading dims) and the normalized dims;
 * each row is standardized by its own mean and variance, then scaled and shifted elementwise: Y =
 * (X - mean) / sqrt(var + epsilon) * Scale + B, the shape of X. Scale and the optional B hold the
 * normalized dims (X's dims from {@code axis} on; leading 1s are allowed). The optional outputs
 * Mean and InvStdDev hold one value per row, with X's shape where the normalized dims are 1. Only
 * stash_type 1 (statistics in float) is supported; featviz computes them in double either way.
 */
public final class LayerNormalizationSpec implements OpSpec {
  static final LayerNormalizationSpec INSTANCE = new LayerNormalizationSpec();

  /** X as [rows, cols] row-major: each of the {@code rows} rows of {@code cols} is normalized. */
  public record Layout(int rows, int cols, int axis) {}

  private LayerNormalizationSpec() {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Layout g = layout(ctx);
    Shape x = ctx.in(0);
    Shape normalized = Shape.of(Arrays.copyOfRange(x.dims(), g.axis(), x.rank()));
    String[] names = {"Scale", "B"};
    for (int i = 1; i <= 2; i++) {
      if (i == 2 && !ctx.hasInput(2)) continue;
      if (!sameIgnoringLeadingOnes(ctx.in(i), normalized)) {
        throw ctx.error(
            names[i - 1]
                + " has shape "
                + ctx.in(i)
                + ", expected "
                + normalized
                + " (the dims of X "
                + x
                + " from axis "
                + g.axis()
                + ")");
      }
    }
    int[] stats = x.dims();
    for (int k = g.axis(); k < stats.length; k++) stats[k] = 1;
    List<Shape> out = new ArrayList<>();
    out.add(x);
    for (int i = 1; i < Math.min(3, ctx.node().outputs().size()); i++) out.add(Shape.of(stats));
    return out;
  }

  /** The split of X into rows, with the attributes checked. */
  public static Layout layout(OpContext ctx) {
    Shape x = ctx.in(0);
    Attributes a = ctx.node().attributes();
    long stash = a.getInt("stash_type", 1);
    if (stash != 1) {
      throw new UnsupportedOpException(
          ctx.node(), ctx.opset(), "stash_type " + stash + " (only 1, float statistics)");
    }
    if (x.rank() < 1) throw ctx.error("input X " + x + " must have rank 1 or more");
    int axis = Axes.normalize(ctx, a.getInt("axis", -1), x);
    return new Layout(x.size(0, axis), x.size(axis, x.rank()), axis);
  }

  public static float epsilon(OpContext ctx) {
    return ctx.node().attributes().getFloat("epsilon", 1e-5f);
  }

  private static boolean sameIgnoringLeadingOnes(Shape a, Shape b) {
    return strip(a).equals(strip(b));
  }

  private static Shape strip(Shape s) {
    int k = 0;
    while (k < s.rank() && s.dim(k) == 1) k++;
    return Shape.of(Arrays.copyOfRange(s.dims(), k, s.rank()));
  }
}
