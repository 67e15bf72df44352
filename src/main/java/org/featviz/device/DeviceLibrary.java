package org.featviz.device;

/**
 * A device's cuDNN/cuBLAS-semantics operations, {@link Device#library()}: {@link
 * org.featviz.cuda.CudaDevice} implements them over JCublas2/JCudnn and {@link
 * org.featviz.device.emu.EmulatedDevice} over the CPU reference kernels of org.featviz.cpu. Each
 * computes {@code out = alpha op(...) + beta out}, as cuDNN does: beta = 0 overwrites out without
 * reading it, beta = 1 accumulates (gradient sums). Buffers are dense float tensors in the
 * descriptor's layout (row-major, NCHW) unless an operation says otherwise; the device checks them
 * like launch arguments (open, owned, large enough) before its backend sees them ({@link
 * AbstractDevice}). Order with kernels and copies is the stream order. The device owns its library:
 * closing the device releases the library's handles.
 *
 * <p>Math modes ({@link Device#mathMode()}): convolutions and GEMMs compute in FP32, or in TF32 on
 * tensor cores (10-bit mantissa inputs); every other operation always in FP32. In BF16 and FP16 the
 * FP32 convolutions and GEMMs refuse to run: mixed precision stages 16-bit copies of their operands
 * and calls the {@code ...16} operations below, and that is the plan's decision ({@code
 * org.featviz.plan.MixedPrecision}), not the device's.
 *
 * <pre>
 * device.library().gemm(new GemmDescriptor(false, true, m, n, k), a, b, c, 1f, 0f);   // C = A B^T
 * </pre>
 */
public interface DeviceLibrary {
  /**
   * Does now what the first convolution of this geometry would otherwise do in the current math
   * mode: find and cache cuDNN's algorithms and grow the shared workspace (in BF16 and FP16: for
   * the 16-bit operations), so that later calls allocate nothing. Optional; idempotent.
   */
  void convolutionPrepare(ConvDescriptor d);

  /** y = alpha conv(x, w) + beta y; x, w, y in the descriptor's input, weight and output dims. */
  void convolutionForward(
      ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta);

  /**
   * dx = alpha conv_backward_data(w, dy) + beta dx: the gradient with respect to x only (weights
   * are frozen).
   */
  void convolutionBackwardData(
      ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha, float beta);

  /**
   * y = act(alpha conv(x, w) + beta y + bias[k]): convolution, per-output-channel bias and
   * activation in one call, cuDNN's cudnnConvolutionBiasActivationForward with z = y. Only {@link
   * ActivationMode#RELU} (cuDNN fuses ReLU and identity only); bias holds K floats. The backward is
   * the activation's backward from y, then {@link #convolutionBackwardData}.
   */
  void convolutionBiasActivationForward(
      ConvDescriptor d,
      ActivationMode mode,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      DeviceBuffer y,
      float alpha,
      float beta);

  /**
   * C = alpha op(A) op(B) + beta C, row-major (see {@link GemmDescriptor}); each matrix starts
   * {@code pos} floats into its buffer, so batched products can address slices of one buffer.
   */
  void gemm(
      GemmDescriptor d,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta);

  /**
   * {@link #gemm(GemmDescriptor, DeviceBuffer, long, DeviceBuffer, long, DeviceBuffer, long, float,
   * float)} at 0.
   */
  default void gemm(
      GemmDescriptor d, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c, float alpha, float beta) {
    gemm(d, a, 0, b, 0, c, 0, alpha, beta);
  }

  /**
   * {@code batch.count()} GEMMs as {@link #gemm} computes them, the i-th on the matrices at {@code
   * pos + i stride} (cublasSgemmStridedBatched semantics, see {@link GemmBatch}): a stride of 0
   * broadcasts one matrix to every product; C's matrices must not overlap.
   */
  void gemmStridedBatched(
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta);

  // ---- 16-bit operands (mixed precision)
  // -------------------------------------------------------------------------
  // Operands are 16-bit patterns in {@code format} (MathMode.BF16 or FP16) at even byte offsets of
  // device buffers (a
  // staging arena); products accumulate in FP32. Any math mode may call them: the format is the
  // call's.

  /**
   * y16 = conv(x16, w16): x, w and y all 16-bit (cuDNN's pseudo-half configurations), FP32 compute.
   */
  void convolutionForward16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer x,
      long xByte,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer y,
      long yByte);

  /** dx16 = conv_backward_data(w16, dy16): all 16-bit, FP32 compute. */
  void convolutionBackwardData16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer dy,
      long dyByte,
      DeviceBuffer dx,
      long dxByte);

  /**
   * C = alpha op(A16) op(B16) + beta C: A and B 16-bit, C FP32 ({@code cPos} in floats), FP32
   * compute.
   */
  void gemm16(
      MathMode format,
      GemmDescriptor d,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta);

  /**
   * {@link #gemm16} for each product of the batch; A and B strides count 16-bit values, C's floats.
   */
  void gemmStridedBatched16(
      MathMode format,
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta);

  // ---- Operations without products (FP32 in every math mode)
  // -----------------------------------------------------

  /** y = alpha pool(x) + beta y. */
  void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha pool_backward(x, y, dy) + beta dx; y is the forward's output for x. */
  void poolingBackward(
      PoolDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta);

  /** y = alpha act(x) + beta y over {@code count} elements (x and y may be the same buffer). */
  void activationForward(
      ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha act'(x, y) dy + beta dx; y is the forward's output for x. */
  void activationBackward(
      ActivationMode mode,
      int count,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta);

  /** y = alpha lrn(x) + beta y. */
  void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha lrn_backward(x, y, dy) + beta dx; y is the forward's output for x. */
  void lrnBackward(
      LrnDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta);

  /** y = alpha softmax(x) + beta y. */
  void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha softmax_backward(y, dy) + beta dx; y is the forward's output. */
  void softmaxBackward(
      SoftmaxDescriptor d,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta);
}
