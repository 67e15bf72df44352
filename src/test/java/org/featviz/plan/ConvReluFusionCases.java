package org.featviz.plan;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.plan.PlanTesting.compare;
import static org.featviz.plan.PlanTesting.graph;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.device.DeviceCases;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Conv + bias + ReLU fusion of the device plan ({@link ReluFusion}, {@link ConvBiasReluStep}):
 * it happens where a Conv's only reader is a Relu and its output is no target, and not where the
 * Conv's output is a target (the render loop reads a ReLU's input) or has another reader; a fused
 * plan gives what the unfused plan gives (bit for bit on the emulator), forward and backward, and
 * both match the CPU executor (a Conv without bias, one behind an explicit asymmetric Pad, and a
 * chain of two fused layers feeding a pool).
 */
public abstract class ConvReluFusionCases extends DeviceCases {
  private final Random rng = new Random(41);

  private Tensor x(int... dims) {
    return random(Shape.of(dims), rng, -1f, 1f);
  }

  /**
   * x [2, 3, 7, 6] -> conv1 (4, 3x3, pad 1, bias) -> relu1 -> conv2 (5, 3x3, no bias) -> relu2 ->
   * maxpool.
   */
  private PlanTesting.GraphBuilder twoLayers() {
    return graph()
        .input("x", x(2, 3, 7, 6))
        .weight("w1", x(4, 3, 3, 3))
        .weight("b1", x(4))
        .weight("w2", x(5, 4, 3, 3))
        .node("Conv", List.of("x", "w1", "b1"), "conv1", Map.of("pads", longs(1, 1, 1, 1)))
        .node("Relu", List.of("conv1"), "relu1", Map.of())
        .node(
            "Conv",
            List.of("relu1", "w2"),
            "conv2",
            Map.of("auto_pad", "SAME_UPPER", "strides", longs(2, 2)))
        .node("Relu", List.of("conv2"), "relu2", Map.of())
        .node("MaxPool", List.of("relu2"), "pool", Map.of("kernel_shape", longs(2, 2)));
  }

  @Test
  void aConvReadOnlyByAReluFusesUnlessItsOutputIsATarget() {
    Graph g = twoLayers().build();
    try (DevicePlan fused = DevicePlan.lower(device, g, List.of("pool"), List.of("x"));
        DevicePlan partly = DevicePlan.lower(device, g, List.of("pool", "conv1"), List.of("x"));
        DevicePlan none =
            DevicePlan.lower(device, g, List.of("pool", "conv1", "conv2"), List.of("x"))) {
      assertEquals(2, fused.fusedStepCount(), fused.describe());
      assertTrue(
          fused.describe().contains("fused with Relu 'relu1'")
              && fused.describe().contains("(2 fused)"),
          fused.describe());
      assertEquals(1, partly.fusedStepCount(), partly.describe());
      assertTrue(partly.describe().contains("fused with Relu 'relu2'"), partly.describe());
      assertEquals(0, none.fusedStepCount(), none.describe());
      assertEquals(none.stepCount() - 2, fused.stepCount(), "two Relu steps fewer");
    }
  }

  @Test
  void aConvWithAnotherReaderIsNotFused() {
    PlanTesting.GraphBuilder b =
        graph()
            .input("x", x(1, 2, 5, 5))
            .weight("w", x(3, 2, 3, 3))
            .weight("b", x(3))
            .node("Conv", List.of("x", "w", "b"), "conv", Map.of())
            .node("Relu", List.of("conv"), "relu", Map.of())
            .node("Add", List.of("relu", "conv"), "sum", Map.of());
    try (DevicePlan plan = DevicePlan.lower(device, b.build(), List.of("sum"), List.of("x"))) {
      assertEquals(0, plan.fusedStepCount(), plan.describe());
    }
    compare(device, b, List.of("sum"), DevicePlanOpsCases.REDUCTION, 1e-5, 2);
  }

  @Test
  void theFusedPlanGivesBitForBitWhatTheUnfusedPlanGives() {
    PlanTesting.GraphBuilder b = twoLayers();
    Graph g = b.build();
    Tensor x = b.feeds.get("x");
    Tensor seed = random(Shape.of(2, 5, 3, 2), rng, -1f, 1f);
    try (DevicePlan fused = DevicePlan.lower(device, g, List.of("pool"), List.of("x"));
        DevicePlan unfused =
            DevicePlan.lower(device, g, List.of("pool", "conv1", "conv2"), List.of("x"))) {
      assertEquals(2, fused.fusedStepCount());
      assertEquals(0, unfused.fusedStepCount());
      float[] y = fused.forward(Map.of("x", x)).get("pool").data();
      same(unfused.forward(Map.of("x", x)).get("pool").data(), y, "forward");
      float[] gx = fused.backward(Map.of("pool", seed)).get("x").data();
      same(unfused.backward(Map.of("pool", seed)).get("x").data(), gx, "input gradient");
      boolean nonzero = false;
      for (float v : gx) nonzero |= v != 0f;
      assertTrue(nonzero, "a gradient reaches the input");
    }
  }

  /**
   * Bit for bit on the emulator, where both run the same reference arithmetic; to float rounding on
   * a GPU, where the fused call's kernel (the same algorithm cudnnFind chose, with the bias and
   * ReLU in its epilogue) need not round as the convolution, the bias kernel and the ReLU do one
   * after another.
   */
  private void same(float[] expected, float[] actual, String what) {
    if (device instanceof EmulatedDevice) {
      assertArrayEquals(expected, actual, what);
    } else {
      assertClose(expected, actual, DevicePlanOpsCases.REDUCTION, 1e-5, what);
    }
  }

  @Test
  void fusedPlansMatchTheCpuExecutor() {
    compare(device, twoLayers(), List.of("pool"), DevicePlanOpsCases.REDUCTION, 1e-5, 3);
    // Targets at a fused Relu's output and at the pool: the Relu output keeps its buffer and gets a
    // seed.
    compare(device, twoLayers(), List.of("relu1", "pool"), DevicePlanOpsCases.REDUCTION, 1e-5, 4);
    // A Conv with asymmetric padding (an explicit Pad first) and no bias, fused with its Relu.
    compare(
        device,
        graph()
            .input("x", x(1, 2, 6, 5))
            .weight("w", x(3, 2, 3, 3))
            .node("Conv", List.of("x", "w"), "conv", Map.of("pads", longs(0, 2, 1, 1)))
            .node("Relu", List.of("conv"), "y", Map.of()),
        List.of("y"),
        DevicePlanOpsCases.REDUCTION,
        1e-5,
        5);
  }
}
