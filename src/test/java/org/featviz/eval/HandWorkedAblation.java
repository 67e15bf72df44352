package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.onnx.OnnxImporter;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.featviz.passes.Prepare;

/**
 * Ablations whose scores are worked out by hand, checked on the CPU ({@link AblationTest}, {@link
 * AblationReferenceTest}) and on the device ({@link DeviceAblationHandWorkedTest}) alike: images
 * are pixel pairs (a, b), the classes a and b, the loss of scores (a, b) for label y is log(e^a +
 * e^b) - score_y.
 */
final class HandWorkedAblation {
  private HandWorkedAblation() {}

  /**
   * An ablation of the unit sets at layer "h" over the 4 images, identity normalization, in chunks
   * of {@code batch}: {@link Ablation#run} or {@link DeviceAblation#run}.
   */
  interface Scorer {
    List<Ablation.Score> run(
        Graph g,
        List<int[]> sets,
        Dataset data,
        Ablation.Replacement replacement,
        float[] means,
        int batch);
  }

  /** {@link #twoPixels}: no unit, each, both zeroed; unit 0 set to its mean 5. */
  static void assertTwoPixels(Path dir, Scorer scorer, String what) {
    Dataset data = pairs(new float[] {1, 0, 0, 1, 2, 1, 1, 3}, 0, 1, 0, 1);
    List<Ablation.Score> s =
        scorer.run(
            twoPixels(dir),
            List.of(new int[0], new int[] {0}, new int[] {1}, new int[] {0, 1}),
            data,
            Ablation.Replacement.ZERO,
            null,
            3);
    assertEquals(1.0, s.get(0).accuracy(), what);
    assertEquals(0.75, s.get(1).accuracy(), what + ": (0,0)->a, (0,1)->b, (0,1)->b, (0,3)->b");
    assertEquals(0.5, s.get(2).accuracy(), what + ": (1,0), (0,0)->a, (2,0), (1,0)->a");
    assertEquals(0.5, s.get(3).accuracy(), what + ": all (0,0): class a for every image");
    double intact = (softplus(-1) + softplus(-1) + softplus(-1) + softplus(-2)) / 4;
    assertEquals(intact, s.get(0).meanLoss(), 1e-6, what);
    assertEquals(Math.log(2), s.get(3).meanLoss(), 1e-6, what + ": log 2 for every image");
    List<Ablation.Score> byMean =
        scorer.run(
            twoPixels(dir),
            List.of(new int[] {0}),
            data,
            Ablation.Replacement.MEAN,
            new float[] {5f, 0f},
            4);
    assertEquals(0.5, byMean.get(0).accuracy(), what + ": unit 0 at 5 outscores every b");
    // scores (5, b): labels a, b, a, b with b = 0, 1, 1, 3
    double loss = (softplus(-5) + softplus(4) + softplus(-4) + softplus(2)) / 4;
    assertEquals(loss, byMean.get(0).meanLoss(), 1e-6, what);
  }

  /**
   * {@link #skip}: the skip reads flat, which the suffix recomputes from the input, so x is fed
   * beside h; with unit 0 zeroed the scores (a, 2b) are right, right, wrong (3 < 4), right.
   */
  static void assertSkip(Path dir, Scorer scorer, String what) {
    Graph g = skip(dir);
    assertEquals(List.of("h", "x"), AblationSuffix.of(g, "h", "logits").frontier(), what);
    Dataset data = pairs(new float[] {2, 1, 1, 3, 3, 2, 0, 1}, 0, 1, 0, 1);
    List<Ablation.Score> got =
        scorer.run(g, List.of(new int[0], new int[] {0}), data, Ablation.Replacement.ZERO, null, 3);
    assertEquals(1.0, got.get(0).accuracy(), what);
    assertEquals(0.75, got.get(1).accuracy(), what);
    double lossAblated =
        (softplus(2 - 2) + softplus(1 - 6) + softplus(4 - 3) + softplus(0 - 2)) / 4;
    assertEquals(lossAblated, got.get(1).meanLoss(), 1e-6, what);
  }

  /**
   * Two pixels through identity weights and a ReLU h to the class scores: with a unit of h ablated
   * the scores are (0, b) or (a, 0).
   */
  static Graph twoPixels(Path dir) {
    return pixelPairs(
        dir.resolve("m.onnx"),
        b ->
            b.node("Gemm", "fc1", List.of("flat", "eye"), List.of("fc1"))
                .node("Relu", "h", List.of("fc1"), List.of("h"))
                .node("Gemm", "fc2", List.of("h", "eye"), List.of("logits"), Attr.i("transB", 1)));
  }

  /**
   * logits = Relu(x) ablated at h, plus x itself (the skip): images (a, b) with a, b >= 0 score
   * (2a, 2b) intact and (a, 2b) with unit 0 zeroed.
   */
  static Graph skip(Path dir) {
    return pixelPairs(
        dir.resolve("skip.onnx"),
        b ->
            b.node("Relu", "h", List.of("flat"), List.of("h"))
                .node("Gemm", "fc", List.of("h", "eye"), List.of("fc"), Attr.i("transB", 1))
                .node("Add", "skip", List.of("fc", "flat"), List.of("logits")));
  }

  /**
   * A network from pixel pairs x [N, 1, 1, 2], flattened to flat, to two class scores logits, with
   * the 2x2 identity eye for its weights; {@code layers} adds the nodes in between.
   */
  private static Graph pixelPairs(Path file, UnaryOperator<OnnxModelBuilder> layers) {
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 1, 2)
            .initializer("eye", new long[] {2, 2}, 1f, 0f, 0f, 1f)
            .node("Flatten", "flat", List.of("x"), List.of("flat"));
    layers.apply(b).output("logits", "N", 2).write(file);
    return Prepare.forRun(OnnxImporter.read(file), null, List.of("logits", "h"));
  }

  /** Four images (a, b), px holding a and b of each in turn, with their labels (0: a, 1: b). */
  static Dataset pairs(float[] px, int... labels) {
    return new Dataset("pairs", Tensor.of(Shape.of(4, 1, 1, 2), px), labels, List.of("a", "b"));
  }

  /** The cross-entropy of a two-class score difference: log(1 + e^x). */
  static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }
}
