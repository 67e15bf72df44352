package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objective;
import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.Whitening;
import org.featviz.render.gpu.FusedLowering;
import org.junit.jupiter.api.Test;

/**
 * The command-line objective syntax: whitened kinds with their options and whitening, and layer
 * penalties.
 */
class ObjectiveSpecTest {
  private static Whitening whitening(int units) {
    Random rng = new Random(5);
    float[][] samples = new float[50][units];
    for (float[] s : samples) for (int u = 0; u < units; u++) s[u] = (float) rng.nextGaussian();
    return Whitening.estimate(samples);
  }

  @Test
  void whitenedKindsBuildWhitenedObjectivesFromTheWhiteningGiven() {
    Whitening w = whitening(4);
    String[] layers = new String[1];
    Objective dot =
        ObjectiveSpec.parse("whitened-dot:images=20")
            .forUnit(
                "l",
                2,
                4,
                0,
                layer -> {
                  layers[0] = layer;
                  return w;
                });
    assertEquals("l", layers[0], "the whitening is asked for the objective's layer");
    assertTrue(dot.describe().startsWith("whitenedDirection(l"), dot.describe());
    assertTrue(
        ObjectiveSpec.parse("whitened-cosine:direction=random")
            .forUnit("l", 0, 4, 3, l -> w)
            .describe()
            .startsWith("whitenedCosine(l"));
    assertTrue(
        ObjectiveSpec.parse("whitened-dot-cossim:n=2,floor=0.2")
            .forUnit("l", 1, 4, 0, l -> w)
            .describe()
            .contains("n=2, floor=0.2"));
    assertTrue(
        ObjectiveSpec.parse("whitened-channel")
            .forUnit("l", 3, 4, 0, l -> w)
            .describe()
            .startsWith("whitenedChannel(l, 3"));
    assertEquals(20, ObjectiveSpec.parse("whitened-dot:images=20").whiteningImages());
    assertEquals(
        ObjectiveSpec.DEFAULT_WHITENING_IMAGES,
        ObjectiveSpec.parse("whitened-channel").whiteningImages());
    assertTrue(
        ObjectiveSpec.parse("whitened-channel").whitened()
            && !ObjectiveSpec.parse("dot").whitened());
  }

  @Test
  void whitenedKindsRefuseBadOptionsAndAMissingWhitening() {
    ModelException images =
        assertThrows(ModelException.class, () -> ObjectiveSpec.parse("whitened-dot:images=2.5"));
    assertTrue(
        images.getMessage().contains("images=2.5 must be a positive whole number"),
        images.getMessage());
    ModelException direction =
        assertThrows(
            ModelException.class, () -> ObjectiveSpec.parse("whitened-channel:direction=random"));
    assertTrue(
        direction.getMessage().contains("whitened-channel takes direction=basis only"),
        direction.getMessage());
    assertTrue(
        ObjectiveSpec.parse("whitened-channel:direction=basis").whitened(),
        "basis is the one direction");
    ModelException none =
        assertThrows(
            ModelException.class, () -> ObjectiveSpec.parse("whitened-dot").forUnit("l", 0, 4, 0));
    assertTrue(none.getMessage().contains("needs the layer's whitening"), none.getMessage());
  }

  @Test
  void penaltiesParseAndAddToAnObjective() {
    LayerPenaltySpec p = LayerPenaltySpec.parse(" relu1 : L2 : 0.5 ");
    assertEquals(new LayerPenaltySpec("relu1", PenaltyNorm.L2, 0.5), p);
    assertEquals("relu1:l2:0.5", p.describe());
    Objective o = p.addTo(ObjectiveSpec.parse("channel").forUnit("relu2", 1, 8, 0));
    assertEquals("channel(relu2, 1) + layerPenalty(relu1, L2, 0.5)", o.describe());
    assertEquals(java.util.Set.of("relu2", "relu1"), o.layers());
    assertTrue(FusedLowering.onDevice(o), "runs as fused device kernels");
    for (String bad :
        new String[] {"relu1", "relu1:l2", ":l2:1", "relu1:l2:nan", "relu1:l2:inf", "a:l1:1:2"}) {
      assertThrows(ModelException.class, () -> LayerPenaltySpec.parse(bad), bad);
    }
  }
}
