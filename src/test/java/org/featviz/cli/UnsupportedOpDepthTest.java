package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.Model;
import org.featviz.ir.ModelException;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An op featviz lacks (Sin) after the layers a command targets does not matter to it: the graph is
 * cut after the deepest target before support is checked. Targeting the unsupported node, or a
 * layer after it, is the usual one-line error naming the node and op.
 */
class UnsupportedOpDepthTest {
  @TempDir Path tmp;

  /** Conv, Relu (relu1), then Sin (sin1, unsupported) and Relu (relu2): x[N,1,6,6]. */
  private Path model() {
    float[] w = new float[2 * 9];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.cos(i + 0.5);
    return new OnnxModelBuilder()
        .input("x", "N", 1, 6, 6)
        .initializer("w", new long[] {2, 1, 3, 3}, w)
        .node("Conv", "conv1", List.of("x", "w"), List.of("conv1"), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", "relu1", List.of("conv1"), List.of("relu1"))
        .node("Sin", "sin1", List.of("relu1"), List.of("sin1"))
        .node("Relu", "relu2", List.of("sin1"), List.of("relu2"))
        .output("relu2", "N", 2, 6, 6)
        .write(tmp.resolve("sin.onnx"));
  }

  @Test
  void layersBeforeTheUnsupportedOpRender() {
    Path out = tmp.resolve("relu1");
    CliRunner r =
        CliRunner.ok(
            "render --model {} --layer relu1 --unit 1 --steps 2 "
                + "--transforms none --device cpu --out {}",
            model(),
            out);
    assertTrue(Files.exists(out.resolve("relu1_unit_0001.png")));

    CliRunner sweep =
        CliRunner.ok(
            "sweep --model {} --layers conv1,relu1 --steps 2 "
                + "--transforms none --device cpu --out {}",
            model(),
            tmp.resolve("sweep"));
    assertTrue(sweep.out().contains("4 units"), sweep.out());
  }

  @Test
  void targetingTheUnsupportedOpOrALayerAfterItNamesTheNodeAndOp() {
    for (String layer : List.of("sin1", "relu2")) {
      CliRunner r =
          CliRunner.line(
              "render --model {} --layer {} --unit 0 --steps 2 --device cpu --out {}",
              model(),
              layer,
              tmp.resolve(layer));
      assertEquals(2, r.exitCode(), layer + ": " + r.out() + r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(
          r.err().startsWith("featviz: error: ")
              && r.err().contains("Sin node 'sin1'")
              && r.err().contains("op Sin"),
          r.err());
    }
  }

  @Test
  void anInt64WeightAfterTheTargetDoesNotMatterAndAtItIsNamed() {
    float[] w = new float[2 * 9];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i + 0.5);
    String m =
        new OnnxModelBuilder()
            .input("x", "N", 1, 6, 6)
            .initializer("w", new long[] {2, 1, 3, 3}, w)
            .initializer(OnnxModelBuilder.int64Tensor("k", new long[] {1}, 3))
            .node(
                "Conv", "conv1", List.of("x", "w"), List.of("conv1"), Attr.ints("pads", 1, 1, 1, 1))
            .node("Relu", "relu1", List.of("conv1"), List.of("relu1"))
            .node("Mul", "scaled", List.of("relu1", "k"), List.of("scaled"))
            .output("scaled", "N", 2, 6, 6)
            .write(tmp.resolve("int64.onnx"))
            .toString();
    CliRunner before =
        CliRunner.ok(
            "render --model {} --layer relu1 --unit 0 --steps 2 "
                + "--transforms none --device cpu --out {}",
            m,
            tmp.resolve("int64-relu1"));
    CliRunner at =
        CliRunner.line(
            "render --model {} --layer scaled --unit 0 "
                + "--steps 2 --transforms none --device cpu --out {}",
            m,
            tmp.resolve("int64-scaled"));
    assertEquals(2, at.exitCode(), at.out() + at.err());
    assertTrue(
        at.err().contains("Mul node 'scaled'") && at.err().contains("int64 initializer 'k'"),
        at.err());
  }

  @Test
  void infoStillListsTheUnsupportedOp() {
    CliRunner r = CliRunner.ok("info {}", model());
    assertTrue(
        r.out().lines().anyMatch(l -> l.startsWith("relu1 ") && l.contains("[1, 2, 6, 6]")),
        r.out());
    assertTrue(r.out().contains("not supported") && r.out().contains("Sin node 'sin1'"), r.out());
  }

  @Test
  void theModelApiOpensAndNamesTheProblemPerLayer() {
    try (Model m = Model.open(model())) {
      assertEquals(2, m.units("relu1"));
      ModelException e = assertThrows(ModelException.class, () -> m.layerShape("relu2"));
      assertTrue(
          e.getMessage().contains("Sin node 'sin1'") && e.getMessage().contains("op Sin"),
          e.getMessage());
    }
  }
}
