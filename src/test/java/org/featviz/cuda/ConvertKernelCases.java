package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.FloatEdges;
import org.featviz.device.MathMode;
import org.featviz.plan.MixedPrecision;
import org.junit.jupiter.api.Test;

/**
 * The conversion kernels of cuda/convert.cu (launched through MixedPrecision's launchers) against
 * their Java twins in HalfFloats (through MathMode.toSixteenBits / fromSixteenBits), bit for bit:
 * float to bfloat16 and to binary16 on fresh random floats of every bit-pattern class (normal,
 * subnormal, infinity, NaN) and of the 16-bit ranges, plus the tie, overflow and underflow points;
 * every 16-bit pattern back to float; the FP32 blend alpha v + beta y (beta 0 never reads y);
 * offsets into both operands, including a start in the high half of a 32-bit word; counts of 1, odd
 * and past a block; argument checks. Shape legend: n elements; x, y float [n]; x16, y16 16-bit
 * patterns [n], two per int as the device stores them (little-endian: the first in the low half).
 */
public abstract class ConvertKernelCases extends DeviceCases {
  private static final MathMode[] FORMATS = {MathMode.BF16, MathMode.FP16};
  private final Random rng = new Random(2024);

  @Test
  void floatsConvertToBothFormatsBitForBit() {
    for (int n : new int[] {1, 7, 256, 1000, 4099}) {
      float[] x = randomFloats(n);
      for (MathMode format : FORMATS) assertToSixteen(format, x, 0, 0, "n " + n);
    }
  }

  @Test
  void edgeValuesConvertBitForBit() {
    float[] x =
        FloatEdges.and(
            Float.NaN,
            Float.intBitsToFloat(0xffc00001),
            Float.intBitsToFloat(0x7f800001),
            Float.intBitsToFloat(0x7fbfffff),
            1f + 0x1p-8f,
            1f + 3 * 0x1p-8f,
            1f + 0x1p-11f,
            1f + 3 * 0x1p-11f,
            65504f,
            65519.996f,
            65520f,
            -65520f,
            0x1p-14f,
            0x1p-24f,
            0x1p-25f,
            0x1p-25f + 0x1p-40f,
            1.5f * 0x1p-24f,
            0x1.ffcp-15f,
            Float.intBitsToFloat(0x7f7f8000),
            Float.intBitsToFloat(0x7f7f7fff),
            Float.intBitsToFloat(0x00018000));
    for (MathMode format : FORMATS) assertToSixteen(format, x, 0, 0, "edge values");
  }

  @Test
  void offsetsIntoBothOperandsAreHonoured() {
    float[] x = randomFloats(300);
    for (MathMode format : FORMATS) {
      assertToSixteen(format, x, 5, 256, "x from 5, y16 from byte 256");
      assertToSixteen(format, x, 3, 258, "y16 from the high half of a word");
    }
  }

  @Test
  void everySixteenBitPatternConvertsBackBitForBit() {
    int[] patterns = new int[0x10000];
    for (int h = 0; h < patterns.length; h++) patterns[h] = h;
    for (MathMode format : FORMATS) {
      float[] y = fromSixteen(format, patterns, 0, null, 1f, 0f);
      for (int h = 0; h < patterns.length; h++) {
        assertBits(format.fromSixteenBits(h), y[h], format + " pattern " + Integer.toHexString(h));
      }
    }
  }

  @Test
  void theBackConversionBlendsInFp32AndBetaZeroNeverReadsTheOutput() {
    int n = 513;
    int[] patterns = new int[n];
    float[] prior = randomFloats(n);
    float[] nanPrior = new float[n];
    java.util.Arrays.fill(nanPrior, Float.NaN);
    for (MathMode format : FORMATS) {
      for (int i = 0; i < n; i++)
        patterns[i] = format.toSixteenBits((float) (rng.nextGaussian() * 10));
      float[] blended = fromSixteen(format, patterns, 1, prior, 0.5f, 2f);
      float[] overwritten = fromSixteen(format, patterns, 1, nanPrior, -3f, 0f);
      for (int i = 0; i < n; i++) {
        float v = format.fromSixteenBits(patterns[i]);
        assertBits(0.5f * v + 2f * prior[i], blended[i], format + " blend at " + i);
        assertBits(
            -3f * v,
            overwritten[i],
            format + " beta 0 at " + i + " (the NaN prior must not be read)");
      }
    }
  }

