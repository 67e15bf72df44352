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

  /**
   * The operands in the call's order (x, w, [bias,] y or w, dy, dx), each in its format, then the
   * math mode for FP32 operands.
   */
  @Override
  public void run(ConvolutionCall call) {
    String op = call.name();
    ConvDescriptor d = call.d();
    if (call.kind() == ConvolutionCall.Kind.BIAS_ACTIVATION_FORWARD)
      requireRelu(op, call.activation());
    MathMode format = call.format();
    requireOperand(op, format, call.operand(0), call.in0(), call.in0Pos(), call.count(0));
    requireOperand(op, format, call.operand(1), call.in1(), call.in1Pos(), call.count(1));
    if (call.kind() == ConvolutionCall.Kind.BIAS_ACTIVATION_FORWARD)
      requireFloats(op, "bias", call.bias(), 0, d.k());
    requireOperand(op, format, call.operand(2), call.out(), call.outPos(), call.count(2));
    if (!call.sixteenBit()) requireFp32Products(op);
    backend().run(call);
  }

  /** C's products apart, then A, B (16-bit in a 16-bit call) and C, then the math mode for FP32. */
  @Override
  public void run(GemmCall call) {
    String op = call.name();
    if (call.batch() != null) requireSeparateProducts(op, call.d(), call.batch());
    requireOperand(op, call.format(), "A", call.a(), call.aPos(), call.aSpan());
    requireOperand(op, call.format(), "B", call.b(), call.bPos(), call.bSpan());
    requireFloats(op, "C", call.c(), call.cPos(), call.cSpan());
    if (!call.sixteenBit()) requireFp32Products(op);
    backend().run(call);
  }

  /** x (where read) and y of the forward's sizes, then a backward's dy and dx. */
  @Override
  public void run(UnaryCall call) {
    String op = call.name();
    UnaryDescriptor d = call.op();
    if (d instanceof ActivationDescriptor a) requirePositive(op, a.count());
    if (!call.backward() || d.backwardReadsX()) requireFloats(op, "x", call.x(), 0, d.inputCount());
    requireFloats(op, "y", call.y(), 0, d.outputCount());
    if (call.backward()) {
      requireFloats(op, "dy", call.dy(), 0, d.outputCount());
      requireFloats(op, "dx", call.dx(), 0, d.inputCount());
    }
    backend().run(call);
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

  /**
   * A product's operand in its format: floats from a float position, or (named with a 16 suffix)
   * 16-bit values from an even byte offset.
   */
  private void requireOperand(
      String op, MathMode format, String operand, DeviceBuffer buffer, long pos, long count) {
    if (!format.isSixteenBit()) {
      requireFloats(op, operand, buffer, pos, count);
      return;
    }
    if (pos % 2 != 0) {
      throw new IllegalArgumentException(op + ": " + operand + "16 at odd byte offset " + pos);
    }
    requireBytes(op, operand + "16", "16-bit values", buffer, pos / 2, count, 2);
  }

  /**
   * Checks that floats [pos, pos + count) lie in an open buffer of this device, naming the
   * operation and operand.
   */
  private void requireFloats(String op, String operand, DeviceBuffer buffer, long pos, long count) {
    requireBytes(op, operand, "floats", buffer, pos, count, Float.BYTES);
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
