package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.BroadcastIndexing.broadcastSource;
import static org.featviz.cpu.BroadcastIndexing.unravel;
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
 * MatMul with numpy semantics (1-D promotion, batch broadcasting) against a per-element reference.
 */
class MatMulTest {
  private final Node matmul = node("MatMul", Map.of(), 2, 1);

  /** A shape, B shape, and the output shape numpy.matmul gives. */
  private static final Shape[][] CASES = {
    {Shape.of(4), Shape.of(4), Shape.scalar()},
    {Shape.of(4), Shape.of(4, 5), Shape.of(5)},
    {Shape.of(3, 4), Shape.of(4), Shape.of(3)},
    {Shape.of(3, 4), Shape.of(4, 5), Shape.of(3, 5)},
    {Shape.of(2, 3, 4), Shape.of(4, 5), Shape.of(2, 3, 5)},
    {Shape.of(3, 4), Shape.of(2, 4, 5), Shape.of(2, 3, 5)},
    {Shape.of(4), Shape.of(2, 4, 5), Shape.of(2, 5)},
    {Shape.of(2, 3, 4), Shape.of(4), Shape.of(2, 3)},
    {Shape.of(2, 3, 4), Shape.of(2, 4, 5), Shape.of(2, 3, 5)},
    {Shape.of(2, 1, 3, 4), Shape.of(3, 4, 5), Shape.of(2, 3, 3, 5)},
    {Shape.of(1, 3, 2, 4), Shape.of(2, 1, 4, 3), Shape.of(2, 3, 2, 3)},
  };

  @Test
  void forwardMatchesNumpySemantics() {
    Random rng = new Random(31);
    for (Shape[] c : CASES) {
      Tensor[] ab = operands(c, rng);
      Tensor y = forward(matmul, ab)[0];
      String what = "MatMul " + c[0] + " x " + c[1];
      assertEquals(c[2], y.shape(), what);
      assertClose(reference(ab[0], ab[1], c[2]), y.data(), 1e-5, 1e-5, what);
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(32);
    for (Shape[] c : CASES) {
      checkGradient(
          matmul, operands(c, rng), new boolean[] {true, true}, rng.nextLong(), 1e-2, 1e-2);
    }
  }

  /** Fresh random A and B of a case's shapes. */
  private static Tensor[] operands(Shape[] c, Random rng) {
    return new Tensor[] {random(c[0], rng, -1f, 1f), random(c[1], rng, -1f, 1f)};
  }

  @Test
  void largeProductMatchesReferenceOnSampledElements() {
    // Large enough that rows run in parallel; checks a sample of outputs against the dot products
    // in double.
    Random rng = new Random(33);
    Tensor a = random(Shape.of(64, 300), rng, -1f, 1f);
    Tensor b = random(Shape.of(300, 200), rng, -1f, 1f);
    Tensor y = forward(matmul, a, b)[0];
    for (int s = 0; s < 200; s++) {
      int i = rng.nextInt(64);
      int j = rng.nextInt(200);
      double sum = 0;
      for (int p = 0; p < 300; p++) sum += (double) a.data()[i * 300 + p] * b.data()[p * 200 + j];
      assertClose(
          new float[] {(float) sum},
          new float[] {y.data()[i * 200 + j]},
          1e-4,
          1e-4,
          "y[" + i + "," + j + "]");
    }
  }

  @Test
  void mismatchedShapesNameTheNodeAndShapes() {
    ModelException inner =
        assertThrows(ModelException.class, () -> forward(matmul, zeros(2, 3, 4), zeros(5, 6)));
    assertMessageNames(inner, "MatMul_test", "[2, 3, 4]", "[5, 6]");
    ModelException batch =
        assertThrows(ModelException.class, () -> forward(matmul, zeros(2, 3, 4), zeros(3, 4, 5)));
    assertMessageNames(batch, "MatMul_test", "[2, 3, 4]", "[3, 4, 5]");
    ModelException scalar =
        assertThrows(
            ModelException.class, () -> forward(matmul, Tensor.zeros(Shape.scalar()), zeros(3)));
    assertMessageNames(scalar, "MatMul_test", "[]", "[3]");
  }

  /**
   * numpy.matmul element by element: promote 1-D operands to [1, K] / [K, 1], then for each index
   * of the promoted output, broadcast its batch part into each operand and take the dot product
   * over K.
   */
  private static float[] reference(Tensor a, Tensor b, Shape out) {
    Shape pa = a.shape().rank() == 1 ? Shape.of(1, a.shape().dim(0)) : a.shape();
    Shape pb = b.shape().rank() == 1 ? Shape.of(b.shape().dim(0), 1) : b.shape();
    int m = pa.dim(-2);
    int k = pa.dim(-1);
    int n = pb.dim(-1);
    Shape aBatch = Shape.of(Arrays.copyOf(pa.dims(), pa.rank() - 2));
    Shape bBatch = Shape.of(Arrays.copyOf(pb.dims(), pb.rank() - 2));
    int batches = out.size() / (m * n);
    int batchRank = Math.max(aBatch.rank(), bBatch.rank());
    int[] batchDims = new int[batchRank];
    for (int d = 0; d < batchRank; d++) {
      int da =
          d - (batchRank - aBatch.rank()) >= 0 ? aBatch.dim(d - (batchRank - aBatch.rank())) : 1;
      int db =
          d - (batchRank - bBatch.rank()) >= 0 ? bBatch.dim(d - (batchRank - bBatch.rank())) : 1;
      batchDims[d] = Math.max(da, db);
    }
    Shape batch = Shape.of(batchDims);
    float[] y = new float[out.size()];
    for (int t = 0; t < batches; t++) {
      int[] idx = unravel(t, batch);
      int ta = broadcastSource(idx, aBatch);
      int tb = broadcastSource(idx, bBatch);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double sum = 0;
          for (int p = 0; p < k; p++) {
            sum += (double) a.data()[ta * m * k + i * k + p] * b.data()[tb * k * n + p * n + j];
          }
          y[t * m * n + i * n + j] = (float) sum;
        }
      }
    }
    return y;
  }
}
