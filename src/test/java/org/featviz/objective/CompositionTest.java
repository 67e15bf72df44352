package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.checkGradient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.objective.ObjectiveTesting.ArrayView;
import org.junit.jupiter.api.Test;

/**
 * Sums and scalings of objectives: value, gradient and validation equal those of the parts
 * combined.
 */
class CompositionTest {
  private static ArrayView twoLayers(long seed) {
    Random rng = new Random(seed);
    return new ArrayView()
        .with("conv", CONV, ObjectiveTesting.uniform(36, rng, -1, 1))
        .with("fc", Shape.of(6), ObjectiveTesting.uniform(6, rng, -1, 1));
  }

  @Test
  void plusTimesEqualsTheCombination() {
    Objective a = Objectives.channel("conv", 1);
    Objective b = Objectives.layerPenalty("fc", PenaltyNorm.L2, 1);
    Objective combined = a.plus(b.times(-0.5));

    ArrayView view = twoLayers(41);
    double va = a.evaluate(view);
    float[] ga = view.grad("conv");
    view.clearGradients();
    double vb = b.evaluate(view);
    float[] gb = view.grad("fc");
    view.clearGradients();

    assertEquals(va - 0.5 * vb, combined.evaluate(view), 1e-9);
    assertArrayEquals(ga, view.grad("conv"), 1e-7f);
    float[] expected = new float[6];
    for (int i = 0; i < 6; i++) expected[i] = -0.5f * gb[i];
    assertArrayEquals(expected, view.grad("fc"), 1e-7f);
    assertEquals(Set.of("conv", "fc"), combined.layers());
    assertEquals("channel(conv, 1) + -0.5 x layerPenalty(fc, L2, 1)", combined.describe());
    checkGradient(combined, twoLayers(42), 42);
  }

  @Test
  void minusOnTheSameLayerAddsBothGradients() {
    Objective o = Objectives.channel("conv", 0).minus(Objectives.iam("conv", 2).times(3));
    checkGradient(o, "conv", CONV, 43);
  }

  @Test
  void describeReadsLikeTheCalls() {
    Objective o =
        Objectives.channel("conv", 1)
            .minus(Objectives.iam("conv", 2).plus(Objectives.neuron("fc", 0)));
    assertEquals("channel(conv, 1) + -1 x (iam(conv, 2) + neuron(fc, 0))", o.describe());
  }

  @Test
  void validateReachesThePartsOfComposites() {
    Objective o = Objectives.channel("conv", 1).plus(Objectives.channel("fc", 9).times(2));
    ModelException e =
        assertThrows(
            ModelException.class, () -> o.validate(Map.of("conv", CONV, "fc", Shape.of(6))));
    assertTrue(e.getMessage().contains("unit 9"), e.getMessage());
  }
}
