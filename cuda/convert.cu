// Conversions between FP32 and the 16-bit formats of the BF16 and FP16 math modes (device.MixedPrecision): the
// operands of convolutions and GEMMs are converted to 16 bits before cuDNN/cuBLAS read them, and a convolution's
// 16-bit output comes back to FP32. Plain integer arithmetic on the bits (no cuda_fp16.h intrinsics), so the
// emulator runs exactly this code and device.HalfFloats is the bit-exact Java twin.
//
// Shape legend: n elements, contiguous; x and y float, x16 and y16 the 16-bit patterns (unsigned short).
//
// bfloat16 (s, 8-bit exponent, 7-bit mantissa): the float's low 16 bits rounded into its high 16, to nearest with
//   ties to even; subnormals round like normals, a carry past the largest finite gives infinity, NaN stays a quiet
//   NaN (sign and top payload bits kept).
// binary16 (s, 5-bit exponent with bias 15, 10-bit mantissa): to nearest, ties to even; |x| >= 65520 gives
//   infinity, |x| < 2^-14 a subnormal k 2^-24 (zero at or below 2^-25), NaN a quiet NaN (sign and top payload bits).
//
// convert_float_to_bf16:  y16[i] = bf16(x[i])
// convert_float_to_fp16:  y16[i] = fp16(x[i])
// convert_bf16_to_float:  y[i] = alpha float(x16[i]) + beta y[i]   (beta == 0: y is not read)
// convert_fp16_to_float:  y[i] = alpha float(x16[i]) + beta y[i]   (beta == 0: y is not read)
// The blend rounds the products and the sum separately (no FMA contraction), as the Java twin does.
// Launch (all): any 1-D grid and block; a grid-stride loop covers the n elements (64-bit n).

__device__ __forceinline__ unsigned short bf16_bits(float x) {
  unsigned u = __float_as_uint(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x0040u);  // NaN stays NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return (unsigned short)(u >> 16);
}

__device__ __forceinline__ float bf16_value(unsigned short h) {
  return __uint_as_float((unsigned)h << 16);
}

__device__ __forceinline__ unsigned short fp16_bits(float x) {
  const unsigned u = __float_as_uint(x);
  const unsigned sign = (u >> 16) & 0x8000u;
  const unsigned a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return (unsigned short)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // NaN
  if (a >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u);  // >= 65520 or infinity: infinity
  if (a >= 0x38800000u) {                                         // >= 2^-14: normal
    unsigned r = a - 0x38000000u;                                 // exponent bias 127 -> 15
    r += 0xfffu + ((r >> 13) & 1u);
    return (unsigned short)(sign | (r >> 13));
  }
  if (a <= 0x33000000u) return (unsigned short)sign;              // <= 2^-25: zero
  const unsigned shift = 126u - (a >> 23);                        // 14..24
  const unsigned mant = (a & 0x7fffffu) | 0x800000u;
  unsigned q = mant >> shift;
  const unsigned rem = mant & ((1u << shift) - 1u);
  const unsigned half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (q & 1u) != 0u)) q += 1u;     // may carry into the smallest normal
  return (unsigned short)(sign | q);
}

__device__ __forceinline__ float fp16_value(unsigned short h) {
  const unsigned sign = ((unsigned)h & 0x8000u) << 16;
  const unsigned e = ((unsigned)h >> 10) & 0x1fu;
  const unsigned m = (unsigned)h & 0x3ffu;
  if (e == 31u) return __uint_as_float(sign | 0x7f800000u | (m << 13));
  if (e == 0u) return __uint_as_float(sign | __float_as_uint((float)m * 5.9604644775390625e-8f));  // m 2^-24
  return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
}

__device__ __forceinline__ float blend(float alpha, float v, float beta, const float* y, long long i) {
  const float scaled = __fmul_rn(alpha, v);
  return beta == 0.0f ? scaled : __fadd_rn(scaled, __fmul_rn(beta, y[i]));
}

extern "C" __global__ void convert_float_to_bf16(const float* __restrict__ x, unsigned short* __restrict__ y16,
                                                 long long n) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    y16[i] = bf16_bits(x[i]);
  }
}

extern "C" __global__ void convert_float_to_fp16(const float* __restrict__ x, unsigned short* __restrict__ y16,
                                                 long long n) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    y16[i] = fp16_bits(x[i]);
  }
}

extern "C" __global__ void convert_bf16_to_float(const unsigned short* __restrict__ x16, float* __restrict__ y,
                                                 long long n, float alpha, float beta) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    y[i] = blend(alpha, bf16_value(x16[i]), beta, y, i);
  }
}

extern "C" __global__ void convert_fp16_to_float(const unsigned short* __restrict__ x16, float* __restrict__ y,
                                                 long long n, float alpha, float beta) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    y[i] = blend(alpha, fp16_value(x16[i]), beta, y, i);
  }
}
