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
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/** Gather with constant indices against the ONNX documentation's examples and written-out sums. */
class GatherTest {
  private static final Tensor DATA =
      Tensor.of(Shape.of(3, 2), new float[] {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});

  private static Tensor ints(Shape s, long... v) {
    return Tensor.ofLongs(s, v);
  }

  @Test
  void theDocumentedExamples() {
    // axis 0, indices [[0, 1], [1, 2]]: rows of data, output [2, 2, 2].
    Tensor y = forward(node("Gather", Map.of(), 2, 1), DATA, ints(Shape.of(2, 2), 0, 1, 1, 2))[0];
    assertEquals(Shape.of(2, 2, 2), y.shape());
    assertExact(new float[] {1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f}, y.data(), "axis 0");
    // axis 1 with a negative index: columns 0 and -1 of each row.
    y = forward(node("Gather", Map.of("axis", 1L), 2, 1), DATA, ints(Shape.of(1, 2), 0, -1))[0];
    assertEquals(Shape.of(3, 1, 2), y.shape());
    assertExact(new float[] {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f}, y.data(), "axis 1");
  }

  @Test
  void aScalarIndexDropsTheAxis() {
    Tensor y = forward(node("Gather", Map.of("axis", -2L), 2, 1), DATA, ints(Shape.of(), 2))[0];
    assertEquals(Shape.of(2), y.shape());
    assertExact(new float[] {4.5f, 5.7f}, y.data(), "scalar index");
  }

  @Test
  void backwardMatchesFiniteDifferencesAndSumsRepeatedIndices() {
    Tensor x = random(Shape.of(2, 4, 3), new Random(401), -1f, 1f);
    Tensor idx = ints(Shape.of(3), 3, -1, 0);
    checkGradient(
        node("Gather", Map.of("axis", 1L), 2, 1),
        new Tensor[] {x, idx},
        new boolean[] {true, false},
        402,
        1e-2,
        1e-2);
    // Index 3 read twice: its gradient is the sum of both dy rows; row 1 and 2 get none.
    Tensor dy = Tensor.of(Shape.of(2, 1, 3), new float[] {1, 2, 3, 4, 5, 6});
    Tensor[] in = {x, idx};
    Tensor[] grads = {Tensor.zeros(x.shape()), null};
    var n = node("Gather", Map.of("axis", 1L), 2, 1);
    Tensor dy3 = Tensor.of(Shape.of(2, 3, 3), new float[18]);
    for (int o = 0; o < 2; o++)
      for (int k = 0; k < 3; k++)
        for (int j = 0; j < 3; j++) dy3.data()[(o * 3 + k) * 3 + j] = dy.data()[o * 3 + j];
    OpTesting.backward(n, in, forward(n, x, idx), new Tensor[] {dy3}, grads);
    float[] expected = new float[24];
    for (int o = 0; o < 2; o++)
      for (int j = 0; j < 3; j++) {
        expected[(o * 4 + 3) * 3 + j] = 2 * dy.data()[o * 3 + j];
        expected[(o * 4) * 3 + j] = dy.data()[o * 3 + j];
      }
    assertExact(expected, grads[0].data(), "summed at the rows read");
  }

  @Test
  void anIndexOutOfRangeNamesTheNode() {
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> forward(node("Gather", Map.of(), 2, 1), DATA, ints(Shape.of(1), 3)));
    assertMessageNames(e, "Gather_test", "index 3", "axis 0 of size 3");
  }
}
