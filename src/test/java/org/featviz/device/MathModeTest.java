package org.featviz.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MathMode's parsing and its TF32, BF16 and FP16 rounding, against hand-computed values (ties to
 * even); HalfFloatsTest checks the 16-bit conversions against an independent reference over all
 * patterns and random floats.
 */
class MathModeTest {
  private static final float ULP10 = 0x1p-10f; // TF32's spacing at 1

  @Test
  void roundsToNearestTf32WithTiesToEven() {
    assertEquals(1f, MathMode.roundToTf32(1f));
    assertEquals(1f, MathMode.roundToTf32(1f + 0x1p-11f)); // tie, 1.0 is even: down
    assertEquals(
        1f + 2 * ULP10, MathMode.roundToTf32(1f + 3 * 0x1p-11f)); // tie, 1 + 2^-10 is odd: up
    assertEquals(
        1f + ULP10, MathMode.roundToTf32(1f + 0x1p-11f + 0x1p-20f)); // just above the tie: up
    assertEquals(1f, MathMode.roundToTf32(1f + 0x1p-11f - 0x1p-23f)); // just below the tie: down
    assertEquals(-(1f + ULP10), MathMode.roundToTf32(-(1f + 0x1p-11f + 0x1p-20f)));
    assertEquals(2f, MathMode.roundToTf32(2f - 0x1p-22f)); // carries into the exponent
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
      assertTrue(
          Math.abs(r - x) <= Math.ulp(x) * 0x1p12f, x + " -> " + r); // half of 2^13 float ulps
      assertEquals(MathMode.roundToTf32(r), r, "idempotent at " + x);
    }
  }

  @Test
  void parsesCommandLineNamesOfAllFourModes() {
    assertEquals(MathMode.FP32, MathMode.parse("fp32"));
    assertEquals(MathMode.TF32, MathMode.parse("TF32"));
    assertEquals(MathMode.BF16, MathMode.parse("bf16"));
    assertEquals(MathMode.FP16, MathMode.parse("Fp16"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MathMode.parse("half"));
    assertTrue(e.getMessage().contains("expected fp32, tf32, bf16 or fp16"), e.getMessage());
    assertTrue(MathMode.BF16.isSixteenBit() && MathMode.FP16.isSixteenBit());
    assertTrue(!MathMode.FP32.isSixteenBit() && !MathMode.TF32.isSixteenBit());
    assertThrows(IllegalStateException.class, () -> MathMode.TF32.toSixteenBits(1f));
  }

  @Test
  void roundsToNearestBf16AndFp16WithTiesToEven() {
    float bf16Ulp = 0x1p-7f; // bfloat16's spacing at 1
    assertEquals(1f, MathMode.roundToBf16(1f + 0x1p-8f)); // tie, 1.0 is even: down
    assertEquals(1f + 2 * bf16Ulp, MathMode.roundToBf16(1f + 3 * 0x1p-8f)); // tie, odd below: up
    assertEquals(1f + bf16Ulp, MathMode.roundToBf16(1f + 0x1p-8f + 0x1p-23f)); // just above the tie
    assertEquals(Float.POSITIVE_INFINITY, MathMode.roundToBf16(Float.MAX_VALUE));
    assertEquals(0x1p-133f, MathMode.roundToBf16(0x1p-133f)); // bfloat16's smallest subnormal
    assertEquals(1f, MathMode.roundToFp16(1f + 0x1p-11f)); // tie to even: down
    assertEquals(1f + 2 * ULP10, MathMode.roundToFp16(1f + 3 * 0x1p-11f)); // tie, odd below: up
    assertEquals(65504f, MathMode.roundToFp16(65519f));
    assertEquals(Float.POSITIVE_INFINITY, MathMode.roundToFp16(65520f)); // overflow at the midpoint
    assertEquals(Float.NEGATIVE_INFINITY, MathMode.roundToFp16(-1e6f));
    assertEquals(0x1p-24f, MathMode.roundToFp16(0x1.8p-25f)); // subnormal: a multiple of 2^-24
    assertEquals(0f, MathMode.roundToFp16(0x1p-25f)); // tie between 0 and 2^-24
    assertEquals(0x3p-24f, MathMode.roundToFp16(0x3p-24f + 0x1p-30f));
    assertTrue(
        Float.isNaN(MathMode.roundToBf16(Float.NaN))
            && Float.isNaN(MathMode.roundToFp16(Float.NaN)));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(MathMode.roundToFp16(-0f)));
    assertEquals(
        MathMode.FP16.fromSixteenBits(MathMode.FP16.toSixteenBits(0.1f)),
        MathMode.roundToFp16(0.1f));
    assertEquals(
        MathMode.BF16.fromSixteenBits(MathMode.BF16.toSixteenBits(0.1f)),
        MathMode.roundToBf16(0.1f));
  }
}
