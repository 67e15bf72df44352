package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/** Max and Min: one or more inputs broadcast together (numpy rules), any rank. */
final class VariadicBroadcastSpec implements OpSpec {
  static final VariadicBroadcastSpec INSTANCE = new VariadicBroadcastSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    if (ctx.inputCount() == 0) throw ctx.error("has no inputs");
    Shape out = ctx.in(0);
    for (int i = 1; i < ctx.inputCount(); i++) {
      Shape next = Broadcast.multidirectional(out, ctx.in(i));
      if (next == null)
        throw ctx.error("input " + i + " of shape " + ctx.in(i) + " does not broadcast to " + out);
      out = next;
    }
    return List.of(out);
  }
}
