package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

/**
 * ConvTranspose against the ONNX documentation's example, against Conv as its adjoint (sum convT(x)
 * v = sum x conv(v) with the same weights, pads, strides, dilations and groups: ConvRef is an
 * independent oracle), finite differences, and the refusals.
 */
class ConvTransposeTest {
  @Test
  void theDocumentedExample() {
    Tensor x = Tensor.of(Shape.of(1, 1, 3, 3), new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8});
    Tensor w = Tensor.of(Shape.of(1, 2, 3, 3), new float[18]);
    Arrays.fill(w.data(), 1f);
    Tensor y = forward(node("ConvTranspose", Map.of(), 2, 1), x, w)[0];
    assertEquals(Shape.of(1, 2, 5, 5), y.shape());
    float[] plane = {
      0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8
    };
    float[] expected = new float[50];
    System.arraycopy(plane, 0, expected, 0, 25);
    System.arraycopy(plane, 0, expected, 25, 25);
    assertClose(expected, y.data(), 0, 0, "example");
  }

  /** ConvTranspose attributes and the Conv attributes of its adjoint. */
  private static void checkAdjoint(
      int[] xDims,
      int[] wDims,
      long group,
      long[] strides,
      long[] pads,
      long[] dil,
      long[] outPad) {
    Random rng = new Random(101);
    Map<String, Object> t =
        Map.of(
            "group", group,
            "strides", strides,
            "pads", pads,
            "dilations", dil,
            "output_padding", outPad);
    Tensor x = random(Shape.of(xDims), rng, -1f, 1f);
    Tensor w = random(Shape.of(wDims), rng, -1f, 1f);
    Tensor y = forward(node("ConvTranspose", t, 2, 1), x, w)[0];
    Tensor v = random(y.shape(), rng, -1f, 1f);
    Map<String, Object> c =
        Map.of("group", group, "strides", strides, "pads", pads, "dilations", dil);
    Tensor back = forward(node("Conv", c, 2, 1), v, w)[0];
    assertEquals(x.shape(), back.shape(), "conv of y's shape gives x's");
    double lhs = 0;
    for (int i = 0; i < y.size(); i++) lhs += (double) y.data()[i] * v.data()[i];
    double rhs = 0;
    for (int i = 0; i < x.size(); i++) rhs += (double) x.data()[i] * back.data()[i];
    assertEquals(rhs, lhs, 1e-4 * (Math.abs(rhs) + 1), "adjoint " + t);
  }

  @Test
  void oneAndThreeSpatialAxesAreTheAdjointOfConvolutionToo() {
    checkAdjoint(
        new int[] {2, 2, 7},
        new int[] {2, 3, 3},
        1,
        new long[] {2},
        new long[] {1, 0},
        new long[] {1},
        new long[] {1});
    checkAdjoint(
        new int[] {1, 2, 3, 2, 4},
        new int[] {2, 2, 2, 3, 2},
        2,
        new long[] {2, 1, 2},
        new long[] {0, 1, 1, 1, 0, 0},
        new long[] {1, 2, 1},
        new long[] {1, 0, 0});
  }

  @Test
  void itIsTheAdjointOfConvolution() {
    long[] one = {1, 1};
    long[] zero = {0, 0};
    checkAdjoint(new int[] {2, 3, 4, 5}, new int[] {3, 2, 3, 3}, 1, one, new long[4], one, zero);
    checkAdjoint(
        new int[] {1, 4, 3, 4},
        new int[] {4, 3, 3, 2},
        2,
        new long[] {2, 3},
        new long[] {1, 0, 0, 1},
        new long[] {2, 1},
        new long[] {1, 2});
    checkAdjoint(
        new int[] {2, 2, 5, 3},
        new int[] {2, 1, 2, 3},
        2,
        new long[] {3, 2},
        new long[] {1, 2, 1, 2},
        one,
        zero);
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(102);
    Node n =
        node(
            "ConvTranspose",
            Map.of("strides", new long[] {2, 2}, "pads", new long[] {1, 0, 1, 1}, "group", 2L),
            3,
            1);
    checkGradient(
        n,
        new Tensor[] {
          random(Shape.of(1, 4, 3, 3), rng, -1f, 1f),
          random(Shape.of(4, 1, 3, 2), rng, -1f, 1f),
          random(Shape.of(2), rng, -1f, 1f)
        },
        new boolean[] {true, false, false},
        103,
        1e-2,
        1e-3);
  }

  @Test
  void unsupportedGeometriesAreRefusedNamingTheNodeAndAttribute() {
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () ->
                forward(
                    node("ConvTranspose", Map.of(), 2, 1),
                    OpTesting.zeros(1, 1, 2, 2, 2, 2),
                    OpTesting.zeros(1, 1, 1, 1, 1, 1)));
    assertMessageNames(e, "ConvTranspose_test", "1 to 3 spatial axes");
    e =
        assertThrows(
            UnsupportedOpException.class,
            () ->
                forward(
                    node("ConvTranspose", Map.of("output_padding", new long[] {1, 0}), 2, 1),
                    OpTesting.zeros(1, 1, 3, 3),
                    OpTesting.zeros(1, 1, 2, 2)));
    assertMessageNames(e, "ConvTranspose_test", "output_padding 1");
  }
}
