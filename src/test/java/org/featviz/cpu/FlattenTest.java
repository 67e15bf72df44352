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

class FlattenTest {
  private static final Shape X = Shape.of(2, 3, 4, 5);

  @Test
  void outputIsTwoDimensionalWithElementsInOrder() {
    // Output shapes of the ONNX flatten examples for a [2, 3, 4, 5] input, by axis.
    long[] axes = {0, 1, 2, 3, 4, -1, -2, -3, -4};
    Shape[] expected = {
      Shape.of(1, 120),
      Shape.of(2, 60),
      Shape.of(6, 20),
      Shape.of(24, 5),
      Shape.of(120, 1),
      Shape.of(24, 5),
      Shape.of(6, 20),
      Shape.of(2, 60),
      Shape.of(1, 120)
    };
    Tensor x = random(X, new Random(101), -1f, 1f);
    for (int i = 0; i < axes.length; i++) {
      Tensor y = forward(node("Flatten", Map.of("axis", axes[i]), 1, 1), x)[0];
      assertEquals(expected[i], y.shape(), "axis " + axes[i]);
      assertExact(x.data(), y.data(), "axis " + axes[i]);
    }
    assertEquals(
        Shape.of(2, 60), forward(node("Flatten", Map.of(), 1, 1), x)[0].shape(), "default axis");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(X, new Random(102), -1f, 1f);
    checkGradient(node("Flatten", Map.of("axis", 2L), 1, 1), x, 103, 1e-2, 1e-2);
  }

  @Test
  void axisOutOfRangeNamesTheNodeAndShape() {
    Node flatten = node("Flatten", Map.of("axis", 5L), 1, 1);
    ModelException e = assertThrows(ModelException.class, () -> forward(flatten, Tensor.zeros(X)));
    assertMessageNames(e, "Flatten_test", "axis 5", "[2, 3, 4, 5]");
  }
}
