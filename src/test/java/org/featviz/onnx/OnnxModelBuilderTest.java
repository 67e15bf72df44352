package org.featviz.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.ShapeInference;
import org.junit.jupiter.api.Test;

/**
 * The hand-written encoder agrees with the ONNX reference parser: every hand-built model passes the
 * ONNX checker, its attributes and initializers read back with the values written, and featviz
 * infers the output shapes that the ONNX spec gives for those attributes.
 */
class OnnxModelBuilderTest {
  private static Shape output(Graph g, Map<String, Shape> inputs) {
    return ShapeInference.infer(g, inputs).shape(g.outputs().get(0));
  }

  @Test
  void convReluReadsBackAndHasTheSpecOutputShape() {
    Graph g = OnnxImporter.read(HandBuiltModels.convRelu(), "conv_relu");
    Tensor b = g.initializers().get("b"); // raw_data
    assertArrayEquals(new float[] {0.1f, -0.2f, 0.3f, 0f}, b.data());
    assertEquals(-0.3f, g.initializers().get("w").data()[0]); // float_data: (0 % 7 - 3) * 0.1
    assertArrayEquals(new long[] {1, 1, 1, 1}, g.nodes().get(0).attributes().getInts("pads", null));
    assertEquals(Shape.of(1, 4, 8, 8), output(g, Map.of("x", Shape.of(1, 3, 8, 8))));
  }

  @Test
  void gemmAttributesOfEveryScalarKindReadBack() {
    Graph g = OnnxImporter.read(HandBuiltModels.gemm(), "gemm");
    Attributes a = g.nodes().get(0).attributes();
    assertEquals(0.5f, a.getFloat("alpha", 0));
    assertEquals(2f, a.getFloat("beta", 0));
    assertEquals(1, a.getInt("transB", 0));
    assertEquals(Shape.of(2, 3), output(g, Map.of("x", Shape.of(2, 4))));
  }

  @Test
  void int64InitializerAndStringAttributeReadBack() {
    Graph g = OnnxImporter.read(HandBuiltModels.poolReshape(), "pool_reshape");
    assertArrayEquals(new long[] {1, -1}, g.initializers().get("shape").longs());
    assertEquals("NOTSET", g.nodes().get(0).attributes().getString("auto_pad", ""));
    assertEquals(Shape.of(1, 18), output(g, Map.of("x", Shape.of(1, 2, 6, 6))));
  }

  @Test
  void symbolicDimensionsTakeTheGivenSizes() {
    Graph g = OnnxImporter.read(HandBuiltModels.dynamic(), "dynamic");
    assertArrayEquals(new long[] {-1, 3, -1, 5}, g.input().dims());
    assertEquals(Shape.of(2, 3, 1, 1), output(g, Map.of("x", Shape.of(2, 3, 7, 5))));
  }

  @Test
  void tensorAttributeReadsBack() {
    Graph g = OnnxImporter.read(HandBuiltModels.constantPadConcat(), "constant_pad_concat");
    Object value =
        g.nodes().stream()
            .filter(n -> n.opType().equals("Constant"))
            .findFirst()
            .orElseThrow()
            .attributes()
            .asMap()
            .get("value");
    Tensor t = (Tensor) value;
    assertEquals(Shape.of(1, 2, 5), t.shape());
    assertEquals(0.5f, t.data()[4]); // (4 % 7 - 3) * 0.5
    assertEquals(Shape.of(5, 2, 2), output(g, Map.of("x", Shape.of(1, 2, 3))));
  }
}
