package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class ReluTest {
  private final Node relu = node("Relu", Map.of(), 1, 1);

  @Test
  void forwardClampsNegativesToZero() {
    Tensor x = random(Shape.of(2, 3, 4, 5), new Random(1), -1f, 1f);
    float[] expected = x.data().clone();
    for (int i = 0; i < expected.length; i++) expected[i] = Math.max(0f, expected[i]);
    assertExact(expected, forward(relu, x)[0].data(), "Relu forward");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = distinct(Shape.of(2, 3, 4, 5), new Random(2), 0.05f);
    checkGradient(relu, x, 3, 1e-2, 1e-2);
  }

  @Test
  void theBranchFreeMaskIsExactlyXGreaterThanZero() {
    float[] special = {
      0f,
      -0f,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      Float.MIN_NORMAL,
      1f,
      -1f,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NaN,
      Float.intBitsToFloat(0x7f800001),
      Float.intBitsToFloat(0xffc00000),
      Float.intBitsToFloat(-1)
    };
    java.util.Random rng = new java.util.Random();
    for (int i = 0; i < 200_000 + special.length; i++) {
      float x = i < special.length ? special[i] : Float.intBitsToFloat(rng.nextInt());
      assertEquals(
          x > 0 ? -1 : 0,
          ReluRef.passMask(x),
          "bits " + Integer.toHexString(Float.floatToRawIntBits(x)));
    }
  }
}
