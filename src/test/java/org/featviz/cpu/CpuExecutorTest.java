package org.featviz.cpu;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.ir.TestGraphs.graph;
import static org.featviz.ir.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.junit.jupiter.api.Test;

/**
 * Whole-graph forward and backward: the gradient at the input of a small CNN against finite
 * differences.
 */
class CpuExecutorTest {
  private final Random rng = new Random(5);

  /**
   * x[N,2,6,6] -> conv(4,3x3,pad 1) -> tanh -> maxpool 2 -> flatten -> gemm(36->5) -> fc; plus a
   * skip Add.
   */
  private Graph smallCnn() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("w1", random(Shape.of(4, 2, 3, 3), rng, -0.5f, 0.5f));
    inits.put("b1", random(Shape.of(4), rng, -0.1f, 0.1f));
    inits.put("w2", random(Shape.of(5, 36), rng, -0.5f, 0.5f));
    inits.put("b2", random(Shape.of(5), rng, -0.1f, 0.1f));
    List<Node> nodes =
        List.of(
            node("conv1", "Conv", List.of("x", "w1", "b1"), Map.of("pads", longs(1, 1, 1, 1))),
            node("act1", "Tanh", List.of("conv1"), Map.of()),
            node("sum", "Add", List.of("act1", "conv1"), Map.of()),
            node(
                "pool1",
                "AveragePool",
                List.of("sum"),
                Map.of("kernel_shape", longs(2, 2), "strides", longs(2, 2))),
            node("flat", "Flatten", List.of("pool1"), Map.of()),
            node("fc", "Gemm", List.of("flat", "w2", "b2"), Map.of("transB", 1L)));
    return graph(
        "small.onnx", ValueInfo.of("x", Shape.of(2, 2, 6, 6)), List.of("fc"), nodes, inits);
  }

  @Test
  void inputGradientOfAWholeGraphMatchesFiniteDifferences() {
    CpuExecutor exec = new CpuExecutor(smallCnn());
    Tensor x = random(Shape.of(2, 2, 6, 6), rng, -1, 1);
    Tensor seed = random(Shape.of(2, 5), rng, -1, 1);
    Activations acts = exec.forward(Map.of("x", x), List.of("fc"));
    float[] grad = exec.backward(acts, Map.of("fc", seed), List.of("x")).get("x").data();
    double eps = 1e-2;
    for (int k = 0; k < x.size(); k += 7) {
      float saved = x.data()[k];
      x.data()[k] = (float) (saved + eps);
      double plus = dot(exec.forward(Map.of("x", x), List.of("fc")).get("fc"), seed);
      x.data()[k] = (float) (saved - eps);
      double minus = dot(exec.forward(Map.of("x", x), List.of("fc")).get("fc"), seed);
      x.data()[k] = saved;
      double numeric = (plus - minus) / (2 * eps);
      assertEquals(numeric, grad[k], 1e-3 + 1e-2 * Math.abs(numeric), "d fc / d x[" + k + "]");
    }
  }

  @Test
  void forwardRunsOnlyWhatTheTargetNeeds() {
    CpuExecutor exec = new CpuExecutor(smallCnn());
    Activations acts =
        exec.forward(Map.of("x", random(Shape.of(3, 2, 6, 6), rng, -1, 1)), List.of("act1"));
    assertTrue(acts.values().containsKey("act1"));
    assertTrue(!acts.values().containsKey("fc"), "fc must not be computed for target act1");
    assertEquals(
        Shape.of(3, 4, 6, 6), acts.get("act1").shape(), "the batch follows the fed tensor");
  }

  @Test
  void gradientSeedsAtTwoLayersAdd() {
    CpuExecutor exec = new CpuExecutor(smallCnn());
    Tensor x = random(Shape.of(1, 2, 6, 6), rng, -1, 1);
    Activations acts = exec.forward(Map.of("x", x), List.of("fc"));
    Tensor s1 = random(Shape.of(1, 4, 6, 6), rng, -1, 1);
    Tensor s2 = random(Shape.of(1, 5), rng, -1, 1);
    float[] g1 = exec.backward(acts, Map.of("act1", s1), List.of("x")).get("x").data();
    float[] g2 = exec.backward(acts, Map.of("fc", s2), List.of("x")).get("x").data();
    float[] both = exec.backward(acts, Map.of("act1", s1, "fc", s2), List.of("x")).get("x").data();
    for (int i = 0; i < both.length; i++)
      assertEquals(g1[i] + g2[i], both[i], 1e-5, "element " + i);
  }

  @Test
  void missingFeedIsNamed() {
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> new CpuExecutor(smallCnn()).forward(Map.of(), List.of("fc")));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += (double) a.data()[i] * b.data()[i];
    return s;
  }
}
