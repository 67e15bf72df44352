package org.featviz.device;

/**
 * A backend's implementation of the library operations of {@link Device} (cuDNN/cuBLAS semantics), called by
 * {@link AbstractDevice} after it has checked the arguments: buffers open, owned by the device and large enough for
 * the descriptor, counts positive. Every operation computes {@code out = alpha op(...) + beta out}; with beta = 0
 * the old contents of out are never read. Closed by the device, after its buffers are freed.
 */
public interface DeviceLibrary extends AutoCloseable {
  /** Chooses and caches what later convolutions of this geometry need (cuDNN algorithms, workspace). */
  void convolutionPrepare(ConvDescriptor d);

  void convolutionForward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta);

  void convolutionBackwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /** y = act(alpha conv(x, w) + beta y + bias[k]); mode is RELU (checked by the device). */
  void convolutionBiasActivationForward(ConvDescriptor d, ActivationMode mode, DeviceBuffer x, DeviceBuffer w,
      DeviceBuffer bias, DeviceBuffer y, float alpha, float beta);

  /** Offsets are in floats from each buffer's start. */
  void gemm(GemmDescriptor d, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos, DeviceBuffer c, long cPos,
      float alpha, float beta);

  /** Strided-batched GEMM; positions and strides in floats, C's matrices not overlapping (checked by the device). */
  void gemmStridedBatched(GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos,
      DeviceBuffer c, long cPos, float alpha, float beta);

  // ---- 16-bit operands (BF16 and FP16 math modes; see MixedPrecision) -------------------------------------------
  // Operands are 16-bit patterns in {@code format} (MathMode.BF16 or FP16) at byte offsets of device buffers (the
  // device's staging arena); products accumulate in FP32.

  /** y16 = conv(x16, w16): x, w and y all 16-bit (cuDNN's pseudo-half configurations), FP32 compute. */
  void convolutionForward16(MathMode format, ConvDescriptor d, DeviceBuffer x, long xByte, DeviceBuffer w,
      long wByte, DeviceBuffer y, long yByte);

  /** dx16 = conv_backward_data(w16, dy16): all 16-bit, FP32 compute. */
  void convolutionBackwardData16(MathMode format, ConvDescriptor d, DeviceBuffer w, long wByte, DeviceBuffer dy,
      long dyByte, DeviceBuffer dx, long dxByte);

  /** C = alpha op(A16) op(B16) + beta C: A and B 16-bit, C FP32 ({@code cPos} in floats), FP32 compute. */
  void gemm16(MathMode format, GemmDescriptor d, DeviceBuffer a, long aByte, DeviceBuffer b, long bByte,
      DeviceBuffer c, long cPos, float alpha, float beta);

  /** {@link #gemm16} for each product of the batch; A and B strides count 16-bit values, C's floats. */
  void gemmStridedBatched16(MathMode format, GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aByte,
      DeviceBuffer b, long bByte, DeviceBuffer c, long cPos, float alpha, float beta);

  void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void poolingBackward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta);

  void activationForward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void activationBackward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
      DeviceBuffer dx, float alpha, float beta);

  void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void lrnBackward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void softmaxBackward(SoftmaxDescriptor d, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /** Releases handles and cached descriptors; idempotent. */
  @Override
  void close();
}
