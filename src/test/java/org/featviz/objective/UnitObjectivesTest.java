package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.DENSE;
import static org.featviz.objective.ObjectiveTesting.checkGradient;
import static org.featviz.objective.ObjectiveTesting.randomView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.featviz.ir.Shape;
import org.featviz.objective.ObjectiveTesting.ArrayView;
import org.junit.jupiter.api.Test;

/**
 * neuron, channel and iam: values by hand and gradients against finite differences on conv and
 * dense layers.
 */
class UnitObjectivesTest {
  @Test
  void neuronAtPositionReadsOneActivation() {
    Random rng = new Random(1);
    ArrayView view = randomView("conv", Shape.of(3, 4, 5), rng, -1, 1);
    Objective o = Objectives.neuron("conv", 2, 3, 1); // x = column 3, y = row 1
    double value = o.evaluate(view);
    int index = (2 * 4 + 1) * 5 + 3;
    assertEquals(view.activations.get("conv")[ObjectiveTesting.PAD + index], value, 0);
    float[] expected = new float[60];
    expected[index] = 1;
    assertArrayEquals(expected, view.grad("conv"));
    assertEquals("neuron(conv, 2, x=3, y=1)", o.describe());
  }

  @Test
  void neuronWithoutPositionUsesTheCenter() {
    ArrayView view = randomView("conv", Shape.of(3, 4, 5), new Random(2), -1, 1);
    Objective o = Objectives.neuron("conv", 1);
    double value = o.evaluate(view);
    int center = (1 * 4 + 2) * 5 + 2; // row 4 / 2, column 5 / 2
    assertEquals(view.activations.get("conv")[ObjectiveTesting.PAD + center], value, 0);
    assertEquals(1f, view.grad("conv")[center]);
  }

  @Test
  void neuronGradients() {
    checkGradient(Objectives.neuron("conv", 3, 2, 0), "conv", CONV, 3);
    checkGradient(Objectives.neuron("conv", 0), "conv", CONV, 4);
    checkGradient(Objectives.neuron("fc", 5), "fc", DENSE, 5);
  }

  @Test
  void channelIsTheSpatialMean() {
    float[] a = {1, 2, 3, 4, /* unit 1 */ 10, 20, 30, 40};
    ArrayView view = new ArrayView().with("conv", Shape.of(2, 2, 2), a);
    assertEquals(25.0, Objectives.channel("conv", 1).evaluate(view), 1e-12);
    assertArrayEquals(new float[] {0, 0, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f}, view.grad("conv"));
    ArrayView dense = new ArrayView().with("fc", Shape.of(3), new float[] {5, -6, 7});
    assertEquals(-6.0, Objectives.channel("fc", 1).evaluate(dense), 0);
  }

  @Test
  void channelGradients() {
    checkGradient(Objectives.channel("conv", 2), "conv", CONV, 6);
    checkGradient(Objectives.channel("fc", 0), "fc", DENSE, 7);
  }

  @Test
  void iamOnThreeDenseUnits() {
    ArrayView view = new ArrayView().with("fc", Shape.of(3), new float[] {3, 1, 2});
    Objective o = Objectives.iam("fc", 0);
    assertEquals(3 - (1 + 2) / 2.0, o.evaluate(view), 1e-12);
    assertArrayEquals(new float[] {1, -0.5f, -0.5f}, view.grad("fc"));
    assertEquals("iam(fc, 0)", o.describe());
  }

  @Test
  void iamOnConvUsesChannelMeans() {
    float[] a = {1, 3, /* unit 1 */ 4, 8, /* unit 2 */ -2, 0};
    ArrayView view = new ArrayView().with("conv", Shape.of(3, 1, 2), a);
    // means 2, 6, -1; unit 1: 6 - (2 - 1) / 2
    assertEquals(5.5, Objectives.iam("conv", 1).evaluate(view), 1e-12);
    assertArrayEquals(new float[] {-0.25f, -0.25f, 0.5f, 0.5f, -0.25f, -0.25f}, view.grad("conv"));
  }

  @Test
  void iamGradients() {
    checkGradient(Objectives.iam("conv", 1), "conv", CONV, 8);
    checkGradient(Objectives.iam("fc", 4), "fc", DENSE, 9);
  }
}
