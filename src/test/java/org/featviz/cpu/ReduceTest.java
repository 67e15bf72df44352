package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/** ReduceSum, ReduceMean, ReduceMax against sums written out here and the ONNX attribute rules. */
class ReduceTest {
  /** x[i, j, k] = 100 i + 10 j + k, shape [2, 3, 4]. */
  private static Tensor counting() {
    float[] v = new float[24];
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 3; j++)
        for (int k = 0; k < 4; k++) v[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
    return Tensor.of(Shape.of(2, 3, 4), v);
  }

  private static Tensor axes(long... a) {
    return Tensor.ofLongs(Shape.of(a.length), a);
  }

  @Test
  void meanAndMaxOverTwoAxesKeepingOrDroppingThem() {
    Tensor y = forward(node("ReduceMean", Map.of("axes", new long[] {0, 2}), 1, 1), counting())[0];
    assertEquals(Shape.of(1, 3, 1), y.shape());
    // mean over i of 100 i is 50, over k of k is 1.5.
    assertExact(new float[] {51.5f, 61.5f, 71.5f}, y.data(), "mean");
    y =
        forward(
            node("ReduceMax", Map.of("axes", new long[] {-1, 1}, "keepdims", 0L), 1, 1),
            counting())[0];
    assertEquals(Shape.of(2), y.shape());
    assertExact(new float[] {23, 123}, y.data(), "max");
  }

  @Test
  void sumTakesItsAxesAsAnInputFromOpset13AndEveryAxisWithoutThem() {
    Tensor y = forward(node("ReduceSum", Map.of("keepdims", 0L), 2, 1), counting(), axes(1))[0];
    assertEquals(Shape.of(2, 4), y.shape());
    assertExact(new float[] {30, 33, 36, 39, 330, 333, 336, 339}, y.data(), "sum over axis 1");
    y = forward(node("ReduceSum", Map.of(), 1, 1), counting())[0];
    assertEquals(Shape.of(1, 1, 1), y.shape());
    assertExact(new float[] {100 * 12 + 10 * 3 * 8 + 6 * 6}, y.data(), "sum of all");
    // noop_with_empty_axes: no axes is the identity.
    y = forward(node("ReduceSum", Map.of("noop_with_empty_axes", 1L), 2, 1), counting(), axes())[0];
    assertEquals(Shape.of(2, 3, 4), y.shape());
    assertExact(counting().data(), y.data(), "noop");
    // Opset 18: ReduceMean's axes are an input as well.
    y = forward(node("ReduceMean", Map.of("keepdims", 0L), 2, 1), 18, counting(), axes(0, 1))[0];
    assertClose(new float[] {60, 61, 62, 63}, y.data(), 1e-6, 0, "opset 18 mean");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(501);
    Tensor x = random(Shape.of(2, 3, 4), rng, -1f, 1f);
    checkGradient(node("ReduceMean", Map.of("axes", new long[] {1, 2}), 1, 1), x, 502, 1e-2, 1e-2);
    checkGradient(
        node("ReduceSum", Map.of(), 2, 1),
        new Tensor[] {x, axes(0, -1)},
        new boolean[] {true, false},
        503,
        1e-2,
        1e-2);
    Tensor d = distinct(Shape.of(2, 3, 4), rng, 0.1f);
    checkGradient(node("ReduceMax", Map.of("axes", new long[] {0, 2}), 1, 1), d, 504, 1e-3, 1e-2);
  }

  @Test
  void maxGivesItsGradientToTheFirstOfEqualMaxima() {
    var n = node("ReduceMax", Map.of("axes", new long[] {1}), 1, 1);
    Tensor x = Tensor.of(Shape.of(2, 3), new float[] {1, 5, 5, 7, 2, 7});
    Tensor[] grads = {Tensor.zeros(x.shape())};
    Tensor[] out = forward(n, x);
    OpTesting.backward(
        n,
        new Tensor[] {x},
        out,
        new Tensor[] {Tensor.of(Shape.of(2, 1), new float[] {10, 20})},
        grads);
    assertExact(new float[] {5, 7}, out[0].data(), "max");
    assertExact(new float[] {0, 10, 0, 20, 0, 0}, grads[0].data(), "first maximum");
  }

  @Test
  void aRepeatedAxisNamesTheNode() {
    ModelException e =
        assertThrows(
            ModelException.class,
            () ->
                forward(node("ReduceMean", Map.of("axes", new long[] {1, -2}), 1, 1), counting()));
    assertMessageNames(e, "ReduceMean_test", "repeat axis 1");
  }
}
