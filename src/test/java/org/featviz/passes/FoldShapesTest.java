package org.featviz.passes;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.onnx.OnnxModelBuilder.int64Tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.CpuExecutor;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.onnx.OnnxImporter;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.junit.jupiter.api.Test;

/**
 * Shape arithmetic as PyTorch's exporter writes it (x.view(x.size(0), -1), reshapes into heads,
 * expand's Equal/Where/ConstantOfShape, Range) folds at import, stays right at every batch size,
 * and what cannot fold is refused naming the node. Built as ONNX files and imported through the
 * checker; results compared with plain loops written here.
 */
class FoldShapesTest {
  private final Random rng = new Random(14);

  private static Graph imported(OnnxModelBuilder b) {
    return OnnxImporter.read(b.build(), "shapes.onnx");
  }

  private static Tensor run(Graph g, Tensor x, String target) {
    return new CpuExecutor(g).forward(Map.of("x", x), List.of(target)).get(target);
  }

  private static long countOps(Graph g, String... ops) {
    List<String> l = List.of(ops);
    return g.nodes().stream().filter(n -> l.contains(n.opType())).count();
  }

  /** x.view(x.size(0), -1) @ w: Shape -> Gather -> Unsqueeze -> Concat -> Reshape -> MatMul. */
  private static OnnxModelBuilder viewFlatten(float[] w) {
    return viewFlatten(w, "N", 2, 3, 4);
  }

  /** {@link #viewFlatten(float[])} of x [n, c, h, w] (sizes or symbols) to y [n, 5]. */
  private static OnnxModelBuilder viewFlatten(float[] w, Object n, Object c, Object h, Object wd) {
    return new OnnxModelBuilder()
        .opset(13)
        .input("x", n, c, h, wd)
        .initializer("w", new long[] {24, 5}, w)
        .initializer(int64Tensor("zero", new long[] {}, 0))
        .initializer(int64Tensor("axes0", new long[] {1}, 0))
        .initializer(int64Tensor("minus1", new long[] {1}, -1))
        .node("Shape", "shape", List.of("x"), List.of("s"))
        .node("Gather", "gather", List.of("s", "zero"), List.of("n"), Attr.i("axis", 0))
        .node("Unsqueeze", "unsq", List.of("n", "axes0"), List.of("n1"))
        .node("Concat", "concat", List.of("n1", "minus1"), List.of("target"), Attr.i("axis", 0))
        .node("Reshape", "view", List.of("x", "target"), List.of("flat"))
        .node("MatMul", "fc", List.of("flat", "w"), List.of("y"))
        .output("y", n, 5);
  }

