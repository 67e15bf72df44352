package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/** Slice against the ONNX operator documentation's examples and a per-axis walk written here. */
class SliceTest {
  private static Tensor ints(long... v) {
    return Tensor.ofLongs(Shape.of(v.length), v);
  }

  private static final Tensor DATA =
      Tensor.of(Shape.of(2, 4), new float[] {1, 2, 3, 4, 5, 6, 7, 8});

  @Test
  void theDocumentedExamples() {
    Node slice = node("Slice", Map.of(), 5, 1);
    Tensor y = forward(slice, DATA, ints(1, 0), ints(2, 3), ints(0, 1), ints(1, 2))[0];
    assertEquals(Shape.of(1, 2), y.shape());
    assertExact(new float[] {5, 7}, y.data(), "example 1");
    Node noSteps = node("Slice", Map.of(), 3, 1);
    y = forward(noSteps, DATA, ints(0, 1), ints(-1, 1000))[0];
    assertEquals(Shape.of(1, 3), y.shape());
    assertExact(new float[] {2, 3, 4}, y.data(), "example 2");
    // Negative steps walk backwards from a clamped start.
    y = forward(slice, DATA, ints(1, 3), ints(-1000, 0), ints(0, 1), ints(-1, -2))[0];
    assertEquals(Shape.of(2, 2), y.shape());
    assertExact(new float[] {8, 6, 4, 2}, y.data(), "negative steps");
    // Before opset 10 starts, ends and axes are attributes.
    Node old =
        node(
            "Slice",
            Map.of("starts", new long[] {1}, "ends", new long[] {3}, "axes", new long[] {-1}),
            1,
            1);
    y = forward(old, 9, DATA)[0];
    assertExact(new float[] {2, 3, 6, 7}, y.data(), "opset 9");
  }

  @Test
  void randomSlicesMatchAWalkOverTheAxes() {
    Random rng = new Random(301);
    Tensor x = random(Shape.of(3, 5, 7), rng, -1f, 1f);
    Node slice = node("Slice", Map.of(), 5, 1);
    long[][] cases = {{0, 3, 1}, {-4, 100, 2}, {6, -8, -3}, {-1, -100, -1}, {2, 2, 1}};
    for (long[] c : cases) {
      Tensor y = forward(slice, x, ints(1, c[0]), ints(3, c[1]), ints(0, 2), ints(1, c[2]))[0];
      // The indices of axis 2 that Python's range over the clamped bounds visits.
      java.util.List<Integer> idx = new java.util.ArrayList<>();
      long s = c[0] < 0 ? c[0] + 7 : c[0];
      long e = c[1] < 0 ? c[1] + 7 : c[1];
      if (c[2] > 0) {
        for (long i = Math.max(0, s); i < Math.min(7, e); i += c[2]) idx.add((int) i);
      } else {
        for (long i = Math.min(6, s); i > Math.max(-1, e); i += c[2]) idx.add((int) i);
      }
      float[] expected = new float[2 * 5 * idx.size()];
      int k = 0;
      for (int a = 1; a < 3; a++)
        for (int b = 0; b < 5; b++) for (int i : idx) expected[k++] = x.data()[(a * 5 + b) * 7 + i];
      assertEquals(Shape.of(2, 5, idx.size()), y.shape(), java.util.Arrays.toString(c));
      assertExact(expected, y.data(), java.util.Arrays.toString(c));
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(Shape.of(3, 4, 5), new Random(302), -1f, 1f);
    Tensor[] in = {x, ints(-2, 4), ints(100, 0), ints(0, 2), ints(1, -2)};
    checkGradient(
        node("Slice", Map.of(), 5, 1),
        in,
        new boolean[] {true, false, false, false, false},
        303,
        1e-2,
        1e-2);
  }

  @Test
  void mismatchedLengthsAndStepZeroNameTheNode() {
    Node slice = node("Slice", Map.of(), 5, 1);
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> forward(slice, DATA, ints(0), ints(1, 2), ints(0, 1), ints(1, 1)));
    assertMessageNames(e, "Slice_test", "differ in length");
    e =
        assertThrows(
            ModelException.class, () -> forward(slice, DATA, ints(0), ints(1), ints(0), ints(0)));
    assertMessageNames(e, "Slice_test", "step 0");
  }
}
