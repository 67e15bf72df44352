package org.featviz.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.featviz.ops.ShapeInference;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a model file can be wrong gives a ModelException whose message names the file and the
 * problem.
 */
class OnnxImporterErrorsTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static ModelException readFails(Path file, String... fragments) {
    ModelException e = assertThrows(ModelException.class, () -> OnnxImporter.read(file));
    assertTrue(
        e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message mentions '" + f + "': " + e.getMessage());
    }
    return e;
  }

  private static Map<String, Shape> staticShapes(Graph g) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (ValueInfo v : g.inputs()) shapes.put(v.name(), Shape.of(v.dims()));
    return shapes;
  }

  @Test
  void validHandBuiltModelImports() throws IOException {
    Graph g = OnnxImporter.read(write("conv_relu.onnx", HandBuiltModels.convRelu()));
    assertEquals(13, g.opset());
    assertEquals(List.of("Conv", "Relu"), g.nodes().stream().map(n -> n.opType()).toList());
    assertArrayEquals(new long[] {1, 3, 8, 8}, g.input().dims());
    assertEquals(Shape.of(4, 3, 3, 3), g.initializers().get("w").shape());
    assertEquals(-0.2f, g.initializers().get("b").data()[1]);
    assertArrayEquals(
        new long[] {3, 3}, g.nodes().get(0).attributes().getInts("kernel_shape", null));
  }

  @Test
  void missingFile() {
    readFails(dir.resolve("absent.onnx"), "no such file");
  }

  @Test
  void directory() {
    readFails(dir, "directory");
  }

  @Test
  void emptyFile() throws IOException {
    readFails(write("empty.onnx", new byte[0]), "empty");
  }

  @Test
  void textFile() throws IOException {
    byte[] text =
        "This is a README, not a network.\nIt has two lines.\n".getBytes(StandardCharsets.UTF_8);
    readFails(write("readme.onnx", text), "not an ONNX model");
  }

  @Test
  void pngImage() throws IOException {
    byte[] png = {
      (byte) 0x89,
      'P',
      'N',
      'G',
      '\r',
      '\n',
      0x1A,
      '\n',
      0,
      0,
      0,
      13,
      'I',
      'H',
      'D',
      'R',
      0,
      0,
      0,
      16,
      0,
      0,
      0,
      16,
      8,
      2,
      0,
      0,
      0,
      (byte) 0x90,
      (byte) 0x91,
      0x68,
      0x36
    };
    readFails(write("picture.onnx", png), "not an ONNX model");
  }

  @Test
  void truncatedModel() throws IOException {
    byte[] model = HandBuiltModels.convRelu();
    readFails(
        write("half.onnx", Arrays.copyOf(model, model.length / 2)),
        "not an ONNX model",
        "truncated");
  }

  @Test
  void unsupportedOpIsReportedByShapeInferenceWithNodeOpAndOpset() throws IOException {
    // Det is a standard ONNX op (opset 11) that featviz has no reason to support.
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 2, 3, 3)
            .node("Det", "det1", List.of("x"), List.of("y"))
            .output("y", 2)
            .build();
    Graph g = OnnxImporter.read(write("det.onnx", model));
    UnsupportedOpException e =
        assertThrows(UnsupportedOpException.class, () -> ShapeInference.infer(g, staticShapes(g)));
    assertEquals("Det", e.opType());
    for (String f : new String[] {"det1", "Det", "opset 13"}) {
      assertTrue(e.getMessage().contains(f), "message mentions '" + f + "': " + e.getMessage());
    }
    ShapeInference.Result lenient = ShapeInference.inferLenient(g, staticShapes(g));
    assertEquals(1, lenient.problems().size());
    assertFalse(lenient.shapes().containsKey("y"));
  }

  @Test
  void opOfAnotherDomainIsUnsupportedNotCorrupt() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .opset(13)
            .opset("com.example", 1)
            .input("x", 1, 4)
            .node("com.example", "Frobnicate", "frob", List.of("x"), List.of("y"))
            .output("y", 1, 4)
            .build();
    Graph g = OnnxImporter.read(write("custom.onnx", model));
    UnsupportedOpException e =
        assertThrows(UnsupportedOpException.class, () -> ShapeInference.infer(g, staticShapes(g)));
    for (String f : new String[] {"frob", "com.example.Frobnicate", "opset 13"}) {
      assertTrue(e.getMessage().contains(f), "message mentions '" + f + "': " + e.getMessage());
    }
  }

  @Test
  void opUnknownToOnnxIsRejectedByTheChecker() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 4)
            .node("NoSuchOp", "mystery", List.of("x"), List.of("y"))
            .output("y", 1, 4)
            .build();
    readFails(write("unknown_op.onnx", model), "NoSuchOp");
  }

  @Test
  void dynamicNonBatchDimensionImportsAsMinusOne() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", "N", 3, "height", 8)
            .node("Relu", "relu1", List.of("x"), List.of("y"))
            .output("y", "N", 3, "height", 8)
            .build();
    Graph g = OnnxImporter.read(write("dynamic.onnx", model));
    ValueInfo x = g.input();
    assertArrayEquals(new long[] {-1, 3, -1, 8}, x.dims());
    assertFalse(x.isStatic());
    assertEquals("[?, 3, ?, 8]", x.dimsText());
  }

  @Test
  void inputWithoutShapeIsNamed() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .inputWithoutShape("pixels")
            .node("Relu", "relu1", List.of("pixels"), List.of("y"))
            .output("y", 1, 4)
            .build();
    readFails(write("no_shape.onnx", model), "'pixels'", "no shape");
  }

  @Test
  void float64InitializerIsNamed() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 2)
            .initializer(OnnxModelBuilder.doubleTensor("scale", new long[] {2}, 0.5, 2.0))
            .node("Mul", "mul1", List.of("x", "scale"), List.of("y"))
            .output("y", 1, 2)
            .build();
    readFails(write("double.onnx", model), "'scale'", "float64");
  }

  @Test
  void initializerWithTooFewValuesIsNamed() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 3)
            .initializer("bias", new long[] {3}, 1f, 2f)
            .node("Add", "add1", List.of("x", "bias"), List.of("y"))
            .output("y", 1, 3)
            .build();
    readFails(write("short_init.onnx", model), "'bias'");
  }

  @Test
  void missingDefaultOpsetIsReported() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .opset("com.example", 1)
            .input("x", 1, 4)
            .node("com.example", "Frobnicate", "frob", List.of("x"), List.of("y"))
            .output("y", 1, 4)
            .build();
    readFails(write("no_opset.onnx", model), "opset");
  }

  @Test
  void nodeReadingAnUndefinedValueIsReported() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 4)
            .node("Add", "add1", List.of("x", "ghost"), List.of("y"))
            .output("y", 1, 4)
            .build();
    readFails(write("dangling.onnx", model), "ghost");
  }

  // The next two models crashed the JVM inside ONNX's native shape inference (onnx 1.17, found by
  // the fuzz test):
  // the importer must not hand them to it, and featviz's own shape inference must reject them
  // cleanly.

  @Test
  void convWithZeroStrideIsAnErrorNotACrash() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 1, 5, 5)
            .initializer("w", new long[] {1, 1, 3, 3}, new float[9])
            .node(
                "Conv",
                "conv0",
                List.of("x", "w"),
                List.of("y"),
                Attr.s("auto_pad", "SAME_LOWER"),
                Attr.ints("kernel_shape", 3, 3),
                Attr.ints("strides", 0, 2))
            .output("y", 1, 1, 3, 3)
            .build();
    Graph g = OnnxImporter.read(write("zero_stride.onnx", model));
    ModelException e =
        assertThrows(ModelException.class, () -> ShapeInference.infer(g, staticShapes(g)));
    assertTrue(
        e.getMessage().contains("conv0") && e.getMessage().contains("strides"), e.getMessage());
  }

  @Test
  void convWeightOfAnotherRankIsAnErrorNotACrash() throws IOException {
    // No kernel_shape attribute, so the kernel size comes from the 5-D weight while the input is
    // 4-D.
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 1, 5, 5)
            .input("w", 1, 1, 3, 3, 3)
            .node("Conv", "conv0", List.of("x", "w"), List.of("y"), Attr.ints("strides", 2, 2))
            .output("y", 1, 1, 3, 3)
            .build();
    Graph g = OnnxImporter.read(write("weight_rank.onnx", model));
    ModelException e =
        assertThrows(ModelException.class, () -> ShapeInference.infer(g, staticShapes(g)));
    assertTrue(e.getMessage().contains("conv0") && e.getMessage().contains("rank"), e.getMessage());
  }

  @Test
  void outputWithoutShapeIsNamed() throws IOException {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", 1, 4)
            .node("Relu", "relu1", List.of("x"), List.of("activations"))
            .outputWithoutShape("activations")
            .build();
    readFails(write("no_output_shape.onnx", model), "output 'activations'", "no shape");
  }
}
