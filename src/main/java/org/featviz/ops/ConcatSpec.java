package org.featviz.ops;

import java.util.ArrayList;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Concat: joins inputs of equal rank along {@code axis} (negative counts from the back); other dims
 * must match.
 */
public final class ConcatSpec implements OpSpec {
  static final ConcatSpec INSTANCE = new ConcatSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    int axis = axis(ctx);
    int total = 0;
    for (int i = 0; i < ctx.inputCount(); i++) total += ctx.in(i).dim(axis);
    return List.of(ctx.in(0).withDim(axis, total));
  }

  /** The normalized concatenation axis, after checking that the input shapes fit together. */
  public static int axis(OpContext ctx) {
    if (ctx.inputCount() == 0) throw ctx.error("needs at least one input");
    var attrs = ctx.node().attributes();
    if (!attrs.has("axis") && ctx.opset() >= 4)
      throw ctx.error("missing the required attribute 'axis'");
    Shape first = ctx.in(0);
    int axis = Axes.normalize(ctx, attrs.getInt("axis", 1), first);
    for (int i = 1; i < ctx.inputCount(); i++) {
      Shape s = ctx.in(i);
      boolean fits = s.rank() == first.rank();
      for (int d = 0; fits && d < s.rank(); d++) fits = d == axis || s.dim(d) == first.dim(d);
      if (!fits) {
        throw ctx.error(
            "input shapes " + shapes(ctx) + " differ outside the concatenation axis " + axis);
      }
    }
    return axis;
  }

  private static List<Shape> shapes(OpContext ctx) {
    List<Shape> r = new ArrayList<>();
    for (int i = 0; i < ctx.inputCount(); i++) r.add(ctx.in(i));
    return r;
  }
}
