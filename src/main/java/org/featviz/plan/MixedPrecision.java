package org.featviz.plan;

import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.ConvolutionCall;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.Dim3;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmCall;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.KernelArgs;
import org.featviz.device.MathMode;
import org.featviz.device.UnaryCall;

/**
 * A plan's convolutions and GEMMs in the device's math mode. In FP32 and TF32 each is the device
 * library's call. In {@link MathMode#BF16} and {@link MathMode#FP16} it is mixed precision in the
 * autocast style: the FP32 operands are converted to 16 bits by the kernels of {@code
 * cuda/convert.cu} (round to nearest even) into a staging arena that this object owns, the
 * library's 16-bit operation ({@link DeviceLibrary#convolutionForward16}, ...) multiplies them with
 * FP32 accumulation, and a convolution's 16-bit output (cuDNN writes y in x's type) is converted
 * back to FP32, blended as {@code alpha result + beta out} in FP32 (so gradient sums accumulate in
 * FP32). The fused convolution + bias + ReLU is that convolution followed by the bias and the ReLU
 * in FP32. A GEMM writes its FP32 C directly. Storage between operations stays FP32; nothing else
 * changes with the mode. The mode is read at each call, as the library reads it.
 *
 * <p>One call's staging layout, each operand from a 256-byte boundary (cuDNN and tensor-core GEMMs
 * want aligned operands):
 *
 * <pre>
 * convolution forward        [ x16 | w16  | y16  ]   inputCount, weightCount, outputCount 16-bit values
 * convolution backward-data  [ w16 | dy16 | dx16 ]   (the same sizes: {@link #convolutionBytes})
 * gemm                       [ A16 | B16 ]           aCount, bCount ({@link #gemmBytes})
 * strided-batched gemm       [ A16 | B16 ]           the spans of A and B, strides kept
 * </pre>
 *
 * The arena only grows, in {@link #reserve}: a plan reserves its largest step's need when it is
 * built ({@link PlanMemory}; {@link #convolutionPrepare} reserves its geometry's), so running the
 * plan allocates nothing. A call whose operands do not fit grows the arena first (a plan built in
 * another mode). Each plan has its own; closing it frees the arena.
 */
public final class MixedPrecision implements DeviceLibrary, AutoCloseable {
  /** Byte alignment of every staged operand. */
  public static final long ALIGNMENT = 256;

  /** Threads per block and most blocks of the grid-stride conversion launches. */
  private static final int BLOCK = 256;

  private static final int MAX_BLOCKS = 1024;

  private final Device device;
  private DeviceBuffer arena;

  /**
   * Convolutions and GEMMs on {@code device}, with an arena allocated when a 16-bit call or a
   * reservation needs it.
   */
  public MixedPrecision(Device device) {
    this.device = device;
  }

  // ---- Sizes
  // ----------------------------------------------------------------------------------------------------

  /**
   * Staging bytes of 16-bit copies of operands with these element counts, each from an aligned
   * boundary.
   */
  public static long stagingBytes(long... counts) {
    long bytes = 0;
    for (long count : counts) bytes += region(count);
    return bytes;
  }

  /**
   * Staging bytes of a convolution's forward or backward-data call (x, w and y, or w, dy and dx).
   */
  public static long convolutionBytes(ConvDescriptor d) {
    return stagingBytes(d.inputCount(), d.weightCount(), d.outputCount());
  }

  /** Staging bytes of a GEMM's A and B. */
  public static long gemmBytes(GemmDescriptor d) {
    return stagingBytes(d.aCount(), d.bCount());
  }

  /**
   * Staging bytes of a strided-batched GEMM: the spans of A and B (a broadcast operand, stride 0,
   * once).
   */
  public static long gemmBytes(GemmDescriptor d, GemmBatch batch) {
    return stagingBytes(
        GemmBatch.span(batch.count(), batch.aStride(), d.aCount()),
        GemmBatch.span(batch.count(), batch.bStride(), d.bCount()));
  }

