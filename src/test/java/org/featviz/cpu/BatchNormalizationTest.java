package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

class BatchNormalizationTest {
  @Test
  void forwardNormalizesWithTheRunningStatistics() {
    Random rng = new Random(61);
    for (Shape shape :
        new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(3, 4), Shape.of(2, 2, 3, 2, 2)}) {
      for (float eps : new float[] {1e-5f, 0.1f}) {
        Tensor[] in = inputs(shape, rng);
        Node bn = node("BatchNormalization", Map.of("epsilon", eps), 5, 1);
        assertClose(
            naive(in, eps), forward(bn, in)[0].data(), 1e-5, 1e-6, "BatchNormalization " + shape);
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesForEveryInput() {
    Random rng = new Random(62);
    for (Shape shape : new Shape[] {Shape.of(2, 3, 4, 2), Shape.of(3, 4)}) {
      Tensor[] in = inputs(shape, rng);
      Node bn = node("BatchNormalization", Map.of("epsilon", 1e-3f), 5, 1);
      checkGradient(bn, in, new boolean[] {true, true, true, true, true}, 63, 1e-3, 1e-2);
    }
  }

  @Test
  void trainingModeAndStatisticsOutputsAreUnsupported() {
    Tensor[] in = inputs(Shape.of(1, 2, 2, 2), new Random(64));
    UnsupportedOpException training =
        assertThrows(
            UnsupportedOpException.class,
            () -> forward(node("BatchNormalization", Map.of("training_mode", 1L), 5, 1), in));
    assertTrue(training.getMessage().contains("training_mode"), training.getMessage());
    assertThrows(
        UnsupportedOpException.class,
        () -> forward(node("BatchNormalization", Map.of(), 5, 3), in));
  }

  @Test
  void rejectsStatisticsOfTheWrongShape() {
    Tensor[] in = inputs(Shape.of(1, 2, 2, 2), new Random(65));
    in[3] = zeros(3);
    assertThrows(
        ModelException.class, () -> forward(node("BatchNormalization", Map.of(), 5, 1), in));
  }

  /**
   * X, scale, B, mean, var (var in [0.5, 1.5] so finite differences stay far from var + eps = 0).
   */
  private static Tensor[] inputs(Shape shape, Random rng) {
    Shape channels = Shape.of(shape.dim(1));
    return new Tensor[] {
      random(shape, rng, -2, 2),
      random(channels, rng, 0.5f, 1.5f),
      random(channels, rng, -1, 1),
      random(channels, rng, -1, 1),
      random(channels, rng, 0.5f, 1.5f)
    };
  }

  private static float[] naive(Tensor[] in, float eps) {
    float[] x = in[0].data();
    int channels = in[1].size();
    int plane = x.length / (in[0].shape().dim(0) * channels);
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = (i / plane) % channels;
      double normalized = (x[i] - in[3].data()[c]) / Math.sqrt(in[4].data()[c] + (double) eps);
      y[i] = (float) (in[1].data()[c] * normalized + in[2].data()[c]);
    }
    return y;
  }
}
