package org.featviz.device;

/**
 * One call of a {@link DeviceLibrary}'s GEMM family as every layer passes it on (the device's
 * checks, a plan's mixed precision, a backend): C = alpha op(A) op(B) + beta C, row-major ({@link
 * GemmDescriptor}), one product or, with a {@link GemmBatch}, each product of a strided batch.
 * {@code format} is the operands': FP32, where A, B and C are floats at float positions (the
 * device's math mode makes the products FP32 or TF32), or BF16 / FP16, where A and B are 16-bit
 * values at byte offsets and their batch strides count values, C FP32 at a float position.
 */
public record GemmCall(
    MathMode format,
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
  public GemmCall {
    if (format == MathMode.TF32)
      throw new IllegalArgumentException("gemm: TF32 is a math mode, not an operand format");
  }

  public boolean sixteenBit() {
    return format.isSixteenBit();
  }

  /** The call's name in messages: "gemm", "strided-batched gemm", "BF16 gemm", ... */
  public String name() {
    return (sixteenBit() ? format + " " : "") + (batch == null ? "gemm" : "strided-batched gemm");
  }

  /** The {@link DeviceLibrary} method of this call: gemm, gemmStridedBatched, gemm16, ... */
  public String method() {
    return (batch == null ? "gemm" : "gemmStridedBatched") + (sixteenBit() ? "16" : "");
  }

  /** The values A spans: one matrix, or the batch's span (a broadcast A once). */
  public long aSpan() {
    return span(batch == null ? 0 : batch.aStride(), d.aCount());
  }

  public long bSpan() {
    return span(batch == null ? 0 : batch.bStride(), d.bCount());
  }

  public long cSpan() {
    return span(batch == null ? 0 : batch.cStride(), d.cCount());
  }

  private long span(long stride, long matrix) {
    return batch == null ? matrix : GemmBatch.span(batch.count(), stride, matrix);
  }

  /**
   * The same GEMM with A and B as 16-bit values in {@code format} at byte offsets of {@code arena}
   * (strides kept, counting values), as mixed precision stages them; C unchanged.
   */
  public GemmCall inSixteenBits(MathMode format, DeviceBuffer arena, long aByte, long bByte) {
    return new GemmCall(format, d, batch, arena, aByte, arena, bByte, c, cPos, alpha, beta);
  }

  /** The number of products. */
  public int count() {
    return batch == null ? 1 : batch.count();
  }

  /** Product i as a call of its own (an unbatched call is its only product). */
  public GemmCall product(int i) {
    if (batch == null) return this;
    long unit = sixteenBit() ? 2 : 1; // 16-bit A and B: strides count values, offsets bytes
    return new GemmCall(
        format,
        d,
        null,
        a,
        aPos + unit * i * batch.aStride(),
        b,
        bPos + unit * i * batch.bStride(),
        c,
        cPos + i * batch.cStride(),
        alpha,
        beta);
  }
}
