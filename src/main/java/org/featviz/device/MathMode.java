package org.featviz.device;

/**
 * The arithmetic that library operations (convolutions and GEMMs) may use. {@link #FP32} is the
 * default everywhere: cuBLAS's default math and cuDNN convolutions restricted to FMA kernels, so
 * GPU results match the CPU reference to float rounding. {@link #TF32} lets cuBLAS and cuDNN use
 * TensorFloat-32 tensor cores (Ampere and later): inputs rounded to a 10-bit mantissa, products
 * accumulated in FP32. {@link #BF16} and {@link #FP16} are mixed precision in the autocast style
 * ({@link org.featviz.plan.MixedPrecision}): convolutions and GEMMs read 16-bit copies of their
 * FP32 operands (bfloat16 or IEEE binary16, rounded to nearest even), accumulate in FP32, and a
 * convolution's 16-bit output comes back as FP32; every other operation, and all storage between
 * operations, stays FP32. The emulator rounds the same operands the same way, so its errors bound
 * what a GPU shows.
 */
public enum MathMode {
  /** IEEE single precision throughout (the default). */
  FP32,
  /**
   * TensorFloat-32 tensor-core products (10-bit mantissa inputs, FP32 accumulation) for
   * convolutions and GEMMs.
   */
  TF32,
  /**
   * bfloat16 operands (8-bit mantissa, float's exponent range) for convolutions and GEMMs, FP32
   * accumulation; convolution outputs pass through bfloat16. Tensor cores on Ampere and later.
   */
  BF16,
  /**
   * IEEE half-precision operands (10-bit mantissa, 5-bit exponent: magnitudes from 2^-24 to 65504)
   * for convolutions and GEMMs, FP32 accumulation; convolution outputs pass through half precision
   * (so they overflow to infinity beyond 65504). Tensor cores on Volta and later.
   */
  FP16;

  /**
   * The mode renders, sweeps and evaluations use on a device unless one is chosen: TF32 (errors
   * about 2e-4 of a layer's scale on the emulator, far below what changes an image or a
   * prediction). Library-level devices start in FP32; conformance stays FP32.
   */
  public static final MathMode DEVICE_DEFAULT = TF32;

  /** The names {@link #parse} accepts, for messages and help texts. */
  public static final String NAMES = "fp32, tf32, bf16 or fp16";

  /** Whether convolutions and GEMMs read 16-bit operands in this mode (BF16, FP16). */
  public boolean isSixteenBit() {
    return this == BF16 || this == FP16;
  }

  /** The 16-bit pattern of x in this mode's format (BF16 or FP16), rounded to nearest even. */
  public int toSixteenBits(float x) {
    return switch (this) {
      case BF16 -> HalfFloats.bf16Bits(x);
      case FP16 -> HalfFloats.fp16Bits(x);
      default -> throw new IllegalStateException(this + " has no 16-bit format");
    };
  }

  /**
   * The value of a 16-bit pattern (the low 16 bits of {@code bits}) of this mode's format (BF16 or
   * FP16).
   */
  public float fromSixteenBits(int bits) {
    return switch (this) {
      case BF16 -> HalfFloats.bf16Value(bits);
      case FP16 -> HalfFloats.fp16Value(bits);
      default -> throw new IllegalStateException(this + " has no 16-bit format");
    };
  }

  /**
   * The mode a command-line value names (fp32, tf32, bf16 or fp16, any case);
   * IllegalArgumentException otherwise.
   */
  public static MathMode parse(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "fp32" -> FP32;
      case "tf32" -> TF32;
      case "bf16" -> BF16;
      case "fp16" -> FP16;
      default -> throw new IllegalArgumentException("math mode '" + name + "': expected " + NAMES);
    };
  }

  /**
   * x rounded to TF32 precision, as a float: the 23-bit mantissa cut to 10 bits, rounding to
   * nearest with ties to even on the float bits (infinities and NaN pass through; a value that
   * rounds past the largest float becomes infinite, as the bit carry makes it).
   */
  public static float roundToTf32(float x) {
    int bits = Float.floatToRawIntBits(x);
    if ((bits & 0x7f800000) == 0x7f800000) return x; // Inf or NaN
    int dropped = 13; // 23 - 10 mantissa bits
    int lsb = (bits >>> dropped) & 1; // the last kept bit, for ties to even
    bits += (1 << (dropped - 1)) - 1 + lsb;
    bits &= ~((1 << dropped) - 1);
    return Float.intBitsToFloat(bits);
  }

  /**
   * x rounded to bfloat16, as a float: the mantissa cut to 7 bits, ties to even (subnormals round
   * the same way, a value past bfloat16's largest finite becomes infinite, NaN stays NaN). What
   * {@code convert_float_to_bf16} computes, bit for bit.
   */
  public static float roundToBf16(float x) {
    return HalfFloats.bf16Value(HalfFloats.bf16Bits(x));
  }

  /**
   * x rounded to IEEE half precision, as a float: ties to even; |x| >= 65520 becomes infinite, |x|
   * below 2^-14 a multiple of 2^-24 (zero at or below 2^-25), NaN stays NaN. What {@code
   * convert_float_to_fp16} computes, bit for bit.
   */
  public static float roundToFp16(float x) {
    return HalfFloats.fp16Value(HalfFloats.fp16Bits(x));
  }
}
