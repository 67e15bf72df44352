package org.featviz.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * HalfFloats (the Java twin of cuda/convert.cu) against an independent reference that knows nothing
 * of bit tricks: the nearest 16-bit value found by binary search over the sorted non-negative
 * patterns, their values computed from the format's definition in double, ties to the even pattern,
 * and infinity treated as the value one spacing past the largest finite (so the overflow midpoint
 * rounds as IEEE says). Every 16-bit pattern decodes as the definition says and round-trips; random
 * floats over the whole range, every float bit pattern class (subnormal, NaN, infinity) and the tie
 * points round like the reference.
 */
class HalfFloatsTest {
  /** A 16-bit format by its definition: exponent and mantissa widths. */
  private record Format(String name, int exponentBits, int mantissaBits) {
    int bias() {
      return (1 << (exponentBits - 1)) - 1;
    }

    int infinity() {
      return ((1 << exponentBits) - 1) << mantissaBits;
    }

    /**
     * The value of a non-negative pattern up to and including infinity's (taken as the next
     * binade's start).
     */
    double value(int bits) {
      int e = bits >>> mantissaBits;
      int m = bits & ((1 << mantissaBits) - 1);
      if (e == 0) return m * Math.pow(2, 1 - bias() - mantissaBits);
      return (1 + m / Math.pow(2, mantissaBits)) * Math.pow(2, e - bias());
    }

    /** The pattern nearest |x| (ties to even), with the sign of x; NaN is not asked for here. */
    int nearest(float x) {
      double a = Math.abs((double) x);
      int lo = 0;
      int hi = infinity();
      if (a >= value(hi)) return sign(x) | hi;
      while (hi - lo > 1) { // value(lo) <= a < value(hi)
        int mid = (lo + hi) >>> 1;
        if (value(mid) <= a) lo = mid;
        else hi = mid;
      }
      double below = a - value(lo);
      double above = value(hi) - a;
      int pick = below < above ? lo : above < below ? hi : (lo % 2 == 0 ? lo : hi);
      return sign(x) | pick;
    }

    private int sign(float x) {
      return (Float.floatToRawIntBits(x) >>> 31) << 15;
    }
  }

  private static final Format BF16 = new Format("bf16", 8, 7);
  private static final Format FP16 = new Format("fp16", 5, 10);

  @Test
  void everyPatternDecodesByDefinitionAndRoundTrips() {
    for (int h = 0; h < 0x10000; h++) {
      checkDecode(BF16, h, HalfFloats.bf16Value(h), HalfFloats.bf16Bits(HalfFloats.bf16Value(h)));
      checkDecode(FP16, h, HalfFloats.fp16Value(h), HalfFloats.fp16Bits(HalfFloats.fp16Value(h)));
    }
  }

  private static void checkDecode(Format f, int h, float value, int back) {
    int magnitude = h & 0x7fff;
    boolean negative = (h & 0x8000) != 0;
    if (magnitude > f.infinity()) {
      assertTrue(Float.isNaN(value), f.name() + " " + Integer.toHexString(h) + " is NaN");
      assertTrue(
          (back & 0x7fff) > f.infinity(),
          f.name()
              + " NaN "
              + Integer.toHexString(h)
              + " stays NaN, got "
              + Integer.toHexString(back));
      assertEquals(h & 0x8000, back & 0x8000, "NaN keeps its sign");
      return;
    }
    double expected = magnitude == f.infinity() ? Double.POSITIVE_INFINITY : f.value(magnitude);
    assertEquals(
        negative ? -expected : expected, (double) value, f.name() + " " + Integer.toHexString(h));
    assertEquals(
        negative,
        (Float.floatToRawIntBits(value) >>> 31) == 1,
        "sign of " + Integer.toHexString(h));
    assertEquals(h, back, f.name() + " round trip of " + Integer.toHexString(h));
  }

  @Test
  void randomFloatsOverTheWholeRangeRoundToTheNearestPattern() {
    Random rng = new Random(11);
    for (int i = 0; i < 200_000; i++) {
      float x =
          i % 2 == 0
              ? Float.intBitsToFloat(rng.nextInt()) // every bit pattern class
              : (float)
                  (rng.nextGaussian() * Math.pow(2, rng.nextInt(80) - 40)); // the 16-bit ranges
      checkRounding(x);
    }
  }

