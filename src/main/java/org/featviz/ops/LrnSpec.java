package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;

/**
 * LRN (local response normalization across channels): X (N x C x D1 x ... x Dk) to Y of the same
 * shape, with the attributes size (required), alpha (1e-4), beta (0.75) and bias (1.0) as the ONNX
 * spec names them.
 */
public final class LrnSpec implements OpSpec {
  static final LrnSpec INSTANCE = new LrnSpec();

  /** The attributes, with the spec's defaults. */
  public record Params(int size, float alpha, float beta, float bias) {}

  private LrnSpec() {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    if (x.rank() < 2) throw ctx.error("input " + x + " must be N x C x ... (rank 2 or more)");
    params(ctx);
    return List.of(x);
  }

  public static Params params(OpContext ctx) {
    Attributes a = ctx.node().attributes();
    if (!a.has("size")) throw ctx.error("attribute size is required");
    long size = a.getInt("size", 0);
    if (size <= 0) throw ctx.error("size " + size + " must be positive");
    return new Params(
        (int) size, a.getFloat("alpha", 1e-4f), a.getFloat("beta", 0.75f), a.getFloat("bias", 1f));
  }
}
