package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * Flatten: [d0, ..., dn-1] becomes the 2-D [d0 * ... * d(axis-1), d(axis) * ... * d(n-1)]; {@code
 * axis} (default 1) may be n, or negative counting from the back. The element order does not
 * change.
 */
public final class FlattenSpec implements OpSpec {
  static final FlattenSpec INSTANCE = new FlattenSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    int axis = Axes.normalize(ctx, ctx.node().attributes().getInt("axis", 1), x, x.rank());
    return List.of(Shape.of(x.size(0, axis), x.size(axis, x.rank())));
  }
}
