package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * Gemm: Y[M, N] = alpha * A' B' + beta * C, where A' is A [M, K] (or A transposed from [K, M] when
 * transA = 1), B' is B [K, N] (or transposed from [N, K] when transB = 1), and the optional C
 * broadcasts unidirectionally to [M, N].
 */
public final class GemmSpec implements OpSpec {
  static final GemmSpec INSTANCE = new GemmSpec();

  /** The product's sizes and the node's attributes. */
  public record Params(
      int m, int k, int n, boolean transA, boolean transB, float alpha, float beta) {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Params p = params(ctx);
    return List.of(Shape.of(p.m(), p.n()));
  }

  public static Params params(OpContext ctx) {
    Shape a = ctx.in(0);
    Shape b = ctx.in(1);
    var attrs = ctx.node().attributes();
    boolean transA = attrs.getInt("transA", 0) != 0;
    boolean transB = attrs.getInt("transB", 0) != 0;
    if (a.rank() != 2 || b.rank() != 2) {
      throw ctx.error("A and B must be 2-D, got A " + a + " and B " + b);
    }
    int m = transA ? a.dim(1) : a.dim(0);
    int k = transA ? a.dim(0) : a.dim(1);
    int kb = transB ? b.dim(1) : b.dim(0);
    int n = transB ? b.dim(0) : b.dim(1);
    if (k != kb) {
      throw ctx.error(
          "inner dimensions differ: A "
              + a
              + (transA ? " transposed" : "")
              + " has K = "
              + k
              + ", B "
              + b
              + (transB ? " transposed" : "")
              + " has K = "
              + kb);
    }
    if (ctx.hasInput(2) && !Broadcast.unidirectional(ctx.in(2), Shape.of(m, n))) {
      throw ctx.error(
          "C of shape " + ctx.in(2) + " does not broadcast to [M, N] = " + Shape.of(m, n));
    }
    return new Params(
        m, k, n, transA, transB, attrs.getFloat("alpha", 1f), attrs.getFloat("beta", 1f));
  }
}
