package org.featviz.passes;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.ir.TestGraphs.graph;
import static org.featviz.ir.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.CpuExecutor;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;
import org.junit.jupiter.api.Test;

class PassesTest {
  private final Random rng = new Random(11);

  /** x -> conv1 -> bn1 -> relu1 -> Identity -> out, with BN statistics far from identity. */
  private Graph convBnRelu() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("w", random(Shape.of(4, 3, 3, 3), rng, -1, 1));
    inits.put("b", random(Shape.of(4), rng, -1, 1));
    inits.put("scale", random(Shape.of(4), rng, 0.5f, 2));
    inits.put("beta", random(Shape.of(4), rng, -1, 1));
    inits.put("mean", random(Shape.of(4), rng, -1, 1));
    inits.put("var", random(Shape.of(4), rng, 0.2f, 3));
    List<Node> nodes =
        List.of(
            node("conv1", "Conv", List.of("x", "w", "b"), Map.of("pads", longs(1, 1, 1, 1))),
            node(
                "bn1",
                "BatchNormalization",
                List.of("conv1", "scale", "beta", "mean", "var"),
                Map.of("epsilon", 1e-3f)),
            node("relu1", "Relu", List.of("bn1"), Map.of()),
            new Node("id", "Identity", List.of("relu1"), List.of("out"), Attributes.empty()));
    return graph(
        "test.onnx", ValueInfo.of("x", Shape.of(2, 3, 5, 5)), List.of("out"), nodes, inits);
  }

  private static Tensor run(Graph g, Tensor x, String target) {
    return new CpuExecutor(g).forward(Map.of("x", x), List.of(target)).get(target);
  }

  @Test
  void foldingBatchNormKeepsTheFunction() {
    Graph g = convBnRelu();
    Tensor x = random(Shape.of(2, 3, 5, 5), rng, -1, 1);
    Tensor reference = run(g, x, "out");
    Graph prepared = Prepare.forRun(g, null, List.of());
    assertFalse(prepared.nodes().stream().anyMatch(n -> n.opType().equals("BatchNormalization")));
    // The Identity that writes the graph output stays, so both "relu1" and "out" remain
    // addressable.
    assertEquals(
        List.of("Conv", "Relu", "Identity"), prepared.nodes().stream().map(Node::opType).toList());
    assertEquals("bn1", prepared.nodes().get(0).output());
    assertClose(
        reference.data(), run(prepared, x, prepared.outputs().get(0)).data(), 1e-5, 1e-6, "folded");
  }

  @Test
  void aTargetedConvOutputIsNotFoldedAway() {
    Graph g = convBnRelu();
    Tensor x = random(Shape.of(2, 3, 5, 5), rng, -1, 1);
    Graph prepared = Prepare.forRun(g, null, List.of("conv1"));
    assertEquals(List.of("conv1"), prepared.outputs());
    assertEquals(1, prepared.nodes().size());
    assertClose(run(g, x, "conv1").data(), run(prepared, x, "conv1").data(), 0, 0, "conv1");
  }

  @Test
  void truncationKeepsOnlyWhatFeedsTheTarget() {
    Graph prepared = Prepare.forRun(convBnRelu(), null, List.of("bn1"));
    assertEquals(List.of("bn1"), prepared.outputs());
    assertEquals(1, prepared.nodes().size());
    assertEquals(Shape.of(2, 4, 5, 5), prepared.shape("bn1"));
  }

  @Test
  void unknownLayerNamesTheKnownOnes() {
    ModelException e =
        assertThrows(
            ModelException.class, () -> Prepare.forRun(convBnRelu(), null, List.of("conv9")));
    assertTrue(e.getMessage().contains("unknown layer 'conv9'"), e.getMessage());
    assertTrue(e.getMessage().contains("relu1"), e.getMessage());
  }

  @Test
  void constantSubgraphsAreFolded() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("a", Tensor.of(Shape.of(3), new float[] {1, 2, 3}));
    List<Node> nodes =
        List.of(
            new Node(
                "c",
                "Constant",
                List.of(),
                List.of("two"),
                new Attributes(Map.of("value", Tensor.of(Shape.of(3), new float[] {2, 2, 2})))),
            new Node("m", "Mul", List.of("a", "two"), List.of("a2"), Attributes.empty()),
            new Node("add", "Add", List.of("x", "a2"), List.of("y"), Attributes.empty()));
    Graph g = graph("t", ValueInfo.of("x", Shape.of(3)), List.of("y"), nodes, inits);
    Graph folded = Prepare.simplify(g);
    assertEquals(List.of("Add"), folded.nodes().stream().map(Node::opType).toList());
    assertClose(
        new float[] {2, 4, 6}, folded.initializers().get("a2").data(), 0, 0, "folded constant");
    Graph shaped = ShapeInference.infer(folded, Map.of("x", Shape.of(3)));
    Tensor y =
        new CpuExecutor(shaped)
            .forward(Map.of("x", Tensor.of(Shape.of(3), new float[] {1, 1, 1})), List.of("y"))
            .get("y");
    assertClose(new float[] {3, 5, 7}, y.data(), 0, 0, "y");
  }

  @Test
  void dynamicBatchBecomesOneAndOtherDynamicDimsNeedAShape() {
    Graph g =
        convBnRelu()
            .withInputs(
                List.of(
                    new ValueInfo(
                        "x", org.featviz.ir.DType.FLOAT, "float32", longs(-1, 3, -1, -1))));
    ModelException e = assertThrows(ModelException.class, () -> Prepare.forRun(g, null, List.of()));
    assertTrue(
        e.getMessage().contains("give one image's size as the input shape C,H,W"), e.getMessage());
    assertFalse(
        e.getMessage().contains("--"), "the library names no command-line flag: " + e.getMessage());
    Graph prepared = Prepare.forRun(g, longs(3, 8, 8), List.of());
    assertEquals(Shape.of(1, 4, 8, 8), prepared.shape(prepared.outputs().get(0)));
    ModelException conflict =
        assertThrows(
            ModelException.class, () -> Prepare.forRun(convBnRelu(), longs(1, 4, 5, 5), List.of()));
    assertTrue(conflict.getMessage().contains("conflicts"), conflict.getMessage());
  }

  @Test
  void identitiesInsideTheGraphAreDropped() {
    Map<String, Tensor> inits = new LinkedHashMap<>();
    List<Node> nodes =
        List.of(
            new Node("id", "Identity", List.of("x"), List.of("x1"), Attributes.empty()),
            new Node("drop", "Dropout", List.of("x1"), List.of("x2"), Attributes.empty()),
            new Node("relu", "Relu", List.of("x2"), List.of("y"), Attributes.empty()));
    Graph g = graph("t", ValueInfo.of("x", Shape.of(3)), List.of("y"), nodes, inits);
    Graph s = Prepare.simplify(g);
    assertEquals(1, s.nodes().size());
    assertEquals(List.of("x"), s.nodes().get(0).inputs());
  }
}
