package org.featviz.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * MatMul with numpy semantics: A [..., M, K] times B [..., K, N] gives [batch..., M, N], where the
 * batch dimensions broadcast multidirectionally. A 1-D A is promoted to [1, K] and a 1-D B to [K,
 * 1]; the promoted dimension is removed from the output again.
 */
public final class MatMulSpec implements OpSpec {
  static final MatMulSpec INSTANCE = new MatMulSpec();

  /**
   * The product's layout: {@code batch} is the broadcast batch shape, {@code aBatch}/{@code bBatch}
   * the operands' own batch shapes (each broadcasts to batch); each batch element multiplies [m, k]
   * by [k, n].
   */
  public record Dims(Shape batch, Shape aBatch, Shape bBatch, int m, int k, int n, Shape out) {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(dims(ctx).out());
  }

  public static Dims dims(OpContext ctx) {
    Shape a = ctx.in(0);
    Shape b = ctx.in(1);
    if (a.rank() == 0 || b.rank() == 0) {
      throw ctx.error("operands must have rank >= 1, got A " + a + " and B " + b);
    }
    int[] ad = a.dims();
    int[] bd = b.dims();
    boolean aVector = ad.length == 1;
    boolean bVector = bd.length == 1;
    int m = aVector ? 1 : ad[ad.length - 2];
    int k = ad[ad.length - 1];
    int kb = bVector ? bd[0] : bd[bd.length - 2];
    int n = bVector ? 1 : bd[bd.length - 1];
    if (k != kb) {
      throw ctx.error(
          "inner dimensions differ: A " + a + " has K = " + k + ", B " + b + " has K = " + kb);
    }
    Shape aBatch = aVector ? Shape.scalar() : Shape.of(Arrays.copyOf(ad, ad.length - 2));
    Shape bBatch = bVector ? Shape.scalar() : Shape.of(Arrays.copyOf(bd, bd.length - 2));
    Shape batch = Broadcast.multidirectional(aBatch, bBatch);
    if (batch == null) {
      throw ctx.error("batch dimensions of A " + a + " and B " + b + " do not broadcast");
    }
    List<Integer> out = new ArrayList<>();
    for (int d : batch.dims()) out.add(d);
    if (!aVector) out.add(m);
    if (!bVector) out.add(n);
    Shape outShape = Shape.of(out.stream().mapToInt(Integer::intValue).toArray());
    return new Dims(batch, aBatch, bBatch, m, k, n, outShape);
  }
}
