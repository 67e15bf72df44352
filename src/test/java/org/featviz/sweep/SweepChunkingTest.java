package org.featviz.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.cpu.CpuKernels;
import org.featviz.device.MathMode;
import org.featviz.objective.Objectives;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.featviz.onnx.TinyModels;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the per-target seeds promise about chunking, the batch size a sweep renders at: a unit's
 * optimization is the same in any chunk, and its numbers are the same to the last bit where the
 * kernels compute each image alone (convolutions, split per image; the reference kernels), but only
 * to float rounding where a matrix product runs on OpenBLAS, whose sums over a block of rows depend
 * on how many rows the block has. (Sharing a sweep over devices keeps its chunks, so it is exact:
 * MultiDeviceSweepTest.)
 */
class SweepChunkingTest {
  @TempDir Path tmp;

  private static final UnitObjective CHANNEL =
      (layer, unit, count, seed) -> Objectives.channel(layer, unit);

  private static List<UnitResult> sweep(
      Path model, Backend backend, String layer, int batch, Path out) {
    try (Model m = Model.builder(model).optBackend(backend).optMath(MathMode.FP32).open()) {
      return Sweep.run(
          m,
          List.of(layer),
          new UnitSelection("0-4"),
          CHANNEL,
          "channel",
          batch,
          RenderOptions.defaults().withSteps(5).withTransforms(TransformConfig.small()),
          1,
          out,
          new Sweep.Listener() {});
    }
  }

  /** x[N,1,16,16] -> Flatten -> Gemm 256 x 256 (on OpenBLAS where it loads) -> relu. */
  private Path gemmModel() {
    return new OnnxModelBuilder()
        .opset(13)
        .input("x", "N", 1, 16, 16)
        .initializer("w", new long[] {256, 256}, TinyModels.uniform(5, 256 * 256))
        .initializer("b", new long[] {256}, TinyModels.uniform(6, 256))
        .node("Flatten", "flat", List.of("x"), List.of("flat"), Attr.i("axis", 1))
        .node("Gemm", "fc", List.of("flat", "w", "b"), List.of("fc"), Attr.i("transB", 1))
        .node("Relu", "relu", List.of("fc"), List.of("relu"))
        .output("relu", "N", 256)
        .write(tmp.resolve("gemm.onnx"));
  }

  private static void assertSameBytes(Path a, Path b, List<UnitResult> rows) throws Exception {
    for (String f : List.of(SweepJournal.FILE, SweepJournal.CSV)) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }
    for (UnitResult r : rows) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve(r.image())), Files.readAllBytes(b.resolve(r.image())));
    }
  }

  @Test
  void convolutionsGiveTheSameBitsInAnyChunk() throws Exception {
    Path model =
        TinyModels.convRelu(
            tmp.resolve("conv.onnx"), 8, TinyModels.uniform(3, 5 * 9), 0.1f, 0f, 0.2f, -0.1f, 0f);
    for (Backend b : List.of(Backend.CPU, Backend.EMULATED)) {
      List<UnitResult> one = sweep(model, b, "relu1", 1, tmp.resolve(b + "1"));
      List<UnitResult> three = sweep(model, b, "relu1", 3, tmp.resolve(b + "3"));
      assertEquals(one, three, b.label());
      assertSameBytes(tmp.resolve(b + "1"), tmp.resolve(b + "3"), one);
    }
  }

  @Test
  void matrixProductsGiveTheSameBitsOnTheReferenceKernelsAndAgreeToRoundingOnTheFastOnes()
      throws Exception {
    Path model = gemmModel();
    List<UnitResult> fast1 = sweep(model, Backend.CPU, "relu", 1, tmp.resolve("fast1"));
    List<UnitResult> fast3 = sweep(model, Backend.CPU, "relu", 3, tmp.resolve("fast3"));
    assertEquals(5, fast1.size());
    for (int i = 0; i < fast1.size(); i++) {
      UnitResult a = fast1.get(i);
      UnitResult b = fast3.get(i);
      assertEquals(a.key(), b.key());
      assertEquals(a.seed(), b.seed(), "the seed is the unit's, not its chunk's");
      assertEquals(a.status(), b.status());
      assertEquals(a.objectiveValue(), b.objectiveValue(), 1e-4 * Math.abs(a.objectiveValue()));
      assertTrue(Double.isFinite(a.objectiveValue()) && a.objectiveValue() > 0, a.toString());
      BufferedImage x = ImageIO.read(tmp.resolve("fast1").resolve(a.image()).toFile());
      BufferedImage y = ImageIO.read(tmp.resolve("fast3").resolve(b.image()).toFile());
      int worst = 0;
      for (int r = 0; r < x.getHeight(); r++) {
        for (int c = 0; c < x.getWidth(); c++)
          worst = Math.max(worst, Math.abs((x.getRGB(c, r) & 0xff) - (y.getRGB(c, r) & 0xff)));
      }
      assertTrue(worst <= 1, a.key() + ": pixels differ by up to " + worst + " of 255");
    }
    try {
      CpuKernels.useReference(true);
      List<UnitResult> ref1 = sweep(model, Backend.CPU_REF, "relu", 1, tmp.resolve("ref1"));
      List<UnitResult> ref3 = sweep(model, Backend.CPU_REF, "relu", 3, tmp.resolve("ref3"));
      assertEquals(ref1, ref3);
      assertSameBytes(tmp.resolve("ref1"), tmp.resolve("ref3"), ref1);
    } finally {
      CpuKernels.useReference(false);
    }
  }
}
