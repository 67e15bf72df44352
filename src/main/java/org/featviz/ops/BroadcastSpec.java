package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/** Add, Sub, Mul, Div: two inputs broadcast multidirectionally (numpy rules), any rank. */
final class BroadcastSpec implements OpSpec {
  static final BroadcastSpec INSTANCE = new BroadcastSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    if (ctx.opset() < 7 && ctx.node().attributes().has("axis")) {
      // Before opset 7 these ops could align B at a given axis of A; numpy-style suffix alignment
      // covers the rest.
      throw new UnsupportedOpException(
          ctx.node(), ctx.opset(), "legacy broadcasting with an 'axis' attribute");
    }
    Shape a = ctx.in(0);
    Shape b = ctx.in(1);
    Shape out = Broadcast.multidirectional(a, b);
    if (out == null) throw ctx.error("input shapes " + a + " and " + b + " do not broadcast");
    return List.of(out);
  }
}
