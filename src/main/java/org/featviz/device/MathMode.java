package org.featviz.device;

/**
 * The arithmetic that library operations (convolutions and GEMMs) may use. {@link #FP32} is the default
 * everywhere: cuBLAS's default math and cuDNN convolutions restricted to FMA kernels, so GPU results match the CPU
 * reference to float rounding. {@link #TF32} lets cuBLAS and cuDNN use TensorFloat-32 tensor cores (Ampere and
 * later): inputs rounded to a 10-bit mantissa, products accumulated in FP32; the emulator rounds the inputs of
 * convolutions and GEMMs the same way, so its errors bound what a GPU shows. Half precision is later work; asking
 * for it throws UnsupportedOperationException.
 */
public enum MathMode {
  /** IEEE single precision throughout (the default). */
  FP32,
  /** TensorFloat-32 tensor-core products (10-bit mantissa inputs, FP32 accumulation) for convolutions and GEMMs. */
  TF32,
  /** Half-precision storage and tensor-core products. Not implemented yet. */
  HALF;

  /** Throws UnsupportedOperationException unless this mode is implemented. */
  public void requireImplemented() {
    if (this == HALF) {
      throw new UnsupportedOperationException("math mode " + this + " is not implemented yet: featviz's device "
          + "library operations run in FP32 or TF32 only (half precision is planned)");
    }
  }

  /** The mode a command-line value names ("fp32" or "tf32", any case); IllegalArgumentException otherwise. */
  public static MathMode parse(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "fp32" -> FP32;
      case "tf32" -> TF32;
      default -> throw new IllegalArgumentException("math mode '" + name + "': expected fp32 or tf32");
    };
  }

  /**
   * x rounded to TF32 precision, as a float: the 23-bit mantissa cut to 10 bits, rounding to nearest with ties to
   * even on the float bits (infinities and NaN pass through; a value that rounds past the largest float becomes
   * infinite, as the bit carry makes it).
   */
  public static float roundToTf32(float x) {
    int bits = Float.floatToRawIntBits(x);
    if ((bits & 0x7f800000) == 0x7f800000) return x;  // Inf or NaN
    int dropped = 13;                                    // 23 - 10 mantissa bits
    int lsb = (bits >>> dropped) & 1;                    // the last kept bit, for ties to even
    bits += (1 << (dropped - 1)) - 1 + lsb;
    bits &= ~((1 << dropped) - 1);
    return Float.intBitsToFloat(bits);
  }
}
