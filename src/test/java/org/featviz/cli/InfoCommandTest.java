package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InfoCommandTest {
  @Test
  void missingFileIsAClearErrorWithNonZeroExit() {
    CliRunner r = CliRunner.line("info no/such/model.onnx");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("no/such/model.onnx: no such file"), r.err());
  }

  @Test
  void aFileThatIsNotOnnxIsRejected(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("notes.onnx");
    Files.writeString(f, "this is not a model\n");
    CliRunner r = CliRunner.line("info {}", f);
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("notes.onnx"), r.err());
    assertTrue(r.err().toLowerCase().contains("onnx"), r.err());
  }

  @Test
  void listsLayersOfAConformanceModel() {
    Path model =
        TestData.require(
            Path.of(
                "/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx"),
            "libonnx-testdata");
    CliRunner r = CliRunner.ok("info {}", model);
    assertTrue(r.out().contains("Conv"), r.out());
    assertTrue(r.out().contains("[1, 1, 4, 3]"), r.out());
  }

  @ParameterizedTest
  @CsvSource({
    "fashion-cnn, 'conv1,relu1,conv2,relu2,pool1,conv3,relu3,conv4,relu4,pool2,flatten,fc1,relu_fc1,logits'",
    "fashion-vgg, 'conv1,bn1,relu1,pool1,conv8,bn8,relu8,gap,logits'"
  })
  void listsTheLayersOfTheBundledModels(String model, String layers) {
    CliRunner r = CliRunner.ok("info {}", BundledModels.path(model));
    for (String layer : layers.split(",")) {
      assertTrue(
          r.out().lines().anyMatch(l -> l.startsWith(layer + " ")),
          layer + " missing in:\n" + r.out());
    }
    assertTrue(r.out().contains("input: input [1, 1, 28, 28]"), r.out());
  }

  @Test
  void badShapeOptionIsAUsageError() {
    CliRunner r = CliRunner.line("info --input-shape 1,x m.onnx");
    assertEquals(2, r.exitCode());
  }

  @Test
  void showsTheFeaturesAsTheUnitsOfTokenLayers(@TempDir Path dir) {
    Path model =
        org.featviz.onnx.TokenModels.tokens(
            dir.resolve("tokens.onnx"),
            org.featviz.onnx.TinyModels.uniform(1, 15),
            new float[] {1, 1, 1, 1, 1},
            new float[5]);
    CliRunner r = CliRunner.ok("info {}", model);
    String[] expected = {
      "patches Reshape [1, 3, 16] 3 ",
      "tokens Transpose [1, 16, 3] 3* ",
      "proj MatMul [1, 16, 5] 5* ",
      "ln LayerNormalization [1, 16, 5] 5* "
    };
    List<String> lines = r.out().lines().map(l -> l.replaceAll(" +", " ")).toList();
    for (String e : expected)
      assertTrue(lines.stream().anyMatch(l -> l.startsWith(e)), e + " missing in:\n" + r.out());
    assertTrue(r.out().contains("* [N, tokens, features]: the units are the features"), r.out());
  }
}
