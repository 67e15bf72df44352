package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.DENSE;
import static org.featviz.objective.ObjectiveTesting.checkGradient;
import static org.featviz.objective.ObjectiveTesting.gaussian;
import static org.featviz.objective.ObjectiveTesting.randomView;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.featviz.objective.ObjectiveTesting.ArrayView;
import org.junit.jupiter.api.Test;

/**
 * Objectives in whitened space: values against z = W (a - mu) computed here, gradients by finite
 * differences.
 */
class WhitenedObjectivesTest {
  /** A whitening of correlated random data with `units` units. */
  static Whitening whitening(int units, long seed) {
    Random rng = new Random(seed);
    float[][] samples = new float[200][units];
    for (float[] s : samples) {
      double shared = rng.nextGaussian();
      for (int u = 0; u < units; u++)
        s[u] = (float) (0.5 * u + shared + (0.3 + 0.2 * u) * rng.nextGaussian());
    }
    return Whitening.estimate(samples);
  }

  @Test
  void valuesMatchWhiteningByHand() {
    Whitening w = whitening(4, 61);
    double[][] m = w.matrix();
    double[] mu = w.mean();
    ArrayView view = randomView("conv", CONV, new Random(62), -1, 1);
    float[] a = view.activations.get("conv");
    float[] v = {1, -2, 0.5f, 0};
    double dot = 0;
    double channel2 = 0;
    for (int p = 0; p < 9; p++) {
      for (int i = 0; i < 4; i++) {
        double z = 0;
        for (int j = 0; j < 4; j++) z += m[i][j] * (a[ObjectiveTesting.PAD + j * 9 + p] - mu[j]);
        dot += v[i] * z;
        if (i == 2) channel2 += z;
      }
    }
    assertEquals(dot / 9, Objectives.whitenedDirection("conv", w, v).evaluate(view), 1e-9);
    assertEquals(channel2 / 9, Objectives.whitenedChannel("conv", w, 2).evaluate(view), 1e-9);
  }

  @Test
  void gradients() {
    Whitening w4 = whitening(4, 63);
    Whitening w6 = whitening(6, 64);
    Random rng = new Random(65);
    float[] v4 = gaussian(4, rng);
    float[] v6 = gaussian(6, rng);
    Objective[] conv = {
      Objectives.whitenedDirection("conv", w4, v4),
      Objectives.whitenedCosine("conv", w4, v4),
      Objectives.whitenedDotCossim("conv", w4, v4),
      Objectives.whitenedDotCossim("conv", w4, v4, 2, 0.2),
      Objectives.whitenedChannel("conv", w4, 1)
    };
    Objective[] dense = {
      Objectives.whitenedDirection("fc", w6, v6),
      Objectives.whitenedCosine("fc", w6, v6),
      Objectives.whitenedDotCossim("fc", w6, v6),
      Objectives.whitenedChannel("fc", w6, 5)
    };
    long seed = 66;
    for (Objective o : conv) checkGradient(o, randomView("conv", CONV, rng, -1, 3), seed++);
    for (Objective o : dense) checkGradient(o, randomView("fc", DENSE, rng, -1, 3), seed++);
  }
}