  @Test
  void rangesAndFormatsAreChecked() {
    try (DeviceBuffer x = device.allocateFloats(10);
        DeviceBuffer y16 = device.allocate(20)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> MixedPrecision.toSixteen(device, MathMode.TF32, x, 0, 10, y16, 0));
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> MixedPrecision.toSixteen(device, MathMode.BF16, x, 1, 10, y16, 0));
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> MixedPrecision.toSixteen(device, MathMode.BF16, x, 0, 10, y16, 2));
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> MixedPrecision.fromSixteen(device, MathMode.FP16, y16, 0, 11, x, 1f, 0f));
      MixedPrecision.toSixteen(device, MathMode.FP16, x, 0, 0, y16, 0); // nothing to do: no launch
    }
  }

  // ---- Helpers
  // ---------------------------------------------------------------------------------------------------

  /**
   * Converts x[xPos..] into a buffer from byte yByte, reads the patterns back and compares with the
   * Java twin.
   */
  private void assertToSixteen(MathMode format, float[] x, int xPos, long yByte, String what) {
    int n = x.length - xPos;
    int[] words;
    try (DeviceBuffer bx = device.toDevice(x);
        DeviceBuffer y16 = device.allocate(yByte + 2L * n + 4)) {
      device.memsetZero(y16);
      MixedPrecision.toSixteen(device, format, bx, xPos, n, y16, yByte);
      words = device.copyToHostInts(y16, (int) (y16.bytes() / 4));
    }
    int skip = (int) (yByte / 2);
    for (int i = 0; i < n; i++) {
      int h = skip + i;
      int got = (words[h / 2] >>> (16 * (h % 2))) & 0xffff;
      int expected = format.toSixteenBits(x[xPos + i]);
      if (got != expected) {
        fail(
            format
                + ", "
                + what
                + ": element "
                + i
                + " = "
                + x[xPos + i]
                + " ("
                + Integer.toHexString(Float.floatToRawIntBits(x[xPos + i]))
                + ") gave "
                + Integer.toHexString(got)
                + ", Java "
                + Integer.toHexString(expected));
      }
    }
    int last = skip + n; // the 16 bits after the range stay untouched
    assertEquals(
        0, (words[last / 2] >>> (16 * (last % 2))) & 0xffff, what + ": wrote past the end");
  }

  /**
   * Packs patterns into a buffer from 16-bit element `skip` and runs the back conversion into y
   * (prior or 0).
   */
  private float[] fromSixteen(
      MathMode format, int[] patterns, int skip, float[] prior, float alpha, float beta) {
    int n = patterns.length;
    int[] words = new int[(skip + n + 1) / 2];
    for (int i = 0; i < n; i++) {
      int h = skip + i;
      words[h / 2] |= (patterns[i] & 0xffff) << (16 * (h % 2));
    }
    try (DeviceBuffer x16 = device.toDevice(words);
        DeviceBuffer y = device.allocateFloats(n)) {
      if (prior != null) device.copyToDevice(prior, y);
      else device.memsetZero(y);
      MixedPrecision.fromSixteen(device, format, x16, 2L * skip, n, y, alpha, beta);
      return device.copyToHostFloats(y, n);
    }
  }

  /**
   * Bit for bit, except that a NaN matches any NaN: the blend multiplies by alpha, and a GPU
   * returns its canonical NaN from arithmetic on a NaN where the host keeps (and quiets) the
   * payload.
   */
  private static void assertBits(float expected, float actual, String what) {
    if (Float.isNaN(expected) && Float.isNaN(actual)) return;
    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
      fail(
          what
              + ": expected "
              + expected
              + " ("
              + Integer.toHexString(Float.floatToRawIntBits(expected))
              + "), got "
              + actual
              + " ("
              + Integer.toHexString(Float.floatToRawIntBits(actual))
              + ")");
    }
  }

  /**
   * Fresh floats: half any bit pattern (all classes), half Gaussian over 2^-30 .. 2^20 (the 16-bit
   * ranges).
   */
  private float[] randomFloats(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          rng.nextBoolean()
              ? Float.intBitsToFloat(rng.nextInt())
              : (float) (rng.nextGaussian() * Math.pow(2, rng.nextInt(50) - 30));
    }
    return x;
  }
}
