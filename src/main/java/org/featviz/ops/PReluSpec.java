package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * PRelu: y = slope x where x < 0, else x. The slope (input 1; a constant in exported models, such
 * as torch's [C, 1, 1] per-channel weight) broadcasts unidirectionally to x, so y has x's shape.
 */
final class PReluSpec implements OpSpec {
  static final PReluSpec INSTANCE = new PReluSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    if (!ctx.hasInput(1)) throw ctx.error("it has no slope (input 1)");
    Shape x = ctx.in(0);
    Shape slope = ctx.in(1);
    if (!Broadcast.unidirectional(slope, x))
      throw ctx.error("its slope of shape " + slope + " does not broadcast to x of shape " + x);
    return List.of(x);
  }
}