  private static long region(long count) {
    long bytes = Math.multiplyExact(count, 2L);
    return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  // ---- The arena
  // ------------------------------------------------------------------------------------------------

  /** Grows the arena to at least {@code bytes} (never shrinks). */
  public synchronized void reserve(long bytes) {
    if (bytes <= 0 || (arena != null && !arena.isClosed() && arena.bytes() >= bytes)) return;
    if (arena != null) arena.close();
    arena = null;
    arena = device.allocate(bytes);
  }

  /** Bytes of the arena now (0 before anything needed one). */
  public synchronized long arenaBytes() {
    return arena == null || arena.isClosed() ? 0 : arena.bytes();
  }

  private synchronized DeviceBuffer arena(long bytes) {
    reserve(bytes);
    return arena;
  }

  /** Frees the arena; idempotent (a later 16-bit call would allocate a new one). */
  @Override
  public synchronized void close() {
    if (arena != null) arena.close();
    arena = null;
  }

  // ---- Operations: the device library's, in the device's math mode
  // ----------------------------------------------

  /**
   * {@link DeviceLibrary#convolutionPrepare}, and in BF16 and FP16 the staging this geometry needs
   * reserved, so that later calls of this geometry allocate nothing.
   */
  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    if (device.mathMode().isSixteenBit()) reserve(convolutionBytes(d));
    device.library().convolutionPrepare(d);
  }

  /**
   * In a 16-bit mode, an FP32 convolution's two inputs staged ([x16 | w16 | y16] or [w16 | dy16 |
   * dx16]), the library's 16-bit convolution, and its output converted back and blended in FP32.
   * The fused convolution + bias + ReLU is that convolution, then bias and activation in FP32 (the
   * bias_add kernel and the library activation, in place): the same float operations, in the same
   * order, as cuDNN's fused call documents, with only the convolution's inputs and output in 16
   * bits. Otherwise the library's call.
   */
  @Override
  public void run(ConvolutionCall call) {
    MathMode mode = device.mathMode();
    if (call.sixteenBit() || !mode.isSixteenBit()) {
      device.library().run(call);
      return;
    }
    if (call.kind() == ConvolutionCall.Kind.BIAS_ACTIVATION_FORWARD) {
      biasActivationForward(call);
      return;
    }
    ConvDescriptor d = call.d();
    Staged s =
        stage(
            mode,
            call.in0(),
            call.in0Pos(),
            call.count(0),
            call.in1(),
            call.in1Pos(),
            call.count(1),
            convolutionBytes(d));
    device.library().run(call.inSixteenBits(mode, s.arena, s.first, s.second, s.third));
    fromSixteen(
        device, mode, s.arena, s.third, call.count(2), call.out(), call.alpha(), call.beta());
  }

  private void biasActivationForward(ConvolutionCall call) {
    ConvDescriptor d = call.d();
    ActivationMode activation = call.activation();
    if (activation != ActivationMode.RELU) {
      throw new IllegalArgumentException(
          "convolution bias activation forward: activation "
              + activation
              + "; cuDNN fuses RELU only (and identity)");
    }
    DeviceBuffer bias = call.bias();
    DeviceBuffer y = call.out();
    requireBytes("bias_add", "bias", bias, 0, (long) d.k() * Float.BYTES);
    run(call.withoutBiasActivation());
    int n = Math.toIntExact(d.outputCount());
    int plane = (int) (d.outputCount() / ((long) d.n() * d.k()));
    launch(
        device,
        "bias_add",
        n,
        new KernelArgs().ptr(y).ptr(bias).i32(n).i32(d.k()).i32(plane).f32(1f));
    device.library().activationForward(activation, n, y, y, 1f, 0f);
  }

  /**
   * In a 16-bit mode, an FP32 GEMM's A and B staged (the spans of a batch, strides kept, a
   * broadcast operand once) and one 16-bit GEMM, C staying FP32. Otherwise the library's call.
   */
  @Override
  public void run(GemmCall call) {
    MathMode mode = device.mathMode();
    if (call.sixteenBit() || !mode.isSixteenBit()) {
      device.library().run(call);
      return;
    }
    long bytes = stagingBytes(call.aSpan(), call.bSpan());
    Staged s =
        stage(
            mode, call.a(), call.aPos(), call.aSpan(), call.b(), call.bPos(), call.bSpan(), bytes);
    device.library().run(call.inSixteenBits(mode, s.arena, s.first, s.second));
  }

