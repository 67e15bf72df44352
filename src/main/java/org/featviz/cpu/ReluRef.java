package org.featviz.cpu;

/**
 * Relu: y = x where x > 0, else 0 (NaN gives 0); dx += dy where x > 0. Elementwise, so large
 * tensors go in parallel chunks.
 *
 * <p>Both loops select with a bit mask instead of a branch ({@link #passMask}): on activations
 * whose signs are random a branch is mispredicted half the time, and the masked loops ran 5 to 6
 * times faster (2M floats: 15 to 18 ms with {@code x > 0 ? x : 0}, 2.5 to 3.6 ms masked, on the
 * 2-core Xeon of docs/benchmarks.md). The results are the same bits.
 */
final class ReluRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    Parallel.chunks(
        x.length,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            y[i] = Float.intBitsToFloat(Float.floatToRawIntBits(x[i]) & passMask(x[i]));
          }
        });
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    float[] x = c.in(0).data();
    Parallel.chunks(
        x.length,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            dx[i] += Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & passMask(x[i]));
          }
        });
  }

  /**
   * All ones where x > 0, else 0 (NaN, zeros and negatives): x > 0 exactly when its bit pattern,
   * read as an unsigned integer, lies in [1, 0x7f800000] (the smallest subnormal to +infinity),
   * that is when bits - 1 lies below 0x7f800000; the sign of that difference in 64 bits is the
   * mask.
   */
  static int passMask(float x) {
    long below = ((Float.floatToRawIntBits(x) - 1) & 0xffffffffL) - 0x7f800000L;
    return (int) (below >> 63);
  }
}
