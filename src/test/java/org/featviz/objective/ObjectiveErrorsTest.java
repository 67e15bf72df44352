package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.randomView;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments fail with a ModelException naming the layer, the argument and the shape. */
class ObjectiveErrorsTest {
  private static final Map<String, Shape> SHAPES = Map.of("conv", CONV, "fc", Shape.of(6));

  private static void assertMessage(Executable call, String... parts) {
    ModelException e = assertThrows(ModelException.class, call);
    for (String part : parts)
      assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' lacks " + part);
  }

  @Test
  void unitOutOfRangeNamesLayerUnitAndShape() {
    for (Objective o :
        new Objective[] {
          Objectives.channel("conv", 4),
          Objectives.neuron("conv", 4),
          Objectives.iam("conv", 4),
          Objectives.neuron("conv", -1, 0, 0)
        }) {
      String unit = o.describe().contains("-1") ? "unit -1" : "unit 4";
      assertMessage(() -> o.validate(SHAPES), "'conv'", unit, "[4, 3, 3]");
      assertMessage(
          () -> o.evaluate(randomView("conv", CONV, new Random(1), -1, 1)),
          "'conv'",
          unit,
          "[4, 3, 3]");
    }
    assertMessage(() -> Objectives.channel("fc", 6).validate(SHAPES), "'fc'", "unit 6", "[6]");
    assertDoesNotThrow(() -> Objectives.channel("conv", 3).validate(SHAPES));
  }

  @Test
  void neuronPositionOutOfRange() {
    assertMessage(
        () -> Objectives.neuron("conv", 0, 3, 0).validate(SHAPES), "'conv'", "x=3", "[4, 3, 3]");
    assertMessage(
        () -> Objectives.neuron("fc", 0, 0, 0).validate(SHAPES), "'fc'", "[C, H, W]", "[6]");
  }

  @Test
  void wrongDirectionLength() {
    float[] five = {1, 2, 3, 4, 5};
    for (Objective o :
        new Objective[] {
          Objectives.direction("conv", five),
          Objectives.cosine("conv", five),
          Objectives.dotCossim("conv", five),
          Objectives.orthogonalPenalty("conv", five, 1)
        }) {
      assertMessage(() -> o.validate(SHAPES), "'conv'", "5 values", "4 units", "[4, 3, 3]");
      assertMessage(
          () -> o.evaluate(randomView("conv", CONV, new Random(2), -1, 1)),
          "5 values",
          "[4, 3, 3]");
    }
    assertMessage(
        () -> Objectives.l2Inversion("fc", five).validate(SHAPES), "'fc'", "5 values", "[6]");
  }

  @Test
  void missingLayerAndBadArguments() {
    assertMessage(() -> Objectives.channel("conv9", 0).validate(SHAPES), "'conv9'");
    assertMessage(() -> Objectives.diversity("conv9", 1).validate(SHAPES), "'conv9'");
    assertMessage(() -> Objectives.direction("conv", new float[4]), "all zeros");
    assertMessage(() -> Objectives.cosine("conv", new float[] {1, Float.NaN, 0, 0}), "NaN");
    assertMessage(() -> Objectives.dotCossim("conv", new float[] {1, 0, 0, 0}, 1, -0.1), "floor");
    assertMessage(() -> Objectives.dotCossim("conv", new float[] {1, 0, 0, 0}, -1, 0.1), "power");
    assertMessage(() -> Objectives.iam("one", 0).validate(Map.of("one", Shape.of(1))), "two units");
    assertMessage(() -> Objectives.channel(" ", 0), "layer name");
  }

  @Test
  void whiteningMustMatchTheVectorAndTheLayer() {
    Random rng = new Random(3);
    float[][] samples = new float[20][3];
    for (float[] s : samples) for (int u = 0; u < 3; u++) s[u] = (float) rng.nextGaussian();
    Whitening w = Whitening.estimate(samples);
    assertMessage(
        () -> Objectives.whitenedDirection("conv", w, new float[] {1, 0}), "2 values", "3 units");
    assertMessage(() -> Objectives.whitenedChannel("conv", w, 3), "unit 3");
    assertMessage(
        () -> Objectives.whitenedChannel("conv", w, 0).validate(SHAPES),
        "'conv'",
        "whitening",
        "[4, 3, 3]");
  }
}
