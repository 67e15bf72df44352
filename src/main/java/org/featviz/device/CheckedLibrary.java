package org.featviz.device;

/**
 * The {@link DeviceLibrary} an {@link AbstractDevice} hands out: it checks every call before the
 * backend's library sees it (the device open, every buffer open, owned by the device and large
 * enough for the descriptor, counts positive, C's strided matrices apart, the fused activation
 * ReLU, and no FP32 convolution or GEMM in a 16-bit math mode), so the GPU and the emulator behave
 * alike on misuse and the checks are tested in CI through the emulator.
 */
final class CheckedLibrary implements DeviceLibrary {
  private final AbstractDevice device;

  CheckedLibrary(AbstractDevice device) {
    this.device = device;
  }

  private DeviceLibrary backend() {
    return device.backendLibrary();
  }

  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    device.checkOpen();
    backend().convolutionPrepare(d);
  }

  @Override
  public void convolutionForward(
      ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta) {
    String op = "convolution forward";
    requireFloats(op, "x", x, 0, d.inputCount());
    requireFloats(op, "w", w, 0, d.weightCount());
    requireFloats(op, "y", y, 0, d.outputCount());
    requireFp32Products(op);
    backend().convolutionForward(d, x, w, y, alpha, beta);
  }

  @Override
  public void convolutionBackwardData(
      ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha, float beta) {
    String op = "convolution backward data";
    requireFloats(op, "w", w, 0, d.weightCount());
    requireFloats(op, "dy", dy, 0, d.outputCount());
    requireFloats(op, "dx", dx, 0, d.inputCount());
    requireFp32Products(op);
    backend().convolutionBackwardData(d, w, dy, dx, alpha, beta);
  }

  @Override
  public void convolutionBiasActivationForward(
      ConvDescriptor d,
      ActivationMode mode,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      DeviceBuffer y,
      float alpha,
      float beta) {
    String op = "convolution bias activation forward";
    requireRelu(op, mode);
    requireFloats(op, "x", x, 0, d.inputCount());
    requireFloats(op, "w", w, 0, d.weightCount());
    requireFloats(op, "bias", bias, 0, d.k());
    requireFloats(op, "y", y, 0, d.outputCount());
    requireFp32Products(op);
    backend().convolutionBiasActivationForward(d, mode, x, w, bias, y, alpha, beta);
  }

  @Override
  public void gemm(
      GemmDescriptor d,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    requireFloats("gemm", "A", a, aPos, d.aCount());
    requireFloats("gemm", "B", b, bPos, d.bCount());
    requireFloats("gemm", "C", c, cPos, d.cCount());
    requireFp32Products("gemm");
    backend().gemm(d, a, aPos, b, bPos, c, cPos, alpha, beta);
  }

  @Override
  public void gemmStridedBatched(
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
    String op = "strided-batched gemm";
    requireSeparateProducts(op, d, batch);
    requireFloats(op, "A", a, aPos, GemmBatch.span(batch.count(), batch.aStride(), d.aCount()));
    requireFloats(op, "B", b, bPos, GemmBatch.span(batch.count(), batch.bStride(), d.bCount()));
    requireFloats(op, "C", c, cPos, GemmBatch.span(batch.count(), batch.cStride(), d.cCount()));
    requireFp32Products(op);
    backend().gemmStridedBatched(d, batch, a, aPos, b, bPos, c, cPos, alpha, beta);
  }

  @Override
  public void convolutionForward16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer x,
      long xByte,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer y,
      long yByte) {
    String op = format + " convolution forward";
    requireHalves(op, format, "x16", x, xByte, d.inputCount());
    requireHalves(op, format, "w16", w, wByte, d.weightCount());
    requireHalves(op, format, "y16", y, yByte, d.outputCount());
    backend().convolutionForward16(format, d, x, xByte, w, wByte, y, yByte);
  }

  @Override
  public void convolutionBackwardData16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer dy,
      long dyByte,
      DeviceBuffer dx,
      long dxByte) {
    String op = format + " convolution backward data";
    requireHalves(op, format, "w16", w, wByte, d.weightCount());
    requireHalves(op, format, "dy16", dy, dyByte, d.outputCount());
    requireHalves(op, format, "dx16", dx, dxByte, d.inputCount());
    backend().convolutionBackwardData16(format, d, w, wByte, dy, dyByte, dx, dxByte);
  }

  @Override
  public void gemm16(
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
    String op = format + " gemm";
    requireHalves(op, format, "A16", a, aByte, d.aCount());
    requireHalves(op, format, "B16", b, bByte, d.bCount());
    requireFloats(op, "C", c, cPos, d.cCount());
    backend().gemm16(format, d, a, aByte, b, bByte, c, cPos, alpha, beta);
  }

  @Override
  public void gemmStridedBatched16(
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
    String op = format + " strided-batched gemm";
    requireSeparateProducts(op, d, batch);
    requireHalves(
        op, format, "A16", a, aByte, GemmBatch.span(batch.count(), batch.aStride(), d.aCount()));
    requireHalves(
        op, format, "B16", b, bByte, GemmBatch.span(batch.count(), batch.bStride(), d.bCount()));
    requireFloats(op, "C", c, cPos, GemmBatch.span(batch.count(), batch.cStride(), d.cCount()));
    backend().gemmStridedBatched16(format, d, batch, a, aByte, b, bByte, c, cPos, alpha, beta);
  }

  @Override
  public void poolingForward(
      PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    requireForward("pooling forward", x, d.inputCount(), y, d.outputCount());
    backend().poolingForward(d, x, y, alpha, beta);
  }

  @Override
  public void poolingBackward(
      PoolDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    requireBackward("pooling backward", x, y, dy, dx, d.inputCount(), d.outputCount());
    backend().poolingBackward(d, x, y, dy, dx, alpha, beta);
  }

  @Override
  public void activationForward(
      ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    String op = "activation forward (" + mode + ")";
    requirePositive(op, count);
    requireForward(op, x, count, y, count);
    backend().activationForward(mode, count, x, y, alpha, beta);
  }

  @Override
  public void activationBackward(
      ActivationMode mode,
      int count,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    String op = "activation backward (" + mode + ")";
    requirePositive(op, count);
    requireBackward(op, x, y, dy, dx, count, count);
    backend().activationBackward(mode, count, x, y, dy, dx, alpha, beta);
  }

  @Override
  public void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    requireForward("lrn forward", x, d.count(), y, d.count());
    backend().lrnForward(d, x, y, alpha, beta);
  }

  @Override
  public void lrnBackward(
      LrnDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    requireBackward("lrn backward", x, y, dy, dx, d.count(), d.count());
    backend().lrnBackward(d, x, y, dy, dx, alpha, beta);
  }

  @Override
  public void softmaxForward(
      SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    requireForward("softmax forward", x, d.count(), y, d.count());
    backend().softmaxForward(d, x, y, alpha, beta);
  }

  @Override
  public void softmaxBackward(
      SoftmaxDescriptor d,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    requireFloats("softmax backward", "y", y, 0, d.count());
    requireFloats("softmax backward", "dy", dy, 0, d.count());
    requireFloats("softmax backward", "dx", dx, 0, d.count());
    backend().softmaxBackward(d, y, dy, dx, alpha, beta);
  }

  // ---- Checks
  // ---------------------------------------------------------------------------------------------------

  /** cuDNN fuses ReLU (and identity) only. */
  private static void requireRelu(String op, ActivationMode mode) {
    if (mode != ActivationMode.RELU) {
      throw new IllegalArgumentException(
          op + ": activation " + mode + "; cuDNN fuses RELU only (and identity)");
    }
  }

  private static void requirePositive(String op, int count) {
    if (count < 1)
      throw new IllegalArgumentException(op + ": element count " + count + " must be positive");
  }

  private static void requireSeparateProducts(String op, GemmDescriptor d, GemmBatch batch) {
    if (batch.count() > 1 && batch.cStride() < d.cCount()) {
      throw new IllegalArgumentException(
          op
              + ": C's stride "
              + batch.cStride()
              + " is less than its "
              + d.cCount()
              + " floats, so the "
              + batch.count()
              + " products would write over one another");
    }
  }

  /**
   * FP32 operands run in FP32 and TF32 only: 16-bit math is mixed precision, staged above the
   * device.
   */
  private void requireFp32Products(String op) {
    MathMode mode = device.mathMode();
    if (mode.isSixteenBit()) {
      throw new IllegalStateException(
          op
              + " on FP32 operands in "
              + mode
              + ": the device computes FP32 and TF32"
              + " products; "
              + mode
              + " is mixed precision, which stages 16-bit operands for the library's ...16"
              + " operations (org.featviz.plan.MixedPrecision)");
    }
  }

  /** A forward's x of {@code in} floats and y of {@code out}. */
  private void requireForward(String op, DeviceBuffer x, long in, DeviceBuffer y, long out) {
    requireFloats(op, "x", x, 0, in);
    requireFloats(op, "y", y, 0, out);
  }

  /** A backward's x and dx of {@code in} floats, y and dy of {@code out}. */
  private void requireBackward(
      String op,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      long in,
      long out) {
    requireForward(op, x, in, y, out);
    requireFloats(op, "dy", dy, 0, out);
    requireFloats(op, "dx", dx, 0, in);
  }

  /**
   * Checks that floats [pos, pos + count) lie in an open buffer of this device, naming the
   * operation and operand.
   */
  private void requireFloats(String op, String operand, DeviceBuffer buffer, long pos, long count) {
    requireBytes(op, operand, "floats", buffer, pos, count, Float.BYTES);
  }

  /**
   * Checks that {@code count} 16-bit values from an even byte offset lie in an open buffer of this
   * device.
   */
  private void requireHalves(
      String op,
      MathMode format,
      String operand,
      DeviceBuffer buffer,
      long byteOffset,
      long count) {
    if (!format.isSixteenBit())
      throw new IllegalArgumentException(op + ": " + format + " is no 16-bit format");
    if (byteOffset % 2 != 0) {
      throw new IllegalArgumentException(op + ": " + operand + " at odd byte offset " + byteOffset);
    }
    requireBytes(op, operand, "16-bit values", buffer, byteOffset / 2, count, 2);
  }

  private void requireBytes(
      String op,
      String operand,
      String unit,
      DeviceBuffer buffer,
      long pos,
      long count,
      int elementBytes) {
    device.checkOpen();
    if (buffer == null) throw new IllegalArgumentException(op + ": " + operand + " is null");
    device.checkOwned(buffer);
    if (buffer.isClosed())
      throw new IllegalStateException(op + ": " + operand + " is a closed device buffer");
    long capacity = buffer.bytes() / elementBytes;
    if (pos < 0 || pos > capacity - count) {
      throw new IndexOutOfBoundsException(
          op
              + ": "
              + operand
              + " needs "
              + unit
              + " ["
              + pos
              + ", "
              + (pos + count)
              + ") but its device buffer holds "
              + capacity);
    }
  }
}
