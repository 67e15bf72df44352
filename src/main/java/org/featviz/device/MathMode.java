package org.featviz.device;

/**
 * The arithmetic that library operations may use. Only {@link #FP32} is implemented: cuBLAS's default math and
 * cuDNN convolutions restricted to FMA kernels, so GPU results match the CPU reference to float rounding. TF32 and
 * half precision are later work; asking for them throws UnsupportedOperationException.
 */
public enum MathMode {
  /** IEEE single precision throughout (the default). */
  FP32,
  /** TensorFloat-32 tensor-core products (10-bit mantissa inputs, FP32 accumulation). Not implemented yet. */
  TF32,
  /** Half-precision storage and tensor-core products. Not implemented yet. */
  HALF;

  /** Throws UnsupportedOperationException unless this mode is implemented. */
  public void requireImplemented() {
    if (this != FP32) {
      throw new UnsupportedOperationException("math mode " + this + " is not implemented yet: featviz's device "
          + "library operations run in FP32 only (TF32 and half precision are planned)");
    }
  }
}
