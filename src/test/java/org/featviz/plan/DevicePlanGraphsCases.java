package org.featviz.plan;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.ir.TestGraphs.graph;
import static org.featviz.ir.TestGraphs.node;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;

/**
 * Small whole graphs through the device plan against the CPU executor, forward and backward to the
 * input: a CNN with a skip connection, a model built like featviz's Fashion-MNIST CNN with tiny
 * channel counts (prepared as a render prepares it, seeded at an inner layer and the logits at
 * once), and a conv-BN-ReLU-pool network with a concatenated branch and a softmax head.
 */
public abstract class DevicePlanGraphsCases extends DeviceCases {
  private final Random rng = new Random(77);

  private Tensor w(int... dims) {
    return random(Shape.of(dims), rng, -0.5f, 0.5f);
  }

  private static final Map<String, Object> PAD1 = Map.of("pads", longs(1, 1, 1, 1));
  private static final Map<String, Object> POOL2 =
      Map.of("kernel_shape", longs(2, 2), "strides", longs(2, 2));

  @Test
  void convReluMaxPoolFlattenGemmWithASkipAdd() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("w1", w(4, 2, 3, 3));
    inits.put("b1", w(4));
    inits.put("w2", w(4, 4, 3, 3));
    inits.put("w3", w(5, 36));
    inits.put("b3", w(5));
    List<Node> nodes =
        List.of(
            node("conv1", "Conv", List.of("x", "w1", "b1"), PAD1),
            node("relu1", "Relu", List.of("conv1"), Map.of()),
            node("conv2", "Conv", List.of("relu1", "w2"), PAD1),
            node("skip", "Add", List.of("conv2", "conv1"), Map.of()),
            node("pool", "MaxPool", List.of("skip"), POOL2),
            node("flat", "Flatten", List.of("pool"), Map.of()),
            node("fc", "Gemm", List.of("flat", "w3", "b3"), Map.of("transB", 1L)));
    Graph g =
        graph("skip.onnx", ValueInfo.of("x", Shape.of(2, 2, 6, 6)), List.of("fc"), nodes, inits);
    g = Prepare.forRun(g, null, List.of("fc"));
    PlanTesting.compare(
        device,
        g,
        Map.of("x", random(Shape.of(2, 2, 6, 6), rng, -1f, 1f)),
        List.of("fc"),
        1e-4,
        1e-5,
        1);
  }

  /**
   * 2 x (conv-relu-conv-relu-maxpool) + fc-relu + fc, as models/train.py's fashion-cnn, channels 2,
   * 3, 4, 4.
   */
  @Test
  void aTinyFashionCnnSeededAtTwoLayers() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    int[] ch = {1, 2, 3, 4, 4};
    for (int i = 1; i <= 4; i++) {
      inits.put("conv" + i + ".weight", w(ch[i], ch[i - 1], 3, 3));
      inits.put("conv" + i + ".bias", w(ch[i]));
    }
    inits.put("fc1.weight", w(8, 4 * 7 * 7));
    inits.put("fc1.bias", w(8));
    inits.put("fc2.weight", w(10, 8));
    inits.put("fc2.bias", w(10));
    List<Node> nodes = new java.util.ArrayList<>();
    String prev = "input";
    for (int i = 1; i <= 4; i++) {
      nodes.add(
          node(
              "conv" + i,
              "Conv",
              List.of(prev, "conv" + i + ".weight", "conv" + i + ".bias"),
              PAD1));
      nodes.add(node("relu" + i, "Relu", List.of("conv" + i), Map.of()));
      prev = "relu" + i;
      if (i % 2 == 0) {
        nodes.add(node("pool" + i / 2, "MaxPool", List.of(prev), POOL2));
        prev = "pool" + i / 2;
      }
    }
    nodes.add(node("flatten", "Flatten", List.of(prev), Map.of()));
    nodes.add(
        node("fc1", "Gemm", List.of("flatten", "fc1.weight", "fc1.bias"), Map.of("transB", 1L)));
    nodes.add(node("relu_fc1", "Relu", List.of("fc1"), Map.of()));
    nodes.add(
        node("fc2", "Gemm", List.of("relu_fc1", "fc2.weight", "fc2.bias"), Map.of("transB", 1L)));
    Graph g =
        graph(
            "tiny-fashion-cnn.onnx",
            ValueInfo.of("input", Shape.of(2, 1, 28, 28)),
            List.of("fc2"),
            nodes,
            inits);
    g = Prepare.forRun(g, null, List.of("relu3", "fc2"));
    PlanTesting.compare(
        device,
        g,
        Map.of("input", random(Shape.of(2, 1, 28, 28), rng, 0f, 1f)),
        List.of("relu3", "fc2"),
        1e-4,
        1e-5,
        2);
  }

  @Test
  void convBatchNormReluWithAConcatBranchAndASoftmaxHead() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("w1", w(3, 2, 3, 3));
    inits.put("scale", random(Shape.of(3), rng, 0.5f, 1.5f));
    inits.put("shift", w(3));
    inits.put("mean", w(3));
    inits.put("var", random(Shape.of(3), rng, 0.5f, 1.5f));
    inits.put("w2", w(2, 2, 1, 1));
    inits.put("w3", w(6, 5));
    List<Node> nodes =
        List.of(
            node("conv1", "Conv", List.of("x", "w1"), PAD1),
            node(
                "bn1",
                "BatchNormalization",
                List.of("conv1", "scale", "shift", "mean", "var"),
                Map.of()),
            node("act1", "LeakyRelu", List.of("bn1"), Map.of("alpha", 0.1f)),
            node("side", "Conv", List.of("x", "w2"), Map.of()),
            node("cat", "Concat", List.of("act1", "side"), Map.of("axis", 1L)),
            node("gap", "GlobalAveragePool", List.of("cat"), Map.of()),
            node("flat", "Flatten", List.of("gap"), Map.of()),
            node("logits", "Gemm", List.of("flat", "w3"), Map.of("transB", 1L)),
            node("probs", "Softmax", List.of("logits"), Map.of("axis", 1L)));
    Graph g =
        graph(
            "bn-concat.onnx",
            ValueInfo.of("x", Shape.of(2, 2, 5, 5)),
            List.of("probs"),
            nodes,
            inits);
    // Targeting conv1 keeps BatchNormalization from being folded into it, so its step runs too.
    g = Prepare.forRun(g, null, List.of("conv1", "probs"));
    PlanTesting.compare(
        device,
        g,
        Map.of("x", random(Shape.of(2, 2, 5, 5), rng, -1f, 1f)),
        List.of("conv1", "probs"),
        1e-4,
        1e-5,
        3);
  }
}
