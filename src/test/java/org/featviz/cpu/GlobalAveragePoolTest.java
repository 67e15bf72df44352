package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class GlobalAveragePoolTest {
  private final Node pool = node("GlobalAveragePool", Map.of(), 1, 1);

  @Test
  void averagesEverySpatialAxisForRanksThreeToFive() {
    Random rng = new Random(41);
    int[][] shapes = {{2, 3, 7}, {2, 3, 4, 5}, {1, 2, 3, 4, 2}};
    for (int[] dims : shapes) {
      Tensor x = random(Shape.of(dims), rng, -1, 1);
      Tensor y = forward(pool, x)[0];
      int[] expectedDims = dims.clone();
      for (int i = 2; i < dims.length; i++) expectedDims[i] = 1;
      assertEquals(Shape.of(expectedDims), y.shape());
      int planes = dims[0] * dims[1];
      int plane = x.size() / planes;
      float[] expected = new float[planes];
      for (int p = 0; p < planes; p++) {
        double sum = 0;
        for (int s = 0; s < plane; s++) sum += x.data()[p * plane + s];
        expected[p] = (float) (sum / plane);
      }
      assertClose(expected, y.data(), 1e-6, 1e-6, "GlobalAveragePool " + x.shape());
      checkGradient(pool, x, 42, 1e-2, 1e-2);
    }
  }

  @Test
  void rejectsInputsWithoutSpatialAxes() {
    assertThrows(ModelException.class, () -> forward(pool, zeros(2, 3)));
  }
}