  @Test
  void viewOfTheBatchSizeFoldsAndServesEveryBatch() {
    float[] w = random(Shape.of(24, 5), rng, -1, 1).data();
    Graph g = Prepare.forRun(imported(viewFlatten(w)), null, List.of());
    assertEquals(0, countOps(g, "Shape", "Gather", "Unsqueeze", "Concat"), g.nodes().toString());
    Node reshape = g.nodes().stream().filter(n -> n.opType().equals("Reshape")).findFirst().get();
    assertArrayEquals(new long[] {0, -1}, g.initializers().get(reshape.input(1)).longs());
    for (int batch : new int[] {1, 3}) {
      Tensor x = random(Shape.of(batch, 2, 3, 4), rng, -1, 1);
      float[] expected = new float[batch * 5];
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < 5; j++) {
          double s = 0;
          for (int k = 0; k < 24; k++) s += x.data()[b * 24 + k] * w[k * 5 + j];
          expected[b * 5 + j] = (float) s;
        }
      Tensor y = run(g, x, "y");
      assertEquals(Shape.of(batch, 5), y.shape());
      assertClose(expected, y.data(), 1e-5, 1e-6, "batch " + batch);
    }
  }

  /**
   * x[N, T, F] split into 2 heads: reshape(N, T, 2, F / 2) from the sizes, then merged as reshape(N
   * * T, F) (the batch in a product: written -1) and back to x's own shape.
   */
  @Test
  void headsAndMergedBatchFold() {
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 6, 4)
            .initializer(int64Tensor("i0", new long[] {}, 0))
            .initializer(int64Tensor("i1", new long[] {}, 1))
            .initializer(int64Tensor("i2", new long[] {}, 2))
            .initializer(int64Tensor("two", new long[] {1}, 2))
            .initializer(int64Tensor("axes0", new long[] {1}, 0))
            .node("Shape", "shape", List.of("x"), List.of("s"))
            .node("Gather", "g0", List.of("s", "i0"), List.of("n"))
            .node("Gather", "g1", List.of("s", "i1"), List.of("t"))
            .node("Gather", "g2", List.of("s", "i2"), List.of("f"))
            .node("Div", "half", List.of("f", "i2"), List.of("fh"))
            .node("Unsqueeze", "u0", List.of("n", "axes0"), List.of("n1"))
            .node("Unsqueeze", "u1", List.of("t", "axes0"), List.of("t1"))
            .node("Unsqueeze", "u3", List.of("fh", "axes0"), List.of("fh1"))
            .node(
                "Concat", "c", List.of("n1", "t1", "two", "fh1"), List.of("hs"), Attr.i("axis", 0))
            .node("Reshape", "heads", List.of("x", "hs"), List.of("h"))
            .node("Mul", "nt", List.of("n", "t"), List.of("ntv"))
            .node("Unsqueeze", "u4", List.of("ntv", "axes0"), List.of("nt1"))
            .node("Unsqueeze", "u5", List.of("f", "axes0"), List.of("f1"))
            .node("Concat", "c2", List.of("nt1", "f1"), List.of("ms"), Attr.i("axis", 0))
            .node("Reshape", "merge", List.of("h", "ms"), List.of("m"))
            .node("Reshape", "back", List.of("m", "s"), List.of("y"))
            .output("y", "N", 6, 4);
    Graph g = Prepare.forRun(imported(b), null, List.of());
    assertEquals(3, g.nodes().size(), g.nodes().toString());
    long[][] shapes =
        g.nodes().stream()
            .map(n -> g.initializers().get(n.input(1)).longs())
            .toArray(long[][]::new);
    assertArrayEquals(new long[] {0, 6, 2, 2}, shapes[0]);
    assertArrayEquals(new long[] {-1, 4}, shapes[1]);
    assertArrayEquals(new long[] {-1, 6, 4}, shapes[2]);
    Tensor x = random(Shape.of(3, 6, 4), rng, -1, 1);
    Tensor h = run(g, x, "h");
    assertEquals(Shape.of(3, 6, 2, 2), h.shape());
    assertEquals(Shape.of(18, 4), run(g, x, "m").shape());
    Tensor y = run(g, x, "y");
    assertEquals(Shape.of(3, 6, 4), y.shape());
    assertClose(x.data(), y.data(), 0, 0, "reshapes keep the elements");
  }

  /**
   * expand(-1, T) as the exporter writes it (Where(Equal(shape, -1), ConstantOfShape(...), shape)),
   * a position table from Range and Cast, and Slice of a shape: all fold to float constants.
   */
  @Test
  void expandWhereRangeAndCastFoldToConstants() {
    float[] bias = random(Shape.of(1, 6), rng, -1, 1).data();
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 6)
            .initializer("bias", new long[] {1, 6}, bias)
            .initializer(int64Tensor("shape_req", new long[] {2}, -1, 6))
            .initializer(int64Tensor("m1", new long[] {}, -1))
            .initializer(int64Tensor("st", new long[] {1}, 1))
            .initializer(int64Tensor("en", new long[] {1}, 2))
            .initializer(int64Tensor("zero", new long[] {}, 0))
            .initializer(int64Tensor("one", new long[] {}, 1))
            .node("Equal", "eq", List.of("shape_req", "m1"), List.of("is_m1"))
            .node("Shape", "rs", List.of("shape_req"), List.of("len"))
            .node(
                "ConstantOfShape",
                "ones",
                List.of("len"),
                List.of("o"),
                Attr.t("value", int64Tensor("v", new long[] {1}, 1)))
            .node("Where", "where", List.of("is_m1", "o", "shape_req"), List.of("target"))
            .node("Expand", "expand", List.of("bias", "target"), List.of("eb"))
            .node("Shape", "xs", List.of("x"), List.of("s"))
            .node("Slice", "slice", List.of("s", "st", "en"), List.of("t1"))
            .node("Squeeze", "sq", List.of("t1"), List.of("t"))
            .node("Range", "range", List.of("zero", "t", "one"), List.of("pos"))
            .node("Cast", "cast", List.of("pos"), List.of("posf"), Attr.i("to", 1))
            .node("Add", "add1", List.of("x", "eb"), List.of("a"))
            .node("Add", "add2", List.of("a", "posf"), List.of("y"))
            .output("y", "N", 6);
    Graph g = Prepare.forRun(imported(b), null, List.of());
    assertEquals(2, g.nodes().size(), g.nodes().toString());
    Tensor x = random(Shape.of(2, 6), rng, -1, 1);
    float[] expected = new float[12];
    for (int i = 0; i < 12; i++) expected[i] = (x.data()[i] + bias[i % 6]) + (i % 6);
    assertClose(expected, run(g, x, "y").data(), 0, 0, "x + bias + position");
  }

  @Test
  void dynamicSizesFoldWithTheGivenInputShape() {
    float[] w = random(Shape.of(24, 5), rng, -1, 1).data();
    Graph imported = imported(viewFlatten(w, "N", 2, "H", "W"));
    Graph g = Prepare.forRun(imported, new long[] {2, 3, 4}, List.of());
    assertEquals(2, g.nodes().size(), g.nodes().toString());
    assertEquals(Shape.of(1, 5), g.shape("y"));
    // Without the input shape the Shape node cannot fold: refused naming it.
    Graph lenient = Prepare.simplify(imported, null);
    assertEquals(1, countOps(lenient, "Shape"));
  }

  @Test
  void batchDependentValuesOutsideAReshapeAreRefusedNamingTheNode() {
    // A constant expanded to the batch size and added to x: it cannot be one constant.
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 6)
            .initializer("bias", new long[] {1, 6}, new float[6])
            .initializer(int64Tensor("zero", new long[] {1}, 0))
            .initializer(int64Tensor("six", new long[] {1}, 6))
            .node("Shape", "shape", List.of("x"), List.of("s"))
            .node("Gather", "gather", List.of("s", "zero"), List.of("n"))
            .node("Concat", "concat", List.of("n", "six"), List.of("target"), Attr.i("axis", 0))
            .node("Expand", "expand", List.of("bias", "target"), List.of("eb"))
            .node("Add", "add", List.of("x", "eb"), List.of("y"))
            .output("y", "N", 6);
    ModelException e =
        assertThrows(ModelException.class, () -> Prepare.forRun(imported(b), null, List.of()));
    assertTrue(
        e.getMessage().startsWith("shapes.onnx: Add node 'add': input 1 ('eb')"), e.getMessage());
    assertTrue(e.getMessage().contains("depends on the batch size"), e.getMessage());
  }

  @Test
  void shapeArithmeticOnDataIsRefusedNamingTheNodeAndOp() {
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 6)
            .node("Cast", "tocast", List.of("x"), List.of("c"), Attr.i("to", 7))
            .node("Cast", "back", List.of("c"), List.of("y"), Attr.i("to", 1))
            .output("y", "N", 6);
    Graph imported = imported(b);
    // Opening the model leaves it (info lists it); preparing a run refuses it.
    assertEquals(2, Prepare.simplify(imported, null).nodes().size());
    ModelException e =
        assertThrows(ModelException.class, () -> Prepare.forRun(imported, null, List.of()));
    assertEquals(
        "shapes.onnx: Cast node 'tocast': featviz computes Cast only as shape arithmetic folded at"
            + " import, and cannot fold this one: input 0 ('x') is computed from the input's data,"
            + " not only its shape",
        e.getMessage());
  }

  @Test
  void aCastOfFloatDataToFloatIsAnIdentity() {
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(17)
            .input("x", "N", 6)
            .node("Relu", "relu", List.of("x"), List.of("r"))
            .node("Cast", "stash", List.of("r"), List.of("c"), Attr.i("to", 1))
            .node("Neg", "neg", List.of("c"), List.of("y"))
            .output("y", "N", 6);
    Graph g = Prepare.forRun(imported(b), null, List.of());
    assertEquals("Identity", g.producer("c").opType());
    Tensor x = Tensor.of(Shape.of(1, 6), new float[] {-1, 2, -3, 4, 0, 5});
    assertClose(new float[] {0, -2, 0, -4, 0, -5}, run(g, x, "y").data(), 0, 0, "-relu(x)");
    // A Cast to int64 stays refused (shapeArithmeticOnDataIsRefusedNamingTheNodeAndOp).
  }

  @Test
  void aFixedBatchFoldsToPlainConstants() {
    float[] w = random(Shape.of(24, 5), rng, -1, 1).data();
    OnnxModelBuilder b = viewFlatten(w);
    OnnxModelBuilder fixed = viewFlatten(w, 2, 2, 3, 4);
    Graph g = Prepare.forRun(imported(fixed), null, List.of());
    assertArrayEquals(new long[] {2, -1}, g.initializers().get("target").longs());
    assertEquals(Shape.of(2, 5), g.shape("y"));
    assertEquals(Shape.of(1, 5), Prepare.forRun(imported(b), null, List.of()).shape("y"));
  }

  /**
   * F.pad's exported pads (an int64 [axes, 2] table through Transpose and Reshape) and Swin's
   * shifted-window mask (ScatterND writing rows of a constant) fold; the result against loops.
   */
  @Test
  void transposedPadsAndAScatteredMaskFold() {
    float[] rows = {1, 2, 3, 4, 5, -1, -2, -3, -4, -5};
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", 1, 1, 2, 3)
            .initializer(int64Tensor("table", new long[] {4, 2}, 0, 0, 0, 0, 1, 0, 0, 2))
            .initializer(int64Tensor("flat", new long[] {1}, -1))
            .initializer("zeros", new long[] {3, 5}, new float[15])
            .initializer(int64Tensor("where", new long[] {2, 1}, 2, -3))
            .initializer("rows", new long[] {2, 5}, rows)
            .node("Transpose", "t", List.of("table"), List.of("tt"), Attr.ints("perm", 1, 0))
            .node("Reshape", "r", List.of("tt", "flat"), List.of("pads"))
            .node("Pad", "pad", List.of("x", "pads"), List.of("p"))
            .node("ScatterND", "scatter", List.of("zeros", "where", "rows"), List.of("mask"))
            .node("Add", "add", List.of("p", "mask"), List.of("y"))
            .output("y", 1, 1, 3, 5);
    Graph g = Prepare.forRun(imported(b), null, List.of());
    assertEquals(0, countOps(g, "Transpose", "ScatterND"), g.nodes().toString());
    Tensor x = random(Shape.of(1, 1, 2, 3), rng, -1, 1);
    float[] expected = new float[15];
    // pads: begins (0, 0, 1, 0), ends (0, 0, 0, 2): x lands at rows 1..2, columns 0..2.
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 3; j++) expected[(i + 1) * 5 + j] = x.data()[i * 3 + j];
    // Rows 2 and -3 (= 0) of the mask hold the two update rows.
    for (int j = 0; j < 5; j++) {
      expected[2 * 5 + j] += rows[j];
      expected[j] += rows[5 + j];
    }
    assertClose(expected, run(g, x, "y").data(), 0, 0, "padded plus mask");
  }

  /** PyTorch names Dropout's mask output though nothing reads it: the Dropout still goes. */
  @Test
  void aDropoutWhoseMaskNothingReadsIsDropped() {
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", 1, 4)
            .node("Dropout", "drop", List.of("x"), List.of("d", "mask"))
            .node("Relu", "relu", List.of("d"), List.of("y"))
            .output("y", 1, 4);
    Graph g = Prepare.simplify(imported(b));
    assertEquals(0, countOps(g, "Dropout"), g.nodes().toString());
  }
}
