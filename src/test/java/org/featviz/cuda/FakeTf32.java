package org.featviz.cuda;

/**
 * What the fake GPU does to FP32 operands where a math mode allows TensorFloat-32 (cuBLAS
 * CUBLAS_TF32_TENSOR_OP_MATH; cuDNN CUDNN_DEFAULT_MATH or CUDNN_TENSOR_OP_MATH on FLOAT data):
 * nothing (a GPU before Ampere, or NVIDIA_TF32_OVERRIDE=0), or cut the 23-bit mantissa to TF32's 10
 * bits by rounding to nearest (ties to even) or by truncation toward zero, the two behaviours a
 * tensor core may have; products then accumulate in full precision. Written from the format (1
 * sign, 8 exponent, 10 fraction bits), not from featviz's MathMode.
 */
enum FakeTf32 {
  NONE,
  ROUND,
  TRUNCATE;

  float apply(float x) {
    if (this == NONE || x == 0 || Float.isNaN(x) || Float.isInfinite(x)) return x;
    int e =
        Math.max(
            Math.getExponent(x),
            Float.MIN_EXPONENT); // subnormals keep the spacing of the smallest normal
    double ulp = Math.scalb(1.0, e - 10);
    double q = (double) x / ulp;
    double kept = this == ROUND ? Math.rint(q) : (q < 0 ? Math.ceil(q) : Math.floor(q));
    return (float) (kept * ulp); // exact: at most 11 significant bits (or infinite)
  }
}
