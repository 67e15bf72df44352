package org.featviz.plan;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.ir.TestGraphs.graph;
import static org.featviz.ir.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.UnsupportedException;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plan itself, on the emulator: buffers shared by lifetime (fewer bytes than a buffer per
 * value, and never two live values in one buffer, which the results of the other tests would show),
 * a plan per batch size, the order of forward and backward, errors naming node and op for what
 * cannot be lowered, and idempotent close.
 */
class DevicePlanTest {
  private final Random rng = new Random(5);
  private Device device;

  @BeforeEach
  void open() {
    device = DeviceTesting.emulator();
  }

  @AfterEach
  void close() {
    device.close();
  }

  /** x -> (tanh -> sigmoid -> tanh -> ...) a chain of n activations of the same shape. */
  private Graph chain(int n, Shape shape) {
    List<Node> nodes = new ArrayList<>();
    String prev = "x";
    for (int i = 0; i < n; i++) {
      String name = "a" + i;
      nodes.add(node(name, i % 2 == 0 ? "Tanh" : "Sigmoid", List.of(prev), Map.of()));
      prev = name;
    }
    Graph g = graph("chain.onnx", ValueInfo.of("x", shape), List.of(prev), nodes, Map.of());
    return ShapeInference.infer(g, Map.of("x", shape));
  }

  /**
   * The plan's gradient of x for these seeds, after its forward, against the CPU executor's from
   * acts.
   */
  private static void assertInputGradient(
      DevicePlan plan, CpuExecutor cpu, Activations acts, Map<String, Tensor> seeds, String what) {
    assertClose(
        cpu.backward(acts, seeds, List.of("x")).get("x").data(),
        plan.backward(seeds).get("x").data(),
        1e-5,
        1e-6,
        what);
  }

  @Test
  void aForwardOnlyChainReusesTwoBuffers() {
    try (DevicePlan plan =
        DevicePlan.lowerForward(device, chain(8, Shape.of(4, 64)), List.of("a7"))) {
      assertEquals(8, plan.stepCount());
      assertEquals(2, plan.bufferCount(), plan.describe());
      assertEquals(2 * 4 * 64 * 4, plan.peakDeviceBytes());
      assertTrue(plan.unplannedDeviceBytes() == 9 * 4 * 64 * 4, plan.describe());
    }
  }

  @Test
  void backwardKeepsWhatItReadsAndStillSharesBuffers() {
    Graph g = chain(6, Shape.of(2, 50));
    try (DevicePlan plan = DevicePlan.lower(device, g, List.of("a5"), List.of("x"))) {
      // Activations are kept for the backward (each step reads its x and y), gradients come and go.
      assertTrue(plan.peakDeviceBytes() < plan.unplannedDeviceBytes(), plan.describe());
      Tensor x = random(Shape.of(2, 50), rng, -1f, 1f);
      Tensor seed = random(Shape.of(2, 50), rng, -1f, 1f);
      CpuExecutor cpu = new CpuExecutor(g);
      Activations acts = cpu.forward(Map.of("x", x), List.of("a5"));
      assertClose(
          acts.get("a5").data(),
          plan.forward(Map.of("x", x)).get("a5").data(),
          1e-5,
          1e-6,
          "forward");
      assertInputGradient(plan, cpu, acts, Map.of("a5", seed), "backward");
      // The plan runs again with other inputs, and gives the same results as a fresh plan would.
      Tensor x2 = random(Shape.of(2, 50), rng, -1f, 1f);
      Activations acts2 = cpu.forward(Map.of("x", x2), List.of("a5"));
      plan.forward(Map.of("x", x2));
      assertInputGradient(plan, cpu, acts2, Map.of("a5", seed), "second backward");
    }
  }

  @Test
  void aTargetWithoutASeedGetsAZeroGradient() {
    Graph g = chain(3, Shape.of(3, 4));
    try (DevicePlan plan = DevicePlan.lower(device, g, List.of("a0", "a2"), List.of("x"))) {
      Tensor x = random(Shape.of(3, 4), rng, -1f, 1f);
      Tensor seed = random(Shape.of(3, 4), rng, -1f, 1f);
      CpuExecutor cpu = new CpuExecutor(g);
      Activations acts = cpu.forward(Map.of("x", x), List.of("a2"));
      plan.forward(Map.of("x", x));
      assertInputGradient(plan, cpu, acts, Map.of("a0", seed), "seed at a0 only");
    }
  }

  @Test
  void aGraphInputCanBeATargetAndBeSeededDirectly() {
    Graph g = chain(2, Shape.of(3, 40));
    try (DevicePlan plan = DevicePlan.lower(device, g, List.of("x", "a1"), List.of("x"))) {
      Tensor x = random(Shape.of(3, 40), rng, -1f, 1f);
      Tensor seedX = random(Shape.of(3, 40), rng, -1f, 1f);
      Tensor seedA = random(Shape.of(3, 40), rng, -1f, 1f);
      CpuExecutor cpu = new CpuExecutor(g);
      Activations acts = cpu.forward(Map.of("x", x), List.of("a1"));
      assertClose(x.data(), plan.forward(Map.of("x", x)).get("x").data(), 0, 0, "x read back");
      assertInputGradient(plan, cpu, acts, Map.of("x", seedX, "a1", seedA), "seeded at x and a1");
    }
    // No step at all: the gradient of x is its seed.
    try (DevicePlan plan = DevicePlan.lower(device, g, List.of("x"), List.of("x"))) {
      assertEquals(0, plan.stepCount());
      Tensor seed = random(Shape.of(3, 40), rng, -1f, 1f);
      plan.forward(Map.of("x", random(Shape.of(3, 40), rng, -1f, 1f)));
      assertClose(
          seed.data(), plan.backward(Map.of("x", seed)).get("x").data(), 0, 0, "the seed itself");
    }
  }

