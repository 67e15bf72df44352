package org.featviz.plan;

import static org.featviz.cpu.OpTesting.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.OpTesting;
import org.featviz.device.Device;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;

/**
 * Builds small graphs and runs them through both executors: {@link CpuExecutor} (the oracle) and
 * {@link DeviceExecutor} on a device, forward to the targets and backward from random seeds to
 * every fed input, comparing every tensor with |device - cpu| <= atol + rtol |cpu| (NaN never
 * passes).
 */
final class PlanTesting {
  private PlanTesting() {}

  /** A graph under construction: fed inputs, initializers, nodes. */
  static final class GraphBuilder {
    final Map<String, Tensor> feeds = new LinkedHashMap<>();
    final Map<String, Tensor> initializers = new LinkedHashMap<>();
    final List<Node> nodes = new ArrayList<>();
    int opset = OpTesting.OPSET;

    GraphBuilder input(String name, Tensor value) {
      feeds.put(name, value);
      return this;
    }

    GraphBuilder weight(String name, Tensor value) {
      initializers.put(name, value);
      return this;
    }

    GraphBuilder node(String op, List<String> inputs, String output, Map<String, Object> attrs) {
      nodes.add(new Node(output, op, inputs, List.of(output), new Attributes(attrs)));
      return this;
    }

    /** A node with several outputs, named after the first. */
    GraphBuilder node(
        String op, List<String> inputs, List<String> outputs, Map<String, Object> attrs) {
      nodes.add(new Node(outputs.get(0), op, inputs, outputs, new Attributes(attrs)));
      return this;
    }

    GraphBuilder opset(int opset) {
      this.opset = opset;
      return this;
    }

    /** The graph with shapes inferred from the fed inputs; outputs are the last node's. */
    Graph build() {
      List<ValueInfo> in = new ArrayList<>();
      Map<String, Shape> shapes = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
        in.add(ValueInfo.of(e.getKey(), e.getValue().shape()));
        shapes.put(e.getKey(), e.getValue().shape());
      }
      Graph g =
          new Graph(
              "test.onnx",
              opset,
              in,
              List.of(nodes.get(nodes.size() - 1).output()),
              nodes,
              initializers,
              Map.of(),
              Map.of());
      return ShapeInference.infer(g, shapes);
    }
  }

  static GraphBuilder graph() {
    return new GraphBuilder();
  }

  /**
   * Forward to {@code targets} and backward from a random seed at each target to every fed input,
   * on the CPU and the device; asserts that all of them agree.
   */
  static void compare(
      Device device, GraphBuilder b, List<String> targets, double rtol, double atol, long seed) {
    Graph g = b.build();
    compare(device, g, b.feeds, targets, rtol, atol, seed);
  }

  /** {@link #compare} for one op from input x to output y. */
  static void compareOp(
      Device device,
      String op,
      Tensor x,
      Map<String, Object> attrs,
      double rtol,
      double atol,
      long seed) {
    compare(
        device,
        graph().input("x", x).node(op, List.of("x"), "y", attrs),
        List.of("y"),
        rtol,
        atol,
        seed);
  }

  /** Forward only (a forward-only plan), comparing the targets. */
  static void compareForward(
      Device device, GraphBuilder b, List<String> targets, double rtol, double atol) {
    Graph g = b.build();
    Activations acts = new CpuExecutor(g).forward(b.feeds, targets);
    try (DeviceExecutor dev = DeviceExecutor.forwardOnly(device, g)) {
      Map<String, Tensor> out = dev.forward(b.feeds, targets);
      for (String t : targets) {
        assertClose(acts.get(t).data(), out.get(t).data(), rtol, atol, "forward '" + t + "'");
      }
    }
  }

  static void compare(
      Device device,
      Graph g,
      Map<String, Tensor> feeds,
      List<String> targets,
      double rtol,
      double atol,
      long seed) {
    Random rng = new Random(seed);
    CpuExecutor cpu = new CpuExecutor(g);
    Activations acts = cpu.forward(feeds, targets);
    Map<String, Tensor> seeds = new LinkedHashMap<>();
    for (String t : targets) seeds.put(t, OpTesting.random(acts.get(t).shape(), rng, -1f, 1f));
    List<String> wrt = new ArrayList<>(feeds.keySet());
    Map<String, Tensor> cpuGrads = cpu.backward(acts, seeds, wrt);
    try (DeviceExecutor dev = new DeviceExecutor(device, g, wrt)) {
      Map<String, Tensor> out = dev.forward(feeds, targets);
      for (String t : targets) {
        assertClose(acts.get(t).data(), out.get(t).data(), rtol, atol, "forward '" + t + "'");
      }
      Map<String, Tensor> grads = dev.backward(seeds, wrt);
      for (String w : wrt) {
        assertClose(
            cpuGrads.get(w).data(), grads.get(w).data(), rtol, atol, "gradient of '" + w + "'");
      }
    }
  }
}
