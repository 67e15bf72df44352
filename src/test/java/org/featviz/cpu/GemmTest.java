package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.BroadcastIndexing.broadcastSource;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Gemm with every transA/transB, alpha/beta and C shape, against a triple loop; gradients of A, B
 * and C.
 */
class GemmTest {
  private static final int M = 3;
  private static final int K = 4;
  private static final int N = 5;

  /** C shapes that broadcast to [M, N]; null means no C. */
  private static final Shape[] C_SHAPES = {
    null, Shape.scalar(), Shape.of(N), Shape.of(1, N), Shape.of(M, 1), Shape.of(M, N)
  };

  @Test
  void forwardMatchesTripleLoopForEveryVariant() {
    Random rng = new Random(21);
    for (int transA = 0; transA <= 1; transA++) {
      for (int transB = 0; transB <= 1; transB++) {
        for (float[] ab : new float[][] {{1f, 1f}, {0.5f, -2f}}) {
          for (Shape cShape : C_SHAPES) {
            Node gemm = gemm(transA, transB, ab[0], ab[1], cShape != null);
            Tensor a = random(transA == 1 ? Shape.of(K, M) : Shape.of(M, K), rng, -1f, 1f);
            Tensor b = random(transB == 1 ? Shape.of(N, K) : Shape.of(K, N), rng, -1f, 1f);
            Tensor c = cShape == null ? null : random(cShape, rng, -1f, 1f);
            Tensor y = forward(gemm, inputs(a, b, c))[0];
            String what =
                "Gemm transA="
                    + transA
                    + " transB="
                    + transB
                    + " alpha/beta="
                    + Arrays.toString(ab)
                    + " C "
                    + cShape;
            assertEquals(Shape.of(M, N), y.shape(), what);
            assertClose(
                reference(a, b, c, transA == 1, transB == 1, ab[0], ab[1]),
                y.data(),
                1e-5,
                1e-5,
                what);
          }
        }
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesForEveryVariant() {
    Random rng = new Random(22);
    for (int transA = 0; transA <= 1; transA++) {
      for (int transB = 0; transB <= 1; transB++) {
        for (Shape cShape : C_SHAPES) {
          Node gemm = gemm(transA, transB, 0.5f, -2f, cShape != null);
          Tensor a = random(transA == 1 ? Shape.of(K, M) : Shape.of(M, K), rng, -1f, 1f);
          Tensor b = random(transB == 1 ? Shape.of(N, K) : Shape.of(K, N), rng, -1f, 1f);
          Tensor c = cShape == null ? null : random(cShape, rng, -1f, 1f);
          Tensor[] in = inputs(a, b, c);
          boolean[] wrt = new boolean[in.length];
          Arrays.fill(wrt, true);
          checkGradient(gemm, in, wrt, rng.nextLong(), 1e-2, 1e-2);
        }
      }
    }
  }

  @Test
  void specExampleAllAttributes() {
    // Shapes of the ONNX "all attributes" example: A [4, 3] transposed, B [5, 4] transposed, C [1,
    // 5].
    Random rng = new Random(23);
    Tensor a = random(Shape.of(4, 3), rng, 0f, 1f);
    Tensor b = random(Shape.of(5, 4), rng, 0f, 1f);
    Tensor c = random(Shape.of(1, 5), rng, 0f, 1f);
    Tensor y = forward(gemm(1, 1, 0.25f, 0.35f, true), a, b, c)[0];
    assertEquals(Shape.of(3, 5), y.shape());
    assertClose(
        reference(a, b, c, true, true, 0.25f, 0.35f), y.data(), 1e-5, 1e-5, "Gemm all attributes");
  }

  @Test
  void mismatchedShapesNameTheNodeAndShapes() {
    Node gemm = gemm(0, 0, 1f, 1f, true);
    ModelException inner =
        assertThrows(ModelException.class, () -> forward(gemm, zeros(3, 4), zeros(5, 6), zeros(6)));
    assertMessageNames(inner, "Gemm_test", "[3, 4]", "[5, 6]");
    ModelException bias =
        assertThrows(
            ModelException.class, () -> forward(gemm, zeros(3, 4), zeros(4, 6), zeros(3, 6, 1)));
    assertMessageNames(bias, "Gemm_test", "[3, 6, 1]", "[3, 6]");
  }

  private static Node gemm(int transA, int transB, float alpha, float beta, boolean withC) {
    return node(
        "Gemm",
        Map.of("transA", (long) transA, "transB", (long) transB, "alpha", alpha, "beta", beta),
        withC ? 3 : 2,
        1);
  }

  private static Tensor[] inputs(Tensor a, Tensor b, Tensor c) {
    return c == null ? new Tensor[] {a, b} : new Tensor[] {a, b, c};
  }

  /** alpha * op(A) op(B) + beta * C in double, reading transposed operands by swapped indices. */
  private static float[] reference(
      Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, float alpha, float beta) {
    int m = transA ? a.shape().dim(1) : a.shape().dim(0);
    int k = transA ? a.shape().dim(0) : a.shape().dim(1);
    int n = transB ? b.shape().dim(0) : b.shape().dim(1);
    float[] y = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a.data()[p * m + i] : a.data()[i * k + p];
          double bv = transB ? b.data()[j * k + p] : b.data()[p * n + j];
          sum += av * bv;
        }
        double bias = c == null ? 0 : c.data()[broadcastSource(new int[] {i, j}, c.shape())];
        y[i * n + j] = (float) (alpha * sum + beta * bias);
      }
    }
    return y;
  }
}
