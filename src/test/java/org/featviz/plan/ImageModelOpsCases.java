package org.featviz.plan;

import static org.featviz.cpu.OpTesting.random;
import static org.featviz.plan.PlanTesting.compare;
import static org.featviz.plan.PlanTesting.graph;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The ops that torchvision's classifiers and their exports add (PRelu, LogSoftmax, Resize, ...)
 * through a device plan against the CPU executor on fresh random inputs: forward and the input
 * gradient, as {@link DevicePlanOpsCases} does for the older ones. Run on the emulator
 * (EmuTest$ImageModelOps) and a GPU (GpuTest$ImageModelOps).
 */
public abstract class ImageModelOpsCases extends DeviceCases {
  private final Random rng = new Random(1204);

  private Tensor x(int... dims) {
    return random(Shape.of(dims), rng, -1f, 1f);
  }

  @Test
  void preluWithAPerChannelAndAScalarSlope() {
    // Distinct values keep every element off the kink at 0.
    compare(
        device,
        graph()
            .input("x", OpTesting.distinct(Shape.of(2, 3, 4, 5), rng, 0.01f))
            .weight("slope", x(3, 1, 1))
            .weight("one", Tensor.scalar(0.2f))
            .node("PRelu", List.of("x", "slope"), "p", Map.of())
            .node("PRelu", List.of("p", "one"), "y", Map.of()),
        List.of("y"),
        1e-5,
        1e-6,
        51);
  }

  @Test
  void logSoftmaxAlongTheLastAndAMiddleAxis() {
    compare(
        device,
        graph()
            .input("x", x(2, 3, 10))
            .node("LogSoftmax", List.of("x"), "a", Map.of())
            .node("LogSoftmax", List.of("a"), "y", Map.of("axis", 1L)),
        List.of("y", "a"),
        1e-4,
        1e-5,
        52);
  }

  @Test
  void instanceNormalizationWithConstantWeights() {
    compare(
        device,
        graph()
            .input("x", x(2, 3, 6, 5))
            .weight("scale", x(3))
            .weight("b", x(3))
            .node(
                "InstanceNormalization", List.of("x", "scale", "b"), "y", Map.of("epsilon", 1e-3f)),
        List.of("y"),
        1e-4,
        1e-5,
        53);
  }

  @Test
  void tileAlongSeveralAxesAndNone() {
    compare(
        device,
        graph()
            .input("x", x(2, 3, 4))
            .weight("r", Tensor.ofLongs(Shape.of(3), new long[] {2, 1, 3}))
            .weight("ones", Tensor.ofLongs(Shape.of(3), new long[] {1, 1, 1}))
            .node("Tile", List.of("x", "r"), "t", Map.of())
            .node("Tile", List.of("t", "ones"), "y", Map.of()),
        List.of("y"),
        1e-5,
        1e-6,
        54);
  }

  @Test
  void resizeLinearAndNearestOnTwoAxes() {
    Tensor x = x(2, 3, 4, 4);
    for (Map<String, Object> attrs :
        List.<Map<String, Object>>of(
            Map.of("mode", "linear", "coordinate_transformation_mode", "pytorch_half_pixel"),
            Map.of("mode", "linear", "coordinate_transformation_mode", "align_corners"),
            Map.of(
                "mode",
                "nearest",
                "coordinate_transformation_mode",
                "asymmetric",
                "nearest_mode",
                "floor"))) {
      compare(
          device,
          graph()
              .input("x", x)
              .weight("sizes", Tensor.ofLongs(Shape.of(4), new long[] {2, 3, 3, 1}))
              .weight("scales", Tensor.of(Shape.of(4), new float[] {1, 1, 2, 1.5f}))
              .node("Resize", List.of("x", "", "", "sizes"), "down", attrs)
              .node("Resize", List.of("x", "", "scales"), "up", attrs),
          List.of("down", "up"),
          1e-5,
          1e-6,
          55);
    }
  }

  @Test
  void convTransposeWithGroupsStridesPadsAndOutputPadding() {
    // Symmetric pads with a bias, then unequal pads (a crop after the library call) with dilations.
    compare(
        device,
        graph()
            .input("x", x(2, 4, 3, 4))
            .weight("w", x(4, 3, 3, 3))
            .weight("b", x(6))
            .node(
                "ConvTranspose",
                List.of("x", "w", "b"),
                "y",
                Map.of(
                    "group",
                    2L,
                    "strides",
                    new long[] {2, 2},
                    "pads",
                    new long[] {1, 1, 1, 1},
                    "output_padding",
                    new long[] {1, 0})),
        List.of("y"),
        1e-4,
        1e-5,
        56);
    compare(
        device,
        graph()
            .input("x", x(1, 2, 4, 3))
            .weight("w", x(2, 3, 2, 3))
            .node(
                "ConvTranspose",
                List.of("x", "w"),
                "y",
                Map.of(
                    "strides",
                    new long[] {3, 2},
                    "pads",
                    new long[] {2, 0, 0, 1},
                    "dilations",
                    new long[] {2, 1})),
        List.of("y"),
        1e-4,
        1e-5,
        57);
  }

  @Test
  void expandBroadcastsOrIsAnAlias() {
    compare(
        device,
        graph()
            .input("x", x(3, 1, 2))
            .weight("to", Tensor.ofLongs(Shape.of(4), new long[] {2, 1, 4, 1}))
            .weight("ones", Tensor.ofLongs(Shape.of(3), new long[] {1, 1, 1}))
            .node("Expand", List.of("x", "ones"), "same", Map.of())
            .node("Expand", List.of("same", "to"), "y", Map.of()),
        List.of("y"),
        1e-5,
        1e-6,
        58);
  }

  @Test
  void convTransposeWithOneAndThreeSpatialAxes() {
    compare(
        device,
        graph()
            .input("x", x(2, 2, 5))
            .weight("w", x(2, 3, 3))
            .node(
                "ConvTranspose",
                List.of("x", "w"),
                "y",
                Map.of("strides", new long[] {2}, "pads", new long[] {0, 1})),
        List.of("y"),
        1e-4,
        1e-5,
        59);
    compare(
        device,
        graph()
            .input("x", x(1, 2, 2, 3, 2))
            .weight("w", x(2, 2, 2, 2, 3))
            .node(
                "ConvTranspose",
                List.of("x", "w"),
                "y",
                Map.of("strides", new long[] {1, 2, 2}, "pads", new long[] {0, 1, 1, 0, 1, 1})),
        List.of("y"),
        1e-4,
        1e-5,
        60);
  }
}
