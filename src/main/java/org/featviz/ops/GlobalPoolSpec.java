package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * GlobalAveragePool: X (N x C x D1 x ... x Dk), k >= 1, reduced over all spatial axes to N x C x 1
 * x ... x 1.
 */
final class GlobalPoolSpec implements OpSpec {
  static final GlobalPoolSpec INSTANCE = new GlobalPoolSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    if (x.rank() < 3) throw ctx.error("input " + x + " must be N x C x D1 x ... (rank 3 or more)");
    int[] d = x.dims();
    for (int i = 2; i < d.length; i++) d[i] = 1;
    return List.of(Shape.of(d));
  }
}
