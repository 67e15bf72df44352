package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.featviz.data.Dataset;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.onnx.OnnxImporter;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeviceAblation} on the emulated device against answers worked out by hand (as {@link
 * AblationTest} and {@link AblationReferenceTest} check the CPU's): two pixels through identity
 * weights and a ReLU, units zeroed or set to a mean; a skip connection past the ablated layer that
 * reads the graph input (the frontier holds the input beside the layer).
 */
class DeviceAblationHandWorkedTest {
  @TempDir Path tmp;

  private static final InputNormalization ID = InputNormalization.identity();

  private Graph twoPixels() {
    Path m =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 1, 2)
            .initializer("eye", new long[] {2, 2}, 1f, 0f, 0f, 1f)
            .node("Flatten", "flat", List.of("x"), List.of("flat"))
            .node("Gemm", "fc1", List.of("flat", "eye"), List.of("fc1"))
            .node("Relu", "h", List.of("fc1"), List.of("h"))
            .node("Gemm", "fc2", List.of("h", "eye"), List.of("logits"), Attr.i("transB", 1))
            .output("logits", "N", 2)
            .write(tmp.resolve("m.onnx"));
    return Prepare.forRun(OnnxImporter.read(m), null, List.of("logits", "h"));
  }

  private static Dataset pairs(float[] px, int... labels) {
    return new Dataset("pairs", Tensor.of(Shape.of(4, 1, 1, 2), px), labels, List.of("a", "b"));
  }

  private static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Test
  void twoPixelsGiveTheHandWorkedAccuracyAndLoss() {
    Dataset data = pairs(new float[] {1, 0, 0, 1, 2, 1, 1, 3}, 0, 1, 0, 1);
    try (EmulatedDevice device = new EmulatedDevice()) {
      for (int perForward : new int[] {1, 3, 0}) {
        List<Ablation.Score> s =
            DeviceAblation.run(
                device,
                twoPixels(),
                "h",
                List.of(new int[0], new int[] {0}, new int[] {1}, new int[] {0, 1}),
                data,
                ID,
                Ablation.Replacement.ZERO,
                null,
                4,
                3,
                perForward,
                n -> {});
        String what = perForward + " sets per forward";
        assertEquals(1.0, s.get(0).accuracy(), what);
        assertEquals(0.75, s.get(1).accuracy(), what + ": (0,0)->a, (0,1)->b, (0,1)->b, (0,3)->b");
        assertEquals(0.5, s.get(2).accuracy(), what + ": (1,0), (0,0)->a, (2,0), (1,0)->a");
        assertEquals(0.5, s.get(3).accuracy(), what + ": all (0,0): class a for every image");
        double intact = (softplus(-1) + softplus(-1) + softplus(-1) + softplus(-2)) / 4;
        assertEquals(intact, s.get(0).meanLoss(), 1e-6, what);
        assertEquals(Math.log(2), s.get(3).meanLoss(), 1e-6, what + ": log 2 for every image");
      }
      List<Ablation.Score> byMean =
          DeviceAblation.run(
              device,
              twoPixels(),
              "h",
              List.of(new int[] {0}),
              data,
              ID,
              Ablation.Replacement.MEAN,
              new float[] {5f, 0f},
              4,
              4,
              n -> {});
      assertEquals(0.5, byMean.get(0).accuracy(), "unit 0 at 5 outscores every b");
      // scores (5, b): labels a, b, a, b with b = 0, 1, 1, 3
      double loss = (softplus(-5) + softplus(4) + softplus(-4) + softplus(2)) / 4;
      assertEquals(loss, byMean.get(0).meanLoss(), 1e-6);
    }
  }

  /**
   * logits = Relu(x) ablated at h, plus x itself (the skip): images (a, b) with a, b >= 0 score
   * (2a, 2b) intact and (a, 2b) with unit 0 zeroed.
   */
  @Test
  void aSkipThatReadsTheInputIsFedBesideTheLayer() {
    Path m =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 1, 2)
            .initializer("eye", new long[] {2, 2}, 1f, 0f, 0f, 1f)
            .node("Flatten", "flat", List.of("x"), List.of("flat"))
            .node("Relu", "h", List.of("flat"), List.of("h"))
            .node("Gemm", "fc", List.of("h", "eye"), List.of("fc"), Attr.i("transB", 1))
            .node("Add", "skip", List.of("fc", "flat"), List.of("logits"))
            .output("logits", "N", 2)
            .write(tmp.resolve("skip.onnx"));
    Graph g = Prepare.forRun(OnnxImporter.read(m), null, List.of("logits", "h"));
    assertEquals(List.of("h", "x"), AblationSuffix.of(g, "h", "logits").frontier());
    Dataset data = pairs(new float[] {2, 1, 1, 3, 3, 2, 0, 1}, 0, 1, 0, 1);
    try (EmulatedDevice device = new EmulatedDevice()) {
      List<Ablation.Score> got =
          DeviceAblation.run(
              device,
              g,
              "h",
              List.of(new int[0], new int[] {0}),
              data,
              ID,
              Ablation.Replacement.ZERO,
              null,
              4,
              3,
              2,
              n -> {});
      assertEquals(1.0, got.get(0).accuracy());
      assertEquals(0.75, got.get(1).accuracy(), "right, right, wrong (3 < 4), right");
      double lossAblated =
          (softplus(2 - 2) + softplus(1 - 6) + softplus(4 - 3) + softplus(0 - 2)) / 4;
      assertEquals(lossAblated, got.get(1).meanLoss(), 1e-6);
    }
  }
}
