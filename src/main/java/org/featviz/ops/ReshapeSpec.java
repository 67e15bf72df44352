package org.featviz.ops;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Reshape to the shape given by input 1 (the attribute {@code shape} before opset 5), which must be
 * a constant. A 0 copies the input's dimension at the same index (unless allowzero = 1, where it
 * means size 0); one -1 is inferred from the remaining size. The element order does not change.
 */
public final class ReshapeSpec implements SecondInputConstantSpec {
  static final ReshapeSpec INSTANCE = new ReshapeSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    var attrs = ctx.node().attributes();
    long[] requested =
        !ctx.hasInput(1) && attrs.has("shape")
            ? attrs.getInts("shape", null)
            : ctx.constant(1).longs();
    boolean allowZero = attrs.getInt("allowzero", 0) != 0;
    long[] dims = requested.clone();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 0 && !allowZero) {
        if (i >= x.rank())
          throw mismatch(ctx, x, requested, "0 at index " + i + " has no input dimension to copy");
        dims[i] = x.dim(i);
      }
      if (dims[i] == -1) {
        if (inferred >= 0) throw mismatch(ctx, x, requested, "more than one -1");
        inferred = i;
      } else if (dims[i] < 0) {
        throw mismatch(ctx, x, requested, "negative dimension " + dims[i]);
      } else {
        known *= dims[i];
      }
    }
    if (inferred >= 0) {
      if (allowZero && known == 0)
        throw mismatch(ctx, x, requested, "-1 cannot be inferred beside a 0");
      if (known == 0 || x.size() % known != 0)
        throw mismatch(ctx, x, requested, "sizes do not divide");
      dims[inferred] = x.size() / known;
    } else if (known != x.size()) {
      throw mismatch(
          ctx, x, requested, "sizes differ (" + x.size() + " vs " + known + " elements)");
    }
    return List.of(Shape.of(dims));
  }

  private static RuntimeException mismatch(OpContext ctx, Shape x, long[] requested, String why) {
    return ctx.error(
        "cannot reshape input of shape " + x + " to " + Arrays.toString(requested) + ": " + why);
  }
}
