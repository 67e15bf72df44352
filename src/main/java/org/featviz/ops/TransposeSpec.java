package org.featviz.ops;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/** Transpose: output dim i is input dim perm[i]; perm defaults to reversing the dimensions. */
public final class TransposeSpec implements OpSpec {
  static final TransposeSpec INSTANCE = new TransposeSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    int[] perm = perm(ctx);
    int[] out = new int[perm.length];
    for (int i = 0; i < perm.length; i++) out[i] = x.dim(perm[i]);
    return List.of(Shape.of(out));
  }

  /**
   * The validated permutation: a permutation of 0..rank-1, negative entries counting from the back.
   */
  public static int[] perm(OpContext ctx) {
    Shape x = ctx.in(0);
    int rank = x.rank();
    long[] given = ctx.node().attributes().getInts("perm", null);
    int[] perm = new int[rank];
    if (given == null) {
      for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
      return perm;
    }
    if (given.length != rank) {
      throw ctx.error(
          "perm has " + given.length + " entries for input shape " + x + " of rank " + rank);
    }
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      long p = given[i] < 0 ? given[i] + rank : given[i];
      if (p < 0 || p >= rank || seen[(int) p]) {
        throw ctx.error(
            "perm "
                + Arrays.toString(given)
                + " is not a permutation of the dimensions of "
                + "input shape "
                + x);
      }
      seen[(int) p] = true;
      perm[i] = (int) p;
    }
    return perm;
  }
}
