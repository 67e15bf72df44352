package org.featviz.plan;

import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceTesting;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The device-resident entry points of {@link DevicePlan} (what the device render loop runs): inputs
 * written into {@code inputBuffer}, {@code runForward}, activations read and seeds written in
 * place, {@code runBackward}, {@code inputGradientBuffer}. They must give bit for bit what the
 * host-tensor API gives (the same steps run), on the host emulator: seeds of two targets at once,
 * one of them the input of the other's ReLU, and a Reshape alias whose seed buffer is its source's.
 */
class DevicePlanResidentTest {
  /** x [2, 1, 6, 6] -> conv (3, 3x3, pad 1) -> relu -> reshape [2, 108]. */
  private static PlanTesting.GraphBuilder net(Random rng) {
    return PlanTesting.graph()
        .input("x", random(Shape.of(2, 1, 6, 6), rng, -1, 1))
        .weight("w", random(Shape.of(3, 1, 3, 3), rng, -1, 1))
        .weight("shape", Tensor.of(Shape.of(2), new float[] {2, 108}))
        .node("Conv", List.of("x", "w"), "conv", Map.of("pads", new long[] {1, 1, 1, 1}))
        .node("Relu", List.of("conv"), "relu", Map.of())
        .node("Reshape", List.of("relu", "shape"), "flat", Map.of());
  }

  @Test
  void residentStepsGiveWhatTheHostApiGives() {
    Random rng = new Random(5);
    PlanTesting.GraphBuilder b = net(rng);
    Graph g = b.build();
    Tensor x = b.feeds.get("x");
    Tensor seedRelu = random(Shape.of(2, 3, 6, 6), rng, -1, 1);
    Tensor seedConv = random(Shape.of(2, 3, 6, 6), rng, -1, 1);
    List<String> targets = List.of("relu", "conv");
    try (Device device = DeviceTesting.emulator();
        DeviceExecutor exec = new DeviceExecutor(device, g)) {
      Map<String, Tensor> acts = exec.forward(Map.of("x", x), targets);
      float[] expected =
          exec.backward(Map.of("relu", seedRelu, "conv", seedConv), List.of("x")).get("x").data();

      DevicePlan plan = exec.plan(Map.of("x", x.shape()), targets);
      assertSame(exec.plan(), plan, "the same shapes and targets reuse the plan");
      assertThrows(
          IllegalStateException.class, () -> plan.activationBuffer("relu"), "before the forward");
      device.copyToDevice(x.data(), plan.inputBuffer("x"));
      plan.runForward();
      assertArrayEquals(
          acts.get("relu").data(), device.copyToHostFloats(plan.activationBuffer("relu"), 216));
      plan.clearSeeds();
      device.copyToDevice(seedRelu.data(), plan.seedBuffer("relu"));
      device.copyToDevice(seedConv.data(), plan.seedBuffer("conv"));
      plan.runBackward();
      assertArrayEquals(expected, device.copyToHostFloats(plan.inputGradientBuffer("x"), 72));
      assertThrows(
          IllegalStateException.class,
          plan::runBackward,
          "a backward needs the forward just before it");
      assertThrows(IllegalArgumentException.class, () -> plan.seedBuffer("flat"), "not a target");
    }
  }

  @Test
  void aliasedTargetsShareOneSeedBufferAndUnseededOnesAreZero() {
    Random rng = new Random(6);
    PlanTesting.GraphBuilder b = net(rng);
    Graph g = b.build();
    Tensor x = b.feeds.get("x");
    Tensor seed = random(Shape.of(2, 108), rng, -1, 1);
    try (Device device = DeviceTesting.emulator();
        DeviceExecutor exec = new DeviceExecutor(device, g)) {
      exec.forward(Map.of("x", x), List.of("relu", "flat"));
      float[] expected = exec.backward(Map.of("flat", seed), List.of("x")).get("x").data();
      DevicePlan plan = exec.plan(Map.of("x", x.shape()), List.of("relu", "flat"));
      DeviceBuffer shared = plan.seedBuffer("relu");
      assertSame(shared, plan.seedBuffer("flat"), "a Reshape's gradient is its source's");
      device.copyToDevice(x.data(), plan.inputBuffer("x"));
      plan.runForward();
      plan.clearSeeds();
      device.copyToDevice(seed.data(), shared);
      plan.runBackward();
      assertArrayEquals(expected, device.copyToHostFloats(plan.inputGradientBuffer("x"), 72));
    }
  }

  @Test
  void aForwardOnlyPlanHasNoSeedsOrInputGradients() {
    Random rng = new Random(7);
    PlanTesting.GraphBuilder b = net(rng);
    Graph g = b.build();
    try (Device device = DeviceTesting.emulator();
        DeviceExecutor exec = DeviceExecutor.forwardOnly(device, g)) {
      DevicePlan plan = exec.plan(Map.of("x", Shape.of(2, 1, 6, 6)), List.of("relu"));
      assertNull(plan.seedBuffer("relu"));
      assertThrows(IllegalArgumentException.class, () -> plan.inputGradientBuffer("x"));
      assertThrows(IllegalArgumentException.class, () -> plan.inputBuffer("w"));
    }
  }
}
