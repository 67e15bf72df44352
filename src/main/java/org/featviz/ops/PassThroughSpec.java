package org.featviz.ops;

import java.util.ArrayList;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Identity and inference-mode Dropout: the first output is the input; Dropout's optional mask has
 * its shape.
 */
final class PassThroughSpec implements OpSpec {
  static final PassThroughSpec INSTANCE = new PassThroughSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    List<Shape> out = new ArrayList<>();
    for (int i = 0; i < ctx.node().outputs().size(); i++) out.add(ctx.in(0));
    return out;
  }
}
