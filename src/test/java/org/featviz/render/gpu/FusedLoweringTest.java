package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.featviz.objective.ImageRegularizers;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.SampleView;
import org.featviz.objective.Whitening;
import org.junit.jupiter.api.Test;

/**
 * Objectives as sums of the fused kernels' terms ({@link FusedLowering#objective}): each kind the
 * kernels compute maps to its term with the objective's own arguments (whitened ones with their
 * whitening, a whitened channel as a basis direction, layer penalties with their norm and
 * strength), sums concatenate and scalings multiply the weights, and anything with a part the
 * kernels lack (an objective from outside org.featviz.objective) has no fused form. Image
 * regularizers and the diversity term map to theirs.
 */
class FusedLoweringTest {
  private static List<FusedTerm.Weighted> terms(Objective o) {
    return FusedLowering.objective(o)
        .orElseThrow(() -> new AssertionError(o.describe() + " should be fusable"));
  }

  /** The one term of a plain objective, which enters with weight 1. */
  private static FusedTerm term(Objective o) {
    List<FusedTerm.Weighted> terms = terms(o);
    assertEquals(1, terms.size(), o.describe());
    assertEquals(1.0, terms.get(0).weight(), o.describe());
    return terms.get(0).term();
  }

  private static FusedTerm.Weighted weighted(FusedTerm t, double weight) {
    return new FusedTerm.Weighted(t, weight);
  }

  @Test
  void eachKernelKindMapsToItsTerm() {
    float[] v = {1, -2, 0.5f};
    assertEquals(new FusedTerm.Channel("c", 2), term(Objectives.channel("c", 2)));
    assertEquals(new FusedTerm.Neuron("c", 1, null, null), term(Objectives.neuron("c", 1)));
    assertEquals(new FusedTerm.Neuron("c", 1, 3, 4), term(Objectives.neuron("c", 1, 3, 4)));
    assertEquals(new FusedTerm.Iam("c", 0), term(Objectives.iam("c", 0)));
    FusedTerm.DotCossim d = (FusedTerm.DotCossim) term(Objectives.dotCossim("c", v, 2, 0.3));
    assertArrayEquals(v, d.vector());
    assertNull(d.whitening());
    assertEquals(2, d.power());
    assertEquals(0.3, d.floor());
    assertArrayEquals(v, ((FusedTerm.Direction) term(Objectives.direction("c", v))).vector());
    assertArrayEquals(v, ((FusedTerm.Cosine) term(Objectives.cosine("c", v))).vector());
    FusedTerm.OrthogonalPenalty o =
        (FusedTerm.OrthogonalPenalty) term(Objectives.orthogonalPenalty("c", v, 0.7));
    assertEquals(0.7, o.lambda());
    float[] target = {1, 2, 3, 4};
    assertArrayEquals(
        target, ((FusedTerm.L2Inversion) term(Objectives.l2Inversion("c", target))).target());
  }

  @Test
  void sumsConcatenateAndScalingsMultiplyWeights() {
    Objective o =
        Objectives.channel("a", 1)
            .times(2)
            .plus(Objectives.iam("b", 3).minus(Objectives.channel("a", 0)))
            .times(0.5);
    assertEquals(
        List.of(
            weighted(new FusedTerm.Channel("a", 1), 1.0),
            weighted(new FusedTerm.Iam("b", 3), 0.5),
            weighted(new FusedTerm.Channel("a", 0), -0.5)),
        terms(o));
  }

  @Test
  void whitenedObjectivesAndLayerPenaltiesMapToTheirTerms() {
    Whitening w = Whitening.estimate(new float[][] {{1, 2}, {2, 1}, {0, 3}, {3, 0.5f}});
    float[] v = {1, -0.5f};
    FusedTerm.Direction d = (FusedTerm.Direction) term(Objectives.whitenedDirection("a", w, v));
    assertSame(w, d.whitening());
    assertArrayEquals(v, d.vector());
    FusedTerm.Cosine c = (FusedTerm.Cosine) term(Objectives.whitenedCosine("a", w, v));
    assertSame(w, c.whitening());
    FusedTerm.DotCossim dc =
        (FusedTerm.DotCossim) term(Objectives.whitenedDotCossim("a", w, v, 2, 0.2));
    assertSame(w, dc.whitening());
    assertEquals(2, dc.power());
    assertEquals(0.2, dc.floor());
    // A whitened channel is the whitened direction along the basis vector of its unit.
    FusedTerm.Direction channel = (FusedTerm.Direction) term(Objectives.whitenedChannel("a", w, 1));
    assertSame(w, channel.whitening());
    assertArrayEquals(new float[] {0, 1}, channel.vector());
    assertEquals(
        new FusedTerm.LayerPenalty("a", PenaltyNorm.L1, 0.1),
        term(Objectives.layerPenalty("a", PenaltyNorm.L1, 0.1)));
    assertEquals(
        List.of(
            weighted(new FusedTerm.Channel("a", 0), 1),
            weighted(new FusedTerm.LayerPenalty("b", PenaltyNorm.L2, 1), -0.5)),
        terms(
            Objectives.channel("a", 0)
                .minus(Objectives.layerPenalty("b", PenaltyNorm.L2, 1).times(0.5))));
  }

