package org.featviz.device;

import java.util.Objects;
import org.featviz.device.ConvolutionCall.Kind;

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
 * <p>An implementation (the device's checks, a backend, mixed precision) implements one method per
 * family, each taking the whole call as one record: {@link #convolutionPrepare}, {@link
 * #run(ConvolutionCall)}, {@link #run(GemmCall)} and {@link #run(UnaryCall)}; the named operations
 * below build those records.
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

  /** A convolution: forward, backward data or the fused forward, FP32 or 16-bit operands. */
  void run(ConvolutionCall call);

  /** A GEMM or strided-batched GEMM, FP32 or 16-bit operands. */
  void run(GemmCall call);

  /** A pooling, activation, LRN or softmax, forward or backward. */
  void run(UnaryCall call);

  /** y = alpha conv(x, w) + beta y; x, w, y in the descriptor's input, weight and output dims. */
  default void convolutionForward(
      ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta) {
    run(ConvolutionCall.fp32(Kind.FORWARD, d, x, w, y, null, null, alpha, beta));
  }

  /**
   * dx = alpha conv_backward_data(w, dy) + beta dx: the gradient with respect to x only (weights
   * are frozen).
   */
  default void convolutionBackwardData(
      ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha, float beta) {
    run(ConvolutionCall.fp32(Kind.BACKWARD_DATA, d, w, dy, dx, null, null, alpha, beta));
  }

  /**
   * y = act(alpha conv(x, w) + beta y + bias[k]): convolution, per-output-channel bias and
   * activation in one call, cuDNN's cudnnConvolutionBiasActivationForward with z = y. Only {@link
   * ActivationMode#RELU} (cuDNN fuses ReLU and identity only); bias holds K floats. The backward is
   * the activation's backward from y, then {@link #convolutionBackwardData}.
   */
  default void convolutionBiasActivationForward(
      ConvDescriptor d,
      ActivationMode mode,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      DeviceBuffer y,
      float alpha,
      float beta) {
    run(ConvolutionCall.fp32(Kind.BIAS_ACTIVATION_FORWARD, d, x, w, y, mode, bias, alpha, beta));
  }

  /**
   * C = alpha op(A) op(B) + beta C, row-major (see {@link GemmDescriptor}); each matrix starts
   * {@code pos} floats into its buffer, so batched products can address slices of one buffer.
   */
  default void gemm(
      GemmDescriptor d,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    run(new GemmCall(MathMode.FP32, d, null, a, aPos, b, bPos, c, cPos, alpha, beta));
  }

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
  default void gemmStridedBatched(
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    Objects.requireNonNull(batch, "strided-batched gemm: batch");
    run(new GemmCall(MathMode.FP32, d, batch, a, aPos, b, bPos, c, cPos, alpha, beta));
  }

  // ---- 16-bit operands (mixed precision)
  // -------------------------------------------------------------------------
  // Operands are 16-bit patterns in {@code format} (MathMode.BF16 or FP16) at even byte offsets of
  // device buffers (a staging arena); products accumulate in FP32. Any math mode may call them:
  // the format is the call's.

  /**
   * y16 = conv(x16, w16): x, w and y all 16-bit (cuDNN's pseudo-half configurations), FP32 compute.
   */
  default void convolutionForward16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer x,
      long xByte,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer y,
      long yByte) {
    requireSixteenBit(format + " convolution forward", format);
    run(
        new ConvolutionCall(
            Kind.FORWARD, format, d, x, xByte, w, wByte, y, yByte, null, null, 1, 0));
  }

  /** dx16 = conv_backward_data(w16, dy16): all 16-bit, FP32 compute. */
  default void convolutionBackwardData16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer dy,
      long dyByte,
      DeviceBuffer dx,
      long dxByte) {
    requireSixteenBit(format + " convolution backward data", format);
    run(
        new ConvolutionCall(
            Kind.BACKWARD_DATA, format, d, w, wByte, dy, dyByte, dx, dxByte, null, null, 1, 0));
  }

  /**
   * C = alpha op(A16) op(B16) + beta C: A and B 16-bit, C FP32 ({@code cPos} in floats), FP32
   * compute.
   */
  default void gemm16(
      MathMode format,
      GemmDescriptor d,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    requireSixteenBit(format + " gemm", format);
    run(new GemmCall(format, d, null, a, aByte, b, bByte, c, cPos, alpha, beta));
  }

  /**
   * {@link #gemm16} for each product of the batch; A and B strides count 16-bit values, C's floats.
   */
  default void gemmStridedBatched16(
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
      float beta) {
    Objects.requireNonNull(batch, "strided-batched gemm: batch");
    requireSixteenBit(format + " strided-batched gemm", format);
    run(new GemmCall(format, d, batch, a, aByte, b, bByte, c, cPos, alpha, beta));
  }

  private static void requireSixteenBit(String op, MathMode format) {
    if (!format.isSixteenBit())
      throw new IllegalArgumentException(op + ": " + format + " is no 16-bit format");
  }

  // ---- Operations without products (FP32 in every math mode)
  // -----------------------------------------------------

  /** y = alpha op(x) + beta y. */
  default void forward(
      UnaryDescriptor op, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    run(UnaryCall.forward(op, x, y, alpha, beta));
  }

  /**
   * dx = alpha op_backward(x, y, dy) + beta dx; y is the forward's output for x (x unread, and may
   * be null, where {@link UnaryDescriptor#backwardReadsX()} says so).
   */
  default void backward(
      UnaryDescriptor op,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    run(new UnaryCall(op, true, x, y, dy, dx, alpha, beta));
  }

  /** y = alpha pool(x) + beta y. */
  default void poolingForward(
      PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    forward(d, x, y, alpha, beta);
  }

  /** dx = alpha pool_backward(x, y, dy) + beta dx; y is the forward's output for x. */
  default void poolingBackward(
      PoolDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    backward(d, x, y, dy, dx, alpha, beta);
  }

  /** y = alpha act(x) + beta y over {@code count} elements (x and y may be the same buffer). */
  default void activationForward(
      ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    forward(new ActivationDescriptor(mode, count), x, y, alpha, beta);
  }

  /** dx = alpha act'(x, y) dy + beta dx; y is the forward's output for x. */
  default void activationBackward(
      ActivationMode mode,
      int count,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    backward(new ActivationDescriptor(mode, count), x, y, dy, dx, alpha, beta);
  }

  /** y = alpha lrn(x) + beta y. */
  default void lrnForward(
      LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    forward(d, x, y, alpha, beta);
  }

  /** dx = alpha lrn_backward(x, y, dy) + beta dx; y is the forward's output for x. */
  default void lrnBackward(
      LrnDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    backward(d, x, y, dy, dx, alpha, beta);
  }

  /** y = alpha softmax(x) + beta y. */
  default void softmaxForward(
      SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    forward(d, x, y, alpha, beta);
  }

  /** dx = alpha softmax_backward(y, dy) + beta dx; y is the forward's output. */
  default void softmaxBackward(
      SoftmaxDescriptor d,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    backward(d, null, y, dy, dx, alpha, beta);
  }
}
