package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.BroadcastIndexing.ravel;
import static org.featviz.cpu.BroadcastIndexing.unravel;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class TransposeTest {
  private static final Shape X = Shape.of(2, 3, 4, 5);

  @Test
  void forwardPermutesIndices() {
    Random rng = new Random(121);
    long[][] perms = {null, {0, 1, 2, 3}, {0, 2, 3, 1}, {3, 1, 0, 2}, {1, 0, 3, 2}, {-1, 0, 1, 2}};
    for (long[] perm : perms) {
      Tensor x = random(X, rng, -1f, 1f);
      Tensor y = forward(transpose(perm), x)[0];
      int[] p = new int[4];
      for (int d = 0; d < 4; d++) p[d] = perm == null ? 3 - d : (int) ((perm[d] + 4) % 4);
      Shape expectedShape = Shape.of(X.dim(p[0]), X.dim(p[1]), X.dim(p[2]), X.dim(p[3]));
      String what = "perm " + Arrays.toString(perm);
      assertEquals(expectedShape, y.shape(), what);
      float[] expected = new float[y.size()];
      for (int o = 0; o < expected.length; o++) {
        int[] outIdx = unravel(o, expectedShape);
        int[] inIdx = new int[4];
        for (int d = 0; d < 4; d++) inIdx[p[d]] = outIdx[d];
        expected[o] = x.data()[ravel(inIdx, X)];
      }
      assertExact(expected, y.data(), what);
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(X, new Random(122), -1f, 1f);
    checkGradient(transpose(new long[] {0, 2, 3, 1}), x, 123, 1e-2, 1e-2);
    Tensor m = random(Shape.of(3, 7), new Random(124), -1f, 1f);
    checkGradient(transpose(null), m, 125, 1e-2, 1e-2);
  }

  @Test
  void badPermNamesTheNodeAndShape() {
    ModelException repeated =
        assertThrows(
            ModelException.class,
            () -> forward(transpose(new long[] {0, 1, 1, 2}), Tensor.zeros(X)));
    assertMessageNames(repeated, "Transpose_test", "[0, 1, 1, 2]", "[2, 3, 4, 5]");
    ModelException length =
        assertThrows(
            ModelException.class, () -> forward(transpose(new long[] {1, 0}), Tensor.zeros(X)));
    assertMessageNames(length, "Transpose_test", "[2, 3, 4, 5]");
  }

  private static Node transpose(long[] perm) {
    Map<String, Object> attrs = new HashMap<>();
    if (perm != null) attrs.put("perm", perm);
    return node("Transpose", attrs, 1, 1);
  }
}
