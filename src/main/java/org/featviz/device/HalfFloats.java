package org.featviz.device;

/**
 * Bit-level conversions between float and the two 16-bit formats of the BF16 and FP16 math modes:
 * the Java twins of the kernels in {@code cuda/convert.cu}, bit for bit (the emulator's library
 * operations use them to read and write 16-bit operands, the tests to check the kernels). Round to
 * nearest, ties to even, on the float's bits. A 16-bit pattern travels in the low 16 bits of an
 * int.
 *
 * <pre>
 * bfloat16  s eeeeeeee mmmmmmm      float's sign and exponent, the top 7 mantissa bits
 * binary16  s eeeee mmmmmmmmmm      exponent bias 15, largest finite 65504, subnormals k 2^-24
 * </pre>
 */
public final class HalfFloats {
  /** 2^-24: binary16's smallest subnormal, the unit of its subnormals. */
  private static final float FP16_SUBNORMAL_UNIT = 0x1p-24f;

  private HalfFloats() {}

  /**
   * The bfloat16 nearest x (ties to even): the low 16 bits rounded into the high 16. A carry past
   * the largest finite gives infinity; subnormals round like normals (same exponent range); NaN
   * stays NaN (quiet bit set, sign and the top payload bits kept, so it never rounds into
   * infinity).
   */
  public static int bf16Bits(float x) {
    int u = Float.floatToRawIntBits(x);
    if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x0040) & 0xffff;
    u += 0x7fff + ((u >>> 16) & 1);
    return (u >>> 16) & 0xffff;
  }

  /** The float whose top 16 bits are the bfloat16 pattern (exact). */
  public static float bf16Value(int bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /**
   * The IEEE binary16 nearest x (ties to even): |x| >= 65520 (the midpoint past 65504) gives
   * infinity; |x| below 2^-14 a subnormal k 2^-24 (zero at or below 2^-25, the midpoint rounding to
   * even zero); NaN a quiet NaN with the sign and the top payload bits. Signed zeros keep their
   * sign.
   */
  public static int fp16Bits(float x) {
    int u = Float.floatToRawIntBits(x);
    int sign = (u >>> 16) & 0x8000;
    int a = u & 0x7fffffff;
    if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff); // NaN
    if (a >= 0x477ff000) return sign | 0x7c00; // >= 65520, infinity: infinity
    if (a >= 0x38800000) { // >= 2^-14: normal
      int r = a - 0x38000000; // exponent bias 127 -> 15
      r += 0xfff + ((r >>> 13) & 1);
      return sign | (r >>> 13);
    }
    if (a <= 0x33000000) return sign; // <= 2^-25: zero
    int shift = 126 - (a >>> 23); // 14..24: value = mant 2^-shift units
    int mant = (a & 0x7fffff) | 0x800000;
    int q = mant >>> shift;
    int rem = mant & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rem > half || (rem == half && (q & 1) == 1)) q++; // may carry into the smallest normal
    return sign | q;
  }

  /** The float value of a binary16 pattern (exact: every binary16 value is a float). */
  public static float fp16Value(int bits) {
    int sign = (bits & 0x8000) << 16;
    int e = (bits >>> 10) & 0x1f;
    int m = bits & 0x3ff;
    if (e == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (m << 13));
    if (e == 0)
      return Float.intBitsToFloat(sign | Float.floatToRawIntBits(m * FP16_SUBNORMAL_UNIT));
    return Float.intBitsToFloat(sign | ((e + 112) << 23) | (m << 13));
  }
}
