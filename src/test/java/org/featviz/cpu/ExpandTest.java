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

/**
 * Expand of float data against the ONNX documentation's examples, finite differences (the gradient
 * sums the copies), and a shape that does not broadcast.
 */
class ExpandTest {
  private static final Node EXPAND = node("Expand", Map.of(), 2, 1);

  private static Tensor shape(long... s) {
    return Tensor.ofLongs(Shape.of(s.length), s);
  }

  @Test
  void theDocumentedExamples() {
    Tensor x = Tensor.of(Shape.of(3, 1), new float[] {1, 2, 3});
    // shape [2, 1, 6]: [3, 1] broadcast to [2, 3, 6].
    Tensor y = forward(EXPAND, x, shape(2, 1, 6))[0];
    assertEquals(Shape.of(2, 3, 6), y.shape());
    float[] expected = new float[36];
    for (int i = 0; i < 36; i++) expected[i] = 1 + (i / 6) % 3;
    assertExact(expected, y.data(), "[2, 1, 6]");
    // shape [3, 4]: each row repeated along the columns; a shape of ones leaves x as it is.
    y = forward(EXPAND, x, shape(3, 4))[0];
    assertExact(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, y.data(), "[3, 4]");
    y = forward(EXPAND, x, shape(1, 1))[0];
    assertEquals(x.shape(), y.shape());
    assertExact(x.data(), y.data(), "ones");
  }

  @Test
  void backwardSumsTheCopies() {
    Tensor x = random(Shape.of(3, 1), new Random(111), -1f, 1f);
    checkGradient(
        EXPAND, new Tensor[] {x, shape(2, 3, 4)}, new boolean[] {true, false}, 112, 1e-2, 1e-3);
  }

  @Test
  void aShapeThatDoesNotBroadcastIsRefusedNamingTheNode() {
    ModelException e =
        assertThrows(
            ModelException.class, () -> forward(EXPAND, OpTesting.zeros(3, 2), shape(4, 4)));
    assertMessageNames(e, "Expand_test", "does not broadcast");
  }
}
