package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.featviz.TestData;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --input-shape} end to end on a classifier whose height and width are dynamic (input
 * [N,1,H,W]): info, render, sweep and eval take C,H,W or N,C,H,W, and without it the error
 * recommends the C,H,W form.
 */
class InputShapeOptionTest {
  @TempDir Path tmp;

  /**
   * Conv(1 to 4, 3x3, pads 1), Relu, GlobalAveragePool, Flatten, Gemm (4 to 10 classes), on
   * [N,1,H,W].
   */
  private Path dynamicModel() {
    float[] w = new float[4 * 9];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(0.7 * i + 1);
    float[] fc = new float[10 * 4];
    for (int i = 0; i < fc.length; i++) fc[i] = (float) Math.cos(0.3 * i);
    return new OnnxModelBuilder()
        .input("x", "N", 1, "H", "W")
        .initializer("w", new long[] {4, 1, 3, 3}, w)
        .initializer("b", new long[] {4}, 0.1f, -0.1f, 0.05f, 0f)
        .initializer("fc_w", new long[] {10, 4}, fc)
        .node(
            "Conv",
            "conv1",
            List.of("x", "w", "b"),
            List.of("conv1"),
            Attr.ints("kernel_shape", 3, 3),
            Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", "relu1", List.of("conv1"), List.of("relu1"))
        .node("GlobalAveragePool", "gap", List.of("relu1"), List.of("gap"))
        .node("Flatten", "flatten", List.of("gap"), List.of("flatten"), Attr.i("axis", 1))
        .node("Gemm", "logits", List.of("flatten", "fc_w"), List.of("logits"), Attr.i("transB", 1))
        .output("logits", "N", 10)
        .write(tmp.resolve("dynamic.onnx"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1,28,28", "1,1,28,28", "1x28x28"})
  void infoTakesTheShapeWithOrWithoutTheBatch(String shape) {
    String m = dynamicModel().toString();
    for (String[] args :
        List.of(
            new String[] {"info", "--input-shape", shape, m},
            new String[] {"info", "--input-shape=" + shape, m})) {
      CliRunner r = CliRunner.run(args);
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(
          r.out().contains("input: x [1, 1, 28, 28] float32 (declared [?, 1, ?, ?])"), r.out());
      assertTrue(
          r.out().lines().anyMatch(l -> l.startsWith("relu1 ") && l.contains("[1, 4, 28, 28]")),
          r.out());
      assertTrue(
          r.out().lines().anyMatch(l -> l.startsWith("logits ") && l.contains("[1, 10]")), r.out());
    }
  }

  @Test
  void aDynamicSizeWithoutTheOptionAdvisesTheChwForm() {
    CliRunner r = CliRunner.line("info {}", dynamicModel());
    assertEquals(2, r.exitCode(), r.out());
    assertTrue(r.err().startsWith("featviz: error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("has the dynamic shape [?, 1, ?, ?]"), r.err());
    assertTrue(r.err().contains("as --input-shape C,H,W (for example 1,224,224)"), r.err());
  }

  @Test
  void badShapesAreClearErrors() {
    String m = dynamicModel().toString();
    CliRunner rank = CliRunner.line("info --input-shape 28,28 {}", m);
    assertEquals(2, rank.exitCode(), rank.out());
    assertTrue(
        rank.err().contains("--input-shape 28,28") && rank.err().contains("C,H,W"), rank.err());
    CliRunner channels = CliRunner.line("info --input-shape 3,28,28 {}", m);
    assertEquals(2, channels.exitCode(), channels.out());
    assertTrue(
        channels.err().contains("conflicts with the model's input 'x' [?, 1, ?, ?]"),
        channels.err());
    CliRunner batch = CliRunner.line("info --input-shape 8,1,28,28 {}", m);
    assertEquals(2, batch.exitCode(), batch.out());
    assertTrue(
        batch.err().contains("batch") && batch.err().contains("--input-shape 1,28,28"),
        batch.err());
    CliRunner text = CliRunner.line("info --input-shape 1,a,28 {}", m);
    assertEquals(2, text.exitCode(), text.out());
    assertTrue(text.err().contains("'1,a,28' is not a shape like 3,224,224"), text.err());
  }

  @Test
  void renderAndSweepRunAtTheGivenSize() throws Exception {
    String m = dynamicModel().toString();
    Path out = tmp.resolve("render");
    CliRunner r =
        CliRunner.ok(
            "render --model {} --input-shape 1,28,28 --layer relu1 "
                + "--unit 0,3 --steps 2 --transforms none --device cpu "
                + "--out {}",
            m,
            out);
    assertEquals(
        112,
        ImageIO.read(out.resolve("relu1_unit_0003.png").toFile()).getWidth(),
        "28 pixels, upscaled 4 times");

    Path swept = tmp.resolve("sweep");
    CliRunner s =
        CliRunner.ok(
            "sweep --model {} --input-shape 1,1,20,20 --layers relu1 "
                + "--units 0 --steps 2 --transforms none --device cpu "
                + "--out {}",
            m,
            swept);
    try (var files = Files.walk(swept)) {
      Path png =
          files
              .filter(
                  p ->
                      p.toString().endsWith(".png")
                          && !p.getFileName().toString().startsWith("contact"))
              .findFirst()
              .orElseThrow();
      assertEquals(120, ImageIO.read(png.toFile()).getWidth(), "20 pixels, upscaled 6 times");
    }
    // the size is a setting of the sweep: a resume at another one would mix image sizes
    CliRunner other =
        CliRunner.line(
            "sweep --model {} --input-shape 1,24,24 --layers relu1 "
                + "--units 0,1 --steps 2 --transforms none --device cpu "
                + "--out {}",
            m,
            swept);
    assertEquals(2, other.exitCode(), other.err());
    assertTrue(other.err().contains("inputShape: [1,1,20,20] there, [1,1,24,24] now"), other.err());
  }

  @Test
  void evalRunsTheClassifierOnFashionMnistImages() {
    TestData.require(Path.of("/usr/share/datasets/fashion-mnist"), "dataset-fashion-mnist");
    String m = dynamicModel().toString();
    CliRunner r =
        CliRunner.ok("eval --model {} --input-shape 1,28,28 --limit 12 --batch 5 --device cpu", m);
    assertTrue(r.out().contains("accuracy: ") && r.out().contains(" of 12)"), r.out());
    assertTrue(r.out().contains("confusion matrix"), r.out());

    CliRunner wrong =
        CliRunner.line("eval --model {} --input-shape 1,32,32 --limit 4 --device cpu", m);
    assertEquals(2, wrong.exitCode(), wrong.out());
    assertTrue(
        wrong.err().contains("[1, 1, 32, 32]") && wrong.err().contains("[1, 28, 28]"), wrong.err());
  }
}