  @Test
  void termsOfOneLaunchShareTheirGroup() {
    Whitening w = Whitening.estimate(new float[][] {{1, 2}, {2, 1}, {0, 3}, {3, 0.5f}});
    Whitening other = Whitening.estimate(new float[][] {{1, 2}, {2, 1}, {0, 3}, {3, 0.5f}});
    // Units and vectors are per sample; the kind, layer, weight, parameters and whitening are the
    // launch's.
    assertEquals(new FusedTerm.Channel("a", 1).group(2), new FusedTerm.Channel("a", 5).group(2));
    assertNotEquals(new FusedTerm.Channel("a", 1).group(2), new FusedTerm.Channel("a", 1).group(1));
    assertNotEquals(new FusedTerm.Channel("a", 1).group(1), new FusedTerm.Iam("a", 1).group(1));
    assertNotEquals(
        new FusedTerm.DotCossim("a", null, new float[] {1}, 1, 0.1).group(1),
        new FusedTerm.DotCossim("a", null, new float[] {1}, 2, 0.1).group(1));
    assertEquals(
        new FusedTerm.Direction("a", w, new float[] {1, 0}).group(1),
        new FusedTerm.Direction("a", w, new float[] {0, 1}).group(1));
    assertNotEquals(
        new FusedTerm.Direction("a", w, new float[] {1, 0}).group(1),
        new FusedTerm.Direction("a", other, new float[] {1, 0}).group(1));
    assertNotEquals(
        new FusedTerm.Direction("a", null, new float[] {1, 0}).group(1),
        new FusedTerm.Direction("a", w, new float[] {1, 0}).group(1));
    // Every penalty of one layer and norm is one launch, whatever its strength and weight.
    assertEquals(
        new FusedTerm.LayerPenalty("a", PenaltyNorm.L1, 0.1).group(1),
        new FusedTerm.LayerPenalty("a", PenaltyNorm.L1, 3).group(-2));
    assertNotEquals(
        new FusedTerm.LayerPenalty("a", PenaltyNorm.L1, 0.1).group(1),
        new FusedTerm.LayerPenalty("a", PenaltyNorm.L2, 0.1).group(1));
  }

  @Test
  void anObjectiveWithoutAFusedFormMakesTheWholeSumHostOnly() {
    Objective custom =
        new Objective() {
          @Override
          public java.util.Set<String> layers() {
            return java.util.Set.of("a");
          }

          @Override
          public double evaluate(SampleView view) {
            return 0;
          }

          @Override
          public String describe() {
            return "custom";
          }
        };
    assertTrue(FusedLowering.objective(custom).isEmpty());
    assertTrue(FusedLowering.objective(Objectives.channel("a", 0).plus(custom.times(2))).isEmpty());
    assertTrue(FusedLowering.onDevice(Objectives.channel("a", 0).times(2)));
  }

  @Test
  void regularizersAndDiversityMapToTheirTerms() {
    assertEquals(
        new FusedRegularizer.TotalVariation(0.25),
        FusedLowering.regularizer(ImageRegularizers.totalVariation(0.25)).orElseThrow());
    assertEquals(
        new FusedRegularizer.L1(0.5, 0.25),
        FusedLowering.regularizer(ImageRegularizers.l1(0.5, 0.25)).orElseThrow());
    assertEquals(
        new FusedRegularizer.L1(1, ImageRegularizers.L1_CENTER),
        FusedLowering.regularizer(ImageRegularizers.l1(1)).orElseThrow());
    assertEquals(
        new FusedRegularizer.Blur(2),
        FusedLowering.regularizer(ImageRegularizers.blur(2)).orElseThrow());
    assertEquals(
        new FusedBatchTerm.Diversity("relu1", 50),
        FusedLowering.batchTerm(Objectives.diversity("relu1", 50)).orElseThrow());
  }
}