  @Test
  void tiesOverflowAndSubnormalEdgesRoundAsIeeeSays() {
    float[] edges =
        FloatEdges.and(
            1f + 0x1p-8f,
            1f + 3 * 0x1p-8f,
            1f + 0x1p-8f + 0x1p-20f, // bf16 ties at 1, both ways
            1f + 0x1p-11f,
            1f + 3 * 0x1p-11f,
            1f + 0x1p-11f - 0x1p-23f, // fp16 ties at 1, both ways
            65504f,
            65519.996f,
            65520f,
            -65520f,
            65536f, // fp16's largest, its overflow tie
            0x1p-14f,
            0x1p-14f - 0x1p-24f,
            0x1p-24f,
            0x1p-25f,
            0x1p-25f + 0x1p-40f, // fp16 subnormal edges
            1.5f * 0x1p-24f,
            2.5f * 0x1p-24f,
            0x1.ffcp-15f,
            Float.intBitsToFloat(0x7f7f8000),
            Float.intBitsToFloat(0x7f7f7fff), // bf16 overflow tie and below
            Float.intBitsToFloat(0x00018000),
            Float.intBitsToFloat(0x00008000)); // bf16 subnormal ties
    for (float x : edges) checkRounding(x);
    assertEquals(
        0x7c00, HalfFloats.fp16Bits(65520f), "65520 is the tie past 65504: to even, infinity");
    assertEquals(0x7bff, HalfFloats.fp16Bits(65519.996f));
    assertEquals(
        0x0000, HalfFloats.fp16Bits(0x1p-25f), "2^-25 ties between 0 and 2^-24: to even, zero");
    assertEquals(0x0001, HalfFloats.fp16Bits(0x1p-25f + 0x1p-40f));
    assertEquals(0x0002, HalfFloats.fp16Bits(1.5f * 0x1p-24f), "1.5 units ties to 2");
    assertEquals(
        0x0400,
        HalfFloats.fp16Bits(0x1.ffcp-15f),
        "the largest subnormal's tie carries into a normal");
    assertEquals(0x8000, HalfFloats.fp16Bits(-0f));
    assertEquals(0x7f80, HalfFloats.bf16Bits(Float.MAX_VALUE), "past bfloat16's largest: infinity");
  }

  @Test
  void nanStaysNanWithItsSign() {
    int[] nans = {
      0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fbfffff, 0x7fffffff, 0x7f802000
    };
    for (int bits : nans) {
      float x = Float.intBitsToFloat(bits);
      int b = HalfFloats.bf16Bits(x);
      int h = HalfFloats.fp16Bits(x);
      assertTrue(Float.isNaN(HalfFloats.bf16Value(b)), "bf16 of NaN " + Integer.toHexString(bits));
      assertTrue(Float.isNaN(HalfFloats.fp16Value(h)), "fp16 of NaN " + Integer.toHexString(bits));
      assertEquals(bits >>> 31, b >>> 15, "bf16 NaN sign");
      assertEquals(bits >>> 31, h >>> 15, "fp16 NaN sign");
    }
  }

  private static void checkRounding(float x) {
    if (Float.isNaN(x)) {
      assertTrue(
          Float.isNaN(MathMode.roundToBf16(x)) && Float.isNaN(MathMode.roundToFp16(x)),
          "NaN stays NaN");
      return;
    }
    assertEquals(
        hex(BF16.nearest(x)),
        hex(HalfFloats.bf16Bits(x)),
        "bf16 of " + x + " (" + hexFloat(x) + ")");
    assertEquals(
        hex(FP16.nearest(x)),
        hex(HalfFloats.fp16Bits(x)),
        "fp16 of " + x + " (" + hexFloat(x) + ")");
  }

  private static String hex(int bits) {
    return Integer.toHexString(bits);
  }

  private static String hexFloat(float x) {
    return Integer.toHexString(Float.floatToRawIntBits(x));
  }
}