  @Test
  void theExecutorPlansAgainForAnotherBatchSize() {
    Graph g = chain(2, Shape.of(2, 8));
    try (DeviceExecutor exec = new DeviceExecutor(device, g)) {
      exec.forward(Map.of("x", random(Shape.of(2, 8), rng, -1f, 1f)), List.of("a1"));
      DevicePlan first = exec.plan();
      Tensor x = random(Shape.of(5, 8), rng, -1f, 1f);
      Map<String, Tensor> out = exec.forward(Map.of("x", x), List.of("a1"));
      assertTrue(exec.plan() != first, "a new plan for batch 5");
      assertEquals(Shape.of(5, 8), out.get("a1").shape());
      assertClose(
          new CpuExecutor(g).forward(Map.of("x", x), List.of("a1")).get("a1").data(),
          out.get("a1").data(),
          1e-5,
          1e-6,
          "batch 5");
      assertThrows(
          IllegalStateException.class,
          () -> first.forward(Map.of("x", x)),
          "the old plan is closed");
      exec.forward(Map.of("x", x), List.of("a1"));
      assertTrue(exec.plan() == exec.plan(), "the same shapes and targets reuse the plan");
    }
  }

  @Test
  void backwardMustFollowAForwardAndTakeSeedsAtTargets() {
    Graph g = chain(2, Shape.of(2, 3));
    try (DevicePlan plan = DevicePlan.lower(device, g, List.of("a1"), List.of("x"))) {
      assertThrows(IllegalStateException.class, () -> plan.backward(Map.of()));
      plan.forward(Map.of("x", random(Shape.of(2, 3), rng, -1f, 1f)));
      assertThrows(
          IllegalArgumentException.class,
          () -> plan.backward(Map.of("a0", Tensor.zeros(Shape.of(2, 3)))));
      plan.forward(Map.of("x", random(Shape.of(2, 3), rng, -1f, 1f)));
      plan.backward(Map.of("a1", Tensor.zeros(Shape.of(2, 3))));
      assertThrows(
          IllegalStateException.class, () -> plan.backward(Map.of()), "the activations are spent");
      ModelException wrongShape =
          assertThrows(
              ModelException.class, () -> plan.forward(Map.of("x", Tensor.zeros(Shape.of(3, 3)))));
      assertTrue(wrongShape.getMessage().contains("[2, 3]"), wrongShape.getMessage());
    }
  }

  @Test
  void unsupportedOpsAndGradientsNameTheNodeAndOp() {
    Shape s = Shape.of(1, 2, 6, 6);
    Graph edgePad = graphOf(s, node("pad1", "Pad", List.of("x", "pads"), Map.of("mode", "edge")));
    DevicePlan.lowerForward(device, edgePad, List.of("pad1")).close(); // forward is fine
    UnsupportedException e =
        assertThrows(
            UnsupportedException.class,
            () -> DevicePlan.lower(device, edgePad, List.of("pad1"), List.of("x")));
    assertTrue(
        e.getMessage().contains("Pad node 'pad1'") && e.getMessage().contains("gradient"),
        e.getMessage());

    // A convolution whose weight is a graph input that needs a gradient: weights are frozen.
    Graph g =
        new Graph(
            "w.onnx",
            13,
            List.of(ValueInfo.of("x", s), ValueInfo.of("w", Shape.of(3, 2, 3, 3))),
            List.of("c"),
            List.of(new Node("c", "Conv", List.of("x", "w"), List.of("c"), Attributes.empty())),
            Map.of(),
            Map.of(),
            Map.of());
    Graph shaped = ShapeInference.infer(g, Map.of("x", s, "w", Shape.of(3, 2, 3, 3)));
    e =
        assertThrows(
            UnsupportedException.class,
            () -> DevicePlan.lower(device, shaped, List.of("c"), List.of("x", "w")));
    assertTrue(
        e.getMessage().contains("Conv node 'c'") && e.getMessage().contains("'w'"), e.getMessage());
    DevicePlan.lower(device, shaped, List.of("c"), List.of("x"))
        .close(); // the input gradient alone is fine

    ModelException unknown =
        assertThrows(
            ModelException.class, () -> DevicePlan.lowerForward(device, edgePad, List.of("nope")));
    assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
  }

  private Graph graphOf(Shape x, Node node) {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("pads", Tensor.ofLongs(Shape.of(8), longs(0, 0, 1, 1, 0, 0, 1, 1)));
    Graph g = graph("one.onnx", ValueInfo.of("x", x), List.of(node.output()), List.of(node), inits);
    return ShapeInference.infer(g, Map.of("x", x));
  }

  @Test
  void closingIsIdempotentAndFreesTheBuffers() {
    DevicePlan plan = DevicePlan.lowerForward(device, chain(2, Shape.of(2, 2)), List.of("a1"));
    plan.close();
    plan.close();
    assertThrows(
        IllegalStateException.class, () -> plan.forward(Map.of("x", Tensor.zeros(Shape.of(2, 2)))));
    DeviceExecutor exec = new DeviceExecutor(device, chain(2, Shape.of(2, 2)));
    exec.forward(Map.of("x", Tensor.zeros(Shape.of(2, 2))), List.of("a1"));
    exec.close();
    exec.close();
    assertThrows(IllegalStateException.class, () -> exec.forward(Map.of(), List.of("a1")));
    // A plan whose device closed first closes quietly.
    Device other = DeviceTesting.emulator();
    DevicePlan orphan = DevicePlan.lowerForward(other, chain(1, Shape.of(2)), List.of("a0"));
    other.close();
    orphan.close();
  }
}
