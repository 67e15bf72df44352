package org.featviz.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** MathMode's parsing and TF32 rounding, against hand-computed values (10-bit mantissa, ties to even). */
class MathModeTest {
  private static final float ULP10 = 0x1p-10f;  // TF32's spacing at 1

  @Test
  void roundsToNearestTf32WithTiesToEven() {
    assertEquals(1f, MathMode.roundToTf32(1f));
    assertEquals(1f, MathMode.roundToTf32(1f + 0x1p-11f));                       // tie, 1.0 is even: down
    assertEquals(1f + 2 * ULP10, MathMode.roundToTf32(1f + 3 * 0x1p-11f));       // tie, 1 + 2^-10 is odd: up
    assertEquals(1f + ULP10, MathMode.roundToTf32(1f + 0x1p-11f + 0x1p-20f));    // just above the tie: up
    assertEquals(1f, MathMode.roundToTf32(1f + 0x1p-11f - 0x1p-23f));            // just below the tie: down
    assertEquals(-(1f + ULP10), MathMode.roundToTf32(-(1f + 0x1p-11f + 0x1p-20f)));
    assertEquals(2f, MathMode.roundToTf32(2f - 0x1p-22f));                       // carries into the exponent
    assertEquals(0f, MathMode.roundToTf32(0f));
    assertEquals(Float.POSITIVE_INFINITY, MathMode.roundToTf32(Float.MAX_VALUE));
    assertEquals(Float.NEGATIVE_INFINITY, MathMode.roundToTf32(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(MathMode.roundToTf32(Float.NaN)));
  }

  @Test
  void roundedValuesKeepTenMantissaBitsAndAreWithinHalfASpacing() {
    Random rng = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      float x = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(9) - 4));
      float r = MathMode.roundToTf32(x);
      assertEquals(0, Float.floatToRawIntBits(r) & 0x1fff, "low 13 mantissa bits of " + r);
      assertTrue(Math.abs(r - x) <= Math.ulp(x) * 0x1p12f, x + " -> " + r);  // half of 2^13 float ulps
      assertEquals(MathMode.roundToTf32(r), r, "idempotent at " + x);
    }
  }

  @Test
  void parsesCommandLineNamesAndRefusesHalf() {
    assertEquals(MathMode.FP32, MathMode.parse("fp32"));
    assertEquals(MathMode.TF32, MathMode.parse("TF32"));
    assertThrows(IllegalArgumentException.class, () -> MathMode.parse("fp16"));
    MathMode.TF32.requireImplemented();
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        MathMode.HALF::requireImplemented);
    assertTrue(e.getMessage().contains("HALF"), e.getMessage());
  }
}
