package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.onnx.OnnxImporter;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-unit dataset responses on a model whose answer is known: a 1x1 conv with weights 2 and -1 and
 * a ReLU over checkerboard images of value v and 0, so unit 0 responds exactly v (the mean of 2v
 * over half the pixels) and unit 1 never responds; on the CPU and on the emulated device alike.
 */
class UnitResponsesTest {
  @TempDir Path tmp;

  private static final float[] V = {0.1f, 0.5f, 0.3f, 0.9f, 0.2f, 0.7f};
  private static final int[] LABELS = {0, 1, 0, 1, 2, 2};

  private Graph graph() {
    Path m =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 4, 4)
            .initializer("w", new long[] {2, 1, 1, 1}, 2f, -1f)
            .node("Conv", "conv1", List.of("x", "w"), List.of("conv1"))
            .node("Relu", "relu1", List.of("conv1"), List.of("relu1"))
            .output("relu1", "N", 2, 4, 4)
            .write(tmp.resolve("m.onnx"));
    return Prepare.forRun(OnnxImporter.read(m), null, List.of("relu1"));
  }

  private static Dataset data() {
    float[] pixels = new float[V.length * 16];
    for (int i = 0; i < V.length; i++) {
      for (int p = 0; p < 16; p++) pixels[i * 16 + p] = ((p / 4 + p % 4) % 2 == 0) ? V[i] : 0f;
    }
    return new Dataset(
        "checkerboards",
        Tensor.of(Shape.of(V.length, 1, 4, 4), pixels),
        LABELS,
        List.of("a", "b", "c"));
  }

  @Test
  void classMeansExemplarsAndPercentilesAreTheKnownOnes() {
    for (Backend backend : List.of(Backend.CPU, Backend.EMULATED)) {
      Graph g = graph();
      UnitResponses r;
      try (ForwardBackend b = Backends.open(backend, g)) {
        r =
            UnitResponses.collect(
                b, g, List.of("relu1"), data(), InputNormalization.identity(), 6, 4, n -> {});
      }
      assertEquals(2, r.units("relu1"));
      float[] unit0 = r.of("relu1", 0);
      for (int i = 0; i < V.length; i++)
        assertEquals(V[i], unit0[i], 1e-6, backend + " image " + i);
      double[] means = r.classMeans("relu1", 0);
      assertArrayEquals(new double[] {0.2, 0.7, 0.45}, means, 1e-6, backend.toString());
      assertEquals(
          (0.7 - 0.325) / (0.7 + 0.325),
          ClassSelectivity.of(means, ClassSelectivity.Negatives.REFUSE),
          1e-6);
      assertArrayEquals(new int[] {3, 5, 1}, r.topImages("relu1", 0, 3), backend.toString());
      assertEquals(0.5, r.percentile("relu1", 0, 0.5), "0.1, 0.3 and 0.2 of six are below 0.5");
      assertEquals(1.0, r.percentile("relu1", 0, 5.0));
      assertEquals(0.0, r.percentile("relu1", 0, 0.1), "nothing is below the smallest");
      assertArrayEquals(
          new double[] {0, 0, 0}, r.classMeans("relu1", 1), 0.0, "a unit that never fires");
      assertArrayEquals(new int[] {0, 1}, r.topImages("relu1", 1, 2), "ties: first images first");
      assertThrows(ModelException.class, () -> r.classMeans("relu1", 2));
      assertThrows(ModelException.class, () -> r.of("conv1", 0));
    }
  }

  @Test
  void alongADirectionIsTheProjectionOfTheUnitResponses() {
    Graph g = graph();
    UnitResponses r;
    try (ForwardBackend b = Backends.open(Backend.CPU, g)) {
      r =
          UnitResponses.collect(
              b, g, List.of("relu1"), data(), InputNormalization.identity(), 6, 4, n -> {});
    }
    // Unit 1 never responds, so along (0.6, 0.8) every image projects to 0.6 v and along
    // (-1, 0) to -v: the exemplars and class means follow, the order reversed for the latter.
    UnitResponses along = r.along("relu1", new float[][] {{0.6f, 0.8f}, {-1f, 0f}});
    assertEquals(2, along.units("relu1"));
    float[] first = along.of("relu1", 0);
    for (int i = 0; i < V.length; i++) assertEquals(0.6 * V[i], first[i], 1e-6);
    assertArrayEquals(
        new double[] {0.12, 0.42, 0.27}, along.classMeans("relu1", 0), 1e-6, "0.6 x unit 0's");
    assertArrayEquals(new int[] {3, 5, 1}, along.topImages("relu1", 0, 3));
    assertArrayEquals(new int[] {0, 4, 2}, along.topImages("relu1", 1, 3), "-v: smallest first");
    assertEquals(0.5, along.percentile("relu1", 1, -0.4), "-0.9, -0.7, -0.5 are below -0.4");
    assertThrows(ModelException.class, () -> r.along("relu1", new float[][] {{1f}}));
  }
}
