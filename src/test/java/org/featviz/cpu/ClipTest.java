package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Attributes;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Clip with attribute bounds (opset 6) and input bounds (opset 11+, each optional), forward and
 * gradients.
 */
class ClipTest {
  @Test
  void specExample() {
    Tensor x = Tensor.of(Shape.of(3), new float[] {-2, 0, 2});
    float[] y =
        forward(node("Clip", Map.of(), 3, 1), x, Tensor.scalar(-1f), Tensor.scalar(1f))[0].data();
    assertExact(new float[] {-1, 0, 1}, y, "Clip example");
  }

  @Test
  void attributeBoundsBeforeOpset11() {
    Tensor x = random(Shape.of(3, 4, 5), new Random(71), -2f, 2f);
    Node clip = node("Clip", Map.of("min", -0.5f, "max", 0.7f), 1, 1);
    assertExact(reference(x, -0.5f, 0.7f), forward(clip, 6, x)[0].data(), "Clip-6 min and max");
    Node onlyMax = node("Clip", Map.of("max", 0.7f), 1, 1);
    assertExact(
        reference(x, -Float.MAX_VALUE, 0.7f), forward(onlyMax, 6, x)[0].data(), "Clip-6 max only");
  }

  @Test
  void inputBoundsMayBeOmittedWithEmptyNames() {
    Tensor x = random(Shape.of(3, 4, 5), new Random(72), -2f, 2f);
    Tensor min = Tensor.scalar(-0.5f);
    Tensor max = Tensor.scalar(0.7f);
    assertExact(
        reference(x, -0.5f, 0.7f),
        forward(clip("x", "min", "max"), 13, x, min, max)[0].data(),
        "both bounds");
    assertExact(
        reference(x, -Float.MAX_VALUE, 0.7f),
        forward(clip("x", "", "max"), 11, x, null, max)[0].data(),
        "min omitted");
    assertExact(
        reference(x, -0.5f, Float.MAX_VALUE),
        forward(clip("x", "min"), 12, x, min)[0].data(),
        "max omitted");
    assertExact(x.data(), forward(clip("x"), 13, x)[0].data(), "no bounds");
  }

  @Test
  void minAboveMaxGivesMax() {
    Tensor x = random(Shape.of(10), new Random(73), -2f, 2f);
    float[] y =
        forward(clip("x", "min", "max"), 13, x, Tensor.scalar(1f), Tensor.scalar(-1f))[0].data();
    for (float v : y) assertEquals(-1f, v);
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    // distinct() puts values on odd multiples of 0.025, so no element sits within eps of a bound at
    // -0.3 or 0.4.
    Tensor x = distinct(Shape.of(4, 5), new Random(74), 0.05f);
    Tensor min = Tensor.scalar(-0.3f);
    Tensor max = Tensor.scalar(0.4f);
    checkGradient(
        clip("x", "min", "max"),
        13,
        new Tensor[] {x, min, max},
        new boolean[] {true, true, true},
        75,
        1e-2,
        1e-2);
    checkGradient(
        clip("x", "", "max"),
        13,
        new Tensor[] {x, null, max},
        new boolean[] {true, false, true},
        76,
        1e-2,
        1e-2);
    Node clip6 = node("Clip", Map.of("min", -0.3f, "max", 0.4f), 1, 1);
    checkGradient(clip6, 6, x, 77, 1e-2, 1e-2);
  }

  @Test
  void nonScalarBoundNamesTheNodeAndShape() {
    Tensor x = zeros(3);
    ModelException e =
        assertThrows(ModelException.class, () -> forward(clip("x", "min"), 13, x, zeros(2)));
    BroadcastIndexing.assertMessageNames(e, "Clip_test", "[2]");
  }

  private static Node clip(String... inputs) {
    return new Node("Clip_test", "Clip", List.of(inputs), List.of("y"), Attributes.empty());
  }

  private static float[] reference(Tensor x, float min, float max) {
    float[] y = new float[x.size()];
    for (int i = 0; i < y.length; i++) {
      float v = x.data()[i];
      y[i] = v < min ? min : (v > max ? max : v);
    }
    return y;
  }
}
