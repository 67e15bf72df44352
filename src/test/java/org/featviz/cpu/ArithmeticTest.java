package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.BroadcastIndexing.broadcastSource;
import static org.featviz.cpu.BroadcastIndexing.unravel;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Add, Sub, Mul, Div: numpy broadcasting forward against a per-element reference, and gradients of
 * both inputs.
 */
class ArithmeticTest {
  private static final String[] OPS = {"Add", "Sub", "Mul", "Div"};
  private static final DoubleBinaryOperator[] REFERENCE = {
    (a, b) -> a + b, (a, b) -> a - b, (a, b) -> a * b, (a, b) -> a / b
  };

  /** Operand shapes and the broadcast result ONNX specifies for them. */
  private static final Shape[][] CASES = {
    {Shape.of(2, 3, 4), Shape.of(2, 3, 4), Shape.of(2, 3, 4)},
    {Shape.of(2, 3, 4, 5), Shape.of(5), Shape.of(2, 3, 4, 5)},
    {Shape.of(2, 1, 4, 1), Shape.of(3, 1, 5), Shape.of(2, 3, 4, 5)},
    {Shape.scalar(), Shape.of(2, 3), Shape.of(2, 3)},
    {Shape.of(2, 3), Shape.scalar(), Shape.of(2, 3)},
    {Shape.of(3, 1), Shape.of(1, 4), Shape.of(3, 4)},
    {Shape.of(1), Shape.of(2, 2), Shape.of(2, 2)},
    {Shape.of(4, 1, 3), Shape.of(4, 2, 1), Shape.of(4, 2, 3)},
  };

  @Test
  void forwardBroadcastsLikeNumpy() {
    Random rng = new Random(11);
    for (int op = 0; op < OPS.length; op++) {
      Node node = node(OPS[op], Map.of(), 2, 1);
      for (Shape[] c : CASES) {
        Tensor a = random(c[0], rng, -2f, 2f);
        Tensor b = divisor(c[1], rng);
        Tensor y = forward(node, a, b)[0];
        assertEquals(c[2], y.shape(), OPS[op] + " " + c[0] + " " + c[1]);
        float[] expected = new float[c[2].size()];
        for (int o = 0; o < expected.length; o++) {
          int[] idx = unravel(o, c[2]);
          double av = a.data()[broadcastSource(idx, c[0])];
          double bv = b.data()[broadcastSource(idx, c[1])];
          expected[o] = (float) REFERENCE[op].applyAsDouble(av, bv);
        }
        assertClose(expected, y.data(), 1e-6, 1e-6, OPS[op] + " " + c[0] + " " + c[1]);
      }
    }
  }

  @Test
  void specExamples() {
    // From the ONNX operator docs: x = [1, 2, 3], y = [4, 5, 6].
    Tensor x = Tensor.of(Shape.of(3), new float[] {1, 2, 3});
    Tensor y = Tensor.of(Shape.of(3), new float[] {4, 5, 6});
    assertExact(new float[] {5, 7, 9}, forward(node("Add", Map.of(), 2, 1), x, y)[0].data(), "Add");
    assertExact(
        new float[] {-3, -3, -3}, forward(node("Sub", Map.of(), 2, 1), x, y)[0].data(), "Sub");
    assertExact(
        new float[] {4, 10, 18}, forward(node("Mul", Map.of(), 2, 1), x, y)[0].data(), "Mul");
    Tensor p = Tensor.of(Shape.of(2), new float[] {3, 4});
    Tensor q = Tensor.of(Shape.of(2), new float[] {1, 2});
    assertExact(new float[] {3, 2}, forward(node("Div", Map.of(), 2, 1), p, q)[0].data(), "Div");
  }

  @Test
  void backwardReducesOverBroadcastDimensions() {
    Random rng = new Random(12);
    for (String op : OPS) {
      Node node = node(op, Map.of(), 2, 1);
      for (Shape[] c : CASES) {
        Tensor a = random(c[0], rng, -2f, 2f);
        Tensor b = divisor(c[1], rng);
        double eps = op.equals("Div") ? 3e-3 : 1e-2;
        checkGradient(
            node, new Tensor[] {a, b}, new boolean[] {true, true}, rng.nextLong(), eps, 1e-2);
      }
    }
  }

  @Test
  void incompatibleShapesNameTheNodeAndShapes() {
    Node add = node("Add", Map.of(), 2, 1);
    ModelException e =
        assertThrows(ModelException.class, () -> forward(add, zeros(2, 3), zeros(4)));
    assertMessageNames(e, "Add_test", "[2, 3]", "[4]");
  }

  /**
   * Values with |v| in [0.5, 1.5] and a random sign: safe divisors, and fine for the other ops too.
   */
  private static Tensor divisor(Shape shape, Random rng) {
    Tensor t = random(shape, rng, 0.5f, 1.5f);
    float[] v = t.data();
    for (int i = 0; i < v.length; i++) if (rng.nextBoolean()) v[i] = -v[i];
    return t;
  }
}
