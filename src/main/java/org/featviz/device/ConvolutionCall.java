package org.featviz.device;

/**
 * One convolution call of a {@link DeviceLibrary} as every layer passes it on (the device's checks,
 * a plan's mixed precision, a backend). Its operands come in the order the operation names them,
 * two inputs and the output: forward (x, w, y), y = alpha conv(x, w) + beta y; backward data (w,
 * dy, dx), dx = alpha conv_backward_data(w, dy) + beta dx; the fused forward (x, w, y) with a bias
 * and an activation, y = act(alpha conv(x, w) + beta y + bias[k]). {@code format} FP32: float
 * operands at float positions (0 from the library's methods), the device's math mode making the
 * products FP32 or TF32. BF16 / FP16 (forward and backward data): 16-bit operands at byte offsets,
 * the output written in 16 bits with alpha 1 and beta 0. {@code activation} and {@code bias} are
 * the fused call's, null otherwise.
 */
public record ConvolutionCall(
    Kind kind,
    MathMode format,
    ConvDescriptor d,
    DeviceBuffer in0,
    long in0Pos,
    DeviceBuffer in1,
    long in1Pos,
    DeviceBuffer out,
    long outPos,
    ActivationMode activation,
    DeviceBuffer bias,
    float alpha,
    float beta) {
  /** What the call computes, with its name in messages and its operands' names. */
  public enum Kind {
    FORWARD("convolution forward", "convolutionForward", "x", "w", "y"),
    BACKWARD_DATA("convolution backward data", "convolutionBackwardData", "w", "dy", "dx"),
    BIAS_ACTIVATION_FORWARD(
        "convolution bias activation forward", "convolutionBiasActivationForward", "x", "w", "y");

    private final String label;
    private final String method;
    private final String[] operands;

    Kind(String label, String method, String... operands) {
      this.label = label;
      this.method = method;
      this.operands = operands;
    }
  }

  public ConvolutionCall {
    if (format == MathMode.TF32)
      throw new IllegalArgumentException(
          kind.label + ": TF32 is a math mode, not an operand format");
    if (format.isSixteenBit() && kind == Kind.BIAS_ACTIVATION_FORWARD)
      throw new IllegalArgumentException(kind.label + " has no 16-bit form");
  }

  /** An FP32 call of the library's methods: operands from position 0. */
  static ConvolutionCall fp32(
      Kind kind,
      ConvDescriptor d,
      DeviceBuffer in0,
      DeviceBuffer in1,
      DeviceBuffer out,
      ActivationMode activation,
      DeviceBuffer bias,
      float alpha,
      float beta) {
    return new ConvolutionCall(
        kind, MathMode.FP32, d, in0, 0, in1, 0, out, 0, activation, bias, alpha, beta);
  }

  public boolean sixteenBit() {
    return format.isSixteenBit();
  }

  /** The call's name in messages: "convolution forward", "BF16 convolution backward data", ... */
  public String name() {
    return (sixteenBit() ? format + " " : "") + kind.label;
  }

  /** The {@link DeviceLibrary} method of this call: convolutionForward, ..., and ...16. */
  public String method() {
    return kind.method + (sixteenBit() ? "16" : "");
  }

  /** Operand i's name (0 and 1 the inputs, 2 the output): x, w, y or w, dy, dx. */
  public String operand(int i) {
    return kind.operands[i];
  }

  /** Operand i's element count: x's, w's, y's, or w's, y's (dy), x's (dx). */
  public long count(int i) {
    long x = d.inputCount();
    long w = d.weightCount();
    long y = d.outputCount();
    long[] counts = kind == Kind.BACKWARD_DATA ? new long[] {w, y, x} : new long[] {x, w, y};
    return counts[i];
  }

  /**
   * The same convolution on 16-bit operands in {@code format} at byte offsets of {@code arena}, as
   * mixed precision stages them.
   */
  public ConvolutionCall inSixteenBits(
      MathMode format, DeviceBuffer arena, long in0Byte, long in1Byte, long outByte) {
    return new ConvolutionCall(
        kind, format, d, arena, in0Byte, arena, in1Byte, arena, outByte, null, null, 1f, 0f);
  }

  /** The fused call's convolution alone (forward, same operands and scaling). */
  public ConvolutionCall withoutBiasActivation() {
    return new ConvolutionCall(
        Kind.FORWARD, format, d, in0, in0Pos, in1, in1Pos, out, outPos, null, null, alpha, beta);
  }
}