  /** The library's call: no products, nothing to stage. */
  @Override
  public void run(UnaryCall call) {
    device.library().run(call);
  }

  /**
   * Where a call's operands lie in the arena: the two converted ones, then the region after them
   * (an output).
   */
  private record Staged(DeviceBuffer arena, long first, long second, long third) {}

  /**
   * Converts {@code n1} floats of x1 from {@code pos1} and {@code n2} of x2 from {@code pos2} to 16
   * bits, into the arena (grown to {@code bytes} first), each from an aligned boundary.
   */
  private Staged stage(
      MathMode mode,
      DeviceBuffer x1,
      long pos1,
      long n1,
      DeviceBuffer x2,
      long pos2,
      long n2,
      long bytes) {
    long second = region(n1);
    DeviceBuffer s = arena(bytes);
    toSixteen(device, mode, x1, pos1, n1, s, 0);
    toSixteen(device, mode, x2, pos2, n2, s, second);
    return new Staged(s, 0, second, second + region(n2));
  }

  // ---- Conversion launches (cuda/convert.cu)
  // --------------------------------------------------------------------

  /**
   * y16 [n] at byte {@code yByte} of {@code y16} = the 16-bit patterns of x [n] from float position
   * {@code xPos}.
   */
  public static void toSixteen(
      Device device,
      MathMode mode,
      DeviceBuffer x,
      long xPos,
      long n,
      DeviceBuffer y16,
      long yByte) {
    String kernel = conversion("convert_float_to_%s", mode);
    requireBytes(kernel, "x", x, xPos * Float.BYTES, n * Float.BYTES);
    requireBytes(kernel, "y16", y16, yByte, n * 2);
    if (n == 0) return;
    launch(device, kernel, n, new KernelArgs().ptr(x, xPos * Float.BYTES).ptr(y16, yByte).i64(n));
  }

  /** y [n] = alpha float(x16 [n] at byte {@code xByte}) + beta y; with beta 0, y is not read. */
  public static void fromSixteen(
      Device device,
      MathMode mode,
      DeviceBuffer x16,
      long xByte,
      long n,
      DeviceBuffer y,
      float alpha,
      float beta) {
    String kernel = conversion("convert_%s_to_float", mode);
    requireBytes(kernel, "x16", x16, xByte, n * 2);
    requireBytes(kernel, "y", y, 0, n * Float.BYTES);
    if (n == 0) return;
    launch(device, kernel, n, new KernelArgs().ptr(x16, xByte).ptr(y).i64(n).f32(alpha).f32(beta));
  }

  private static void requireBytes(
      String kernel, String operand, DeviceBuffer buffer, long from, long bytes) {
    if (from < 0 || bytes < 0 || from > buffer.bytes() - bytes) {
      throw new IndexOutOfBoundsException(
          kernel
              + ": "
              + operand
              + " needs bytes ["
              + from
              + ", "
              + (from + bytes)
              + ") but its device buffer holds "
              + buffer.bytes());
    }
  }

  /** The conversion kernel {@code pattern} names for a 16-bit mode ("bf16" or "fp16" at %s). */
  private static String conversion(String pattern, MathMode mode) {
    return switch (mode) {
      case BF16 -> pattern.formatted("bf16");
      case FP16 -> pattern.formatted("fp16");
      default -> throw new IllegalArgumentException("math mode " + mode + " has no 16-bit format");
    };
  }

  /**
   * A grid-stride launch over n elements: small blocks for small n (the emulator runs every thread
   * it is given).
   */
  private static void launch(Device device, String kernel, long n, KernelArgs args) {
    int threads = (int) Math.min(BLOCK, Math.max(32, (n + 31) / 32 * 32));
    int blocks = (int) Math.min(MAX_BLOCKS, (n + threads - 1) / threads);
    device.launch(kernel, Dim3.of(blocks), Dim3.of(threads), 0, args);
  }
}
