package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * Ops whose single output has the shape of their first input (activations, Softmax, LRN,
 * BatchNormalization).
 */
final class SameShapeSpec implements OpSpec {
  static final SameShapeSpec INSTANCE = new SameShapeSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(ctx.in(0));
  }
}
