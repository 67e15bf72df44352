package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/** Split (sizes from the input, the attribute, num_outputs, equal parts) and variadic Max / Min. */
class SplitAndExtremumTest {
  private static final Tensor SIX =
      Tensor.of(Shape.of(2, 6), new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

  @Test
  void splitBySizesEqualPartsAndNumOutputs() {
    Tensor[] y =
        forward(
            node("Split", Map.of("axis", 1L), 2, 2),
            SIX,
            Tensor.ofLongs(Shape.of(2), new long[] {2, 4}));
    assertEquals(Shape.of(2, 2), y[0].shape());
    assertExact(new float[] {1, 2, 7, 8}, y[0].data(), "first part");
    assertExact(new float[] {3, 4, 5, 6, 9, 10, 11, 12}, y[1].data(), "second part");
    y = forward(node("Split", Map.of("axis", -1L), 1, 3), SIX);
    assertExact(new float[] {5, 6, 11, 12}, y[2].data(), "equal parts");
    y = forward(node("Split", Map.of("split", new long[] {1, 1}), 1, 2), 11, SIX);
    assertExact(new float[] {7, 8, 9, 10, 11, 12}, y[1].data(), "opset 11 attribute");
    // Opset 18's num_outputs: ceil(6 / 4) = 2 each, the last one what is left.
    y = forward(node("Split", Map.of("axis", 1L, "num_outputs", 4L), 1, 4), 18, SIX);
    assertEquals(Shape.of(2, 0), y[3].shape());
    assertExact(new float[] {5, 6, 11, 12}, y[2].data(), "num_outputs");
  }

  @Test
  void splitBackwardMatchesFiniteDifferencesAndBadSizesNameTheNode() {
    Tensor x = random(Shape.of(3, 5, 2), new Random(601), -1f, 1f);
    checkGradient(
        node("Split", Map.of("axis", 1L), 2, 3),
        new Tensor[] {x, Tensor.ofLongs(Shape.of(3), new long[] {1, 3, 1})},
        new boolean[] {true, false},
        602,
        1e-2,
        1e-2);
    ModelException e =
        assertThrows(
            ModelException.class,
            () ->
                forward(
                    node("Split", Map.of("axis", 1L), 2, 2),
                    SIX,
                    Tensor.ofLongs(Shape.of(2), new long[] {2, 3})));
    assertMessageNames(e, "Split_test", "does not add up");
  }

  @Test
  void maxAndMinOfThreeBroadcastInputs() {
    Tensor a = Tensor.of(Shape.of(2, 3), new float[] {1, 5, -2, 0, 3, 9});
    Tensor b = Tensor.of(Shape.of(3), new float[] {2, 2, 2});
    Tensor c = Tensor.of(Shape.of(2, 1), new float[] {4, -1});
    assertExact(
        new float[] {4, 5, 4, 2, 3, 9},
        forward(node("Max", Map.of(), 3, 1), a, b, c)[0].data(),
        "max");
    assertExact(
        new float[] {1, 2, -2, -1, -1, -1},
        forward(node("Min", Map.of(), 3, 1), a, b, c)[0].data(),
        "min");
    Tensor nan = Tensor.of(Shape.of(1), new float[] {Float.NaN});
    float[] y = forward(node("Max", Map.of(), 2, 1), a, nan)[0].data();
    for (float v : y) assertTrue(Float.isNaN(v), "NaN propagates");
  }

  @Test
  void extremumGradientsGoToTheInputThatWon() {
    Random rng = new Random(603);
    Tensor a = distinct(Shape.of(2, 3), rng, 0.3f);
    Tensor b = distinct(Shape.of(3), rng, 0.37f);
    Tensor c = distinct(Shape.of(2, 1), rng, 0.41f);
    for (String op : new String[] {"Max", "Min"})
      checkGradient(
          node(op, Map.of(), 3, 1),
          new Tensor[] {a, b, c},
          new boolean[] {true, true, true},
          604,
          1e-3,
          1e-2);
    // A tie goes to the earlier input.
    var n = node("Max", Map.of(), 2, 1);
    Tensor one = Tensor.of(Shape.of(1), new float[] {1});
    Tensor[] grads = {Tensor.zeros(one.shape()), Tensor.zeros(one.shape())};
    OpTesting.backward(
        n,
        new Tensor[] {one, one},
        forward(n, one, one),
        new Tensor[] {Tensor.of(Shape.of(1), new float[] {3})},
        grads);
    assertExact(new float[] {3}, grads[0].data(), "first input");
    assertExact(new float[] {0}, grads[1].data(), "second input");
  }
}
