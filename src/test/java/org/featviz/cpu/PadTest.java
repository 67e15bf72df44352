package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.OpContext;
import org.featviz.ops.Ops;
import org.junit.jupiter.api.Test;

class PadTest {
  private static final String[] MODES = {"constant", "reflect", "edge", "wrap"};

  @Test
  void matchesTheOnnxSpecExamples() {
    Tensor x = Tensor.of(Shape.of(3, 2), new float[] {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
    Tensor pads = pads(0, 2, 0, 0);
    float[][] expected = {
      {0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f, 0, 0, 4.5f, 5.7f},
      {1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f},
      {1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f},
      {1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f}
    };
    for (int m = 0; m < MODES.length; m++) {
      assertExact(expected[m], forward(pad(MODES[m], 2), x, pads)[0].data(), MODES[m] + " example");
    }
  }

  @Test
  void everyModeMatchesANaiveReference() {
    Random rng = new Random(71);
    Shape shape = Shape.of(2, 3, 4, 5);
    // Asymmetric, wider than an axis (reflect and wrap then go round more than once), and negative
    // (cropping).
    long[][] padSets = {
      {0, 0, 1, 2, 0, 0, 3, 1}, {0, 1, 5, 7, 1, 0, 4, 6}, {0, 0, -1, 2, 0, -1, 1, -2}
    };
    for (String mode : MODES) {
      for (long[] p : padSets) {
        Tensor x = random(shape, rng, -1, 1);
        Tensor[] in = {x, Tensor.ofLongs(Shape.of(8), p), Tensor.scalar(0.75f)};
        Tensor y = forward(pad(mode, 3), in)[0];
        int[] expectedDims = shape.dims();
        for (int a = 0; a < 4; a++) expectedDims[a] += (int) (p[a] + p[a + 4]);
        assertEquals(Shape.of(expectedDims), y.shape(), mode + " " + Arrays.toString(p));
        assertExact(naive(x, p, mode, 0.75f), y.data(), "Pad " + mode + " " + Arrays.toString(p));
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesInEveryMode() {
    Random rng = new Random(72);
    for (String mode : MODES) {
      Tensor x = random(Shape.of(2, 3, 4), rng, -1, 1);
      Tensor[] in = {x, Tensor.ofLongs(Shape.of(6), new long[] {0, 2, 5, 1, -1, 3})};
      checkGradient(pad(mode, 2), in, new boolean[] {true, false}, 73, 1e-2, 1e-2);
    }
  }

  @Test
  void olderOpsetsTakePadsAndValueAsAttributes() {
    Random rng = new Random(74);
    Tensor x = random(Shape.of(1, 2, 3, 3), rng, -1, 1);
    long[] p = {0, 0, 1, 2, 0, 1, 2, 0};
    Node old = node("Pad", Map.of("mode", "constant", "pads", p, "value", 1.5f), 1, 1);
    Tensor y = forward(old, 10, x)[0];
    assertExact(naive(x, p, "constant", 1.5f), y.data(), "Pad opset 10");
    Node oldest = node("Pad", Map.of("mode", "edge", "paddings", p), 1, 1);
    assertExact(naive(x, p, "edge", 0), forward(oldest, 1, x)[0].data(), "Pad opset 1 (paddings)");
    checkGradient(old, 10, x, 75, 1e-2, 1e-2);
  }

  @Test
  void axesInputPadsOnlyTheNamedAxes() {
    Random rng = new Random(76);
    Tensor x = random(Shape.of(2, 3, 4), rng, -1, 1);
    Node padAxes = node("Pad", Map.of("mode", "reflect"), 4, 1);
    Tensor[] in = {x, pads(1, 2, 2, 0), null, Tensor.ofLongs(Shape.of(2), new long[] {-1, 1})};
    Tensor y = forward(padAxes, 18, in)[0];
    long[] full = {0, 2, 1, 0, 0, 2};
    assertExact(naive(x, full, "reflect", 0), y.data(), "Pad with axes [-1, 1]");
  }

  @Test
  void padsMustBeAConstantForShapeInference() {
    Node p = pad("constant", 2);
    List<Shape> shapes = List.of(Shape.of(1, 2), Shape.of(4));
    List<Tensor> constants = new ArrayList<>(Arrays.asList(null, null));
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> Ops.spec(p, 13).outputShapes(new OpContext(p, shapes, constants, 13)));
    assertEquals(true, e.getMessage().contains("constant"), e.getMessage());
    assertThrows(
        ModelException.class,
        () -> forward(p, zeros(1, 2), pads(0, -2, 0, -1)),
        "cropping more than the axis holds");
    assertThrows(
        ModelException.class,
        () -> forward(pad("constant", 2), zeros(1, 2), pads(1, 1)),
        "pads of the wrong length");
  }

  private static Node pad(String mode, int inputs) {
    return node("Pad", Map.of("mode", mode), inputs, 1);
  }

  private static Tensor pads(long... p) {
    return Tensor.ofLongs(Shape.of(p.length), p);
  }

  /** Pads by walking each output index back into the input, one axis at a time. */
  private static float[] naive(Tensor x, long[] pads, String mode, float value) {
    int rank = x.shape().rank();
    int[] in = x.shape().dims();
    int[] out = new int[rank];
    for (int a = 0; a < rank; a++) out[a] = in[a] + (int) (pads[a] + pads[a + rank]);
    int total = 1;
    for (int d : out) total *= d;
    float[] y = new float[total];
    int[] index = new int[rank];
    for (int o = 0; o < total; o++) {
      int rest = o;
      for (int a = rank - 1; a >= 0; a--) {
        index[a] = rest % out[a];
        rest /= out[a];
      }
      int src = 0;
      boolean outside = false;
      for (int a = 0; a < rank; a++) {
        int i = index[a] - (int) pads[a];
        int n = in[a];
        if (i < 0 || i >= n) {
          switch (mode) {
            case "constant" -> outside = true;
            case "edge" -> i = Math.max(0, Math.min(n - 1, i));
            case "wrap" -> {
              while (i < 0) i += n;
              while (i >= n) i -= n;
            }
            default -> {
              // reflect: bounce off the end elements until inside.
              while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
            }
          }
        }
        src = src * n + i;
      }
      y[o] = outside ? value : x.data()[src];
    }
    return y;
  }
}
