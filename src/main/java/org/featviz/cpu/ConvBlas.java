package org.featviz.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.featviz.ir.Tensor;

/**
 * Conv on OpenBLAS: the patch-matrix formulation of {@link ConvRef} (same geometry, same gather),
 * with the product done by {@link Blas#sgemm} on native copies of the operands.
 *
 * <p>Forward: per task (batch item, group, slice of output channels) and column block, y[m, block]
 * = B[m] + W[m, :] col[:, block]. Input gradient of a stride-1 convolution (nearly all of them): a
 * forward convolution of dy with the weights flipped in space and transposed per group, padded by
 * extent - 1 - pad (so a gather of copied rows, no scatter); other strides: per task (batch item,
 * group, slice of input channels) dcol = W^T dy by sgemm, scattered into dx. The weight and bias
 * gradients (never needed by a render, whose weights are frozen) are {@link ConvRef}'s. Results
 * differ from ConvRef's by float rounding only: the sums run in another order.
 */
final class ConvBlas implements CpuKernel {
  /**
   * Output positions per column block: longer than ConvRef's, since OpenBLAS's kernels want a long
   * n; 4096 keeps a block of a 3 x 3 x 64-channel patch matrix at 9 MB.
   */
  static final int BLOCK = 4096;

  /**
   * The fewest input channels per group for which the input gradient runs as a convolution: its
   * product has that many rows, and its gather copies Mg x kernel rows per block, so for an image
   * input (1 or 3 channels) the scatter of a small W^T dy costs far less.
   */
  static final int MIN_TRANSPOSED_CHANNELS = 16;

  private static final ConvRef REFERENCE = new ConvRef();

  /**
   * Whether stride-1 convolutions may run as per-tap products (off: -Dfeatviz.conv.shifted=off).
   */
  static boolean SHIFTED = !"off".equals(System.getProperty("featviz.conv.shifted"));

  @Override
  public void forward(KernelCall c) {
    ConvGeometry g = new ConvGeometry(c, BLOCK);
    float[] b = c.hasInput(2) ? c.in(2).data() : null;
    float[] w = c.in(1).data();
    convolve(g, c.in(0).data(), w, "", () -> w, b, c.out(0).data(), false);
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    if (c.gradIn(0) != null) {
      ConvGeometry g = new ConvGeometry(c, BLOCK);
      ConvGeometry t = g.cg >= MIN_TRANSPOSED_CHANNELS ? g.transposed(BLOCK) : null;
      float[] dy = c.gradOut(0).data();
      float[] dx = c.gradIn(0).data();
      float[] w = c.in(1).data();
      if (t != null) {
        convolve(
            t, dy, w, "flipped " + g.groups + " ", () -> flippedTransposed(g, w), null, dx, true);
      } else {
        scatteredInputGradient(g, NativeWeights.of(w, "plain", () -> w), dy, dx);
      }
    }
    boolean others = c.gradIn(1) != null || (c.hasInput(2) && c.gradIn(2) != null);
    if (others) REFERENCE.backward(withoutInputGradient(c));
  }

  /**
   * y = conv(x, w') (+ bias per output channel), or y += conv(x, w') when {@code accumulate}: as
   * one product per tap ({@link ShiftedConvolution}) where that applies, else by im2col. w' is what
   * {@code weights} makes of {@code source} in the layout {@code form} names ("" for the source's
   * own), kept in native memory from call to call ({@link NativeWeights}).
   */
  private static void convolve(
      ConvGeometry g,
      float[] x,
      float[] source,
      String form,
      java.util.function.Supplier<float[]> weights,
      float[] bias,
      float[] y,
      boolean accumulate) {
    ShiftedConvolution shifted = SHIFTED ? ShiftedConvolution.of(g) : null;
    if (shifted != null) {
      FloatPointer wN =
          NativeWeights.of(
              source, form + "tap-major " + g.groups, () -> shifted.tapMajor(weights.get()));
      shifted.run(x, wN, bias, y, accumulate);
    } else {
      im2col(g, x, NativeWeights.of(source, form + "plain", weights), bias, y, accumulate);
    }
  }

  /**
   * The im2col form of {@link #convolve}: per task and column block, the patch matrix, then one
   * product with w [M, K] in native memory.
   */
  private static void im2col(
      ConvGeometry g, float[] x, FloatPointer w, float[] bias, float[] y, boolean accumulate) {
    g.forEachTask(
        g.mg,
        (n, group, first, end) -> {
          int m0 = group * g.mg + first;
          int m1 = group * g.mg + end;
          int xBase = (n * g.c + group * g.cg) * g.inPlane;
          NativeScratch scratch = NativeScratch.get();
          FloatPointer colN = scratch.buffer(0, (long) g.k * g.blockLength());
          FloatPointer outN = scratch.buffer(1, (long) (m1 - m0) * g.blockLength());
          FloatBuffer colView = scratch.view(0);
          FloatBuffer out = scratch.view(1);
          float[] col = scratch.array(0, g.k * g.blockLength());
          float[] row = scratch.array(1, g.blockLength());
          for (int r0 = 0; r0 < g.rows; r0 += g.blockRows) {
            int r1 = Math.min(g.rows, r0 + g.blockRows);
            int len = (r1 - r0) * g.ow;
            g.gatherFlat(x, xBase, r0, r1, col);
            colView.put(0, col, 0, g.k * len);
            Blas.sgemm(
                false,
                false,
                m1 - m0,
                len,
                g.k,
                1f,
                w,
                (long) m0 * g.k,
                g.k,
                colN,
                0,
                len,
                0f,
                outN,
                0,
                len);
            for (int m = m0; m < m1; m++) {
              int yRow = (n * g.m + m) * g.outPlane + r0 * g.ow;
              if (accumulate) {
                out.get((m - m0) * len, row, 0, len);
                for (int j = 0; j < len; j++) y[yRow + j] += row[j];
              } else {
                out.get((m - m0) * len, y, yRow, len);
              }
              if (bias != null) {
                float bm = bias[m];
                for (int j = yRow; j < yRow + len; j++) y[j] += bm;
              }
            }
          }
        });
  }

  /**
   * The weights of the stride-1 input gradient as a convolution: W'[group's input channel ci, (m,
   * t)] = W[group's output channel m, ci, kernel - 1 - t], [C, Mg x kernel] row-major.
   */
  static float[] flippedTransposed(ConvGeometry g, float[] w) {
    float[] t = new float[w.length];
    int kt = g.mg * g.kernel;
    for (int group = 0; group < g.groups; group++) {
      for (int ci = 0; ci < g.cg; ci++) {
        int dst = (group * g.cg + ci) * kt;
        for (int mi = 0; mi < g.mg; mi++) {
          int src = ((group * g.mg + mi) * g.cg + ci) * g.kernel;
          for (int tap = 0; tap < g.kernel; tap++) {
            t[dst + mi * g.kernel + tap] = w[src + g.kernel - 1 - tap];
          }
        }
      }
    }
    return t;
  }

  /**
   * dx += the scatter of dcol = W^T dy, per task (batch item, group, slice of input channels), for
   * strides other than 1.
   */
  private static void scatteredInputGradient(
      ConvGeometry g, FloatPointer w, float[] dy, float[] dx) {
    g.forEachTask(
        g.cg,
        (n, group, c0, c1) -> {
          int xBase = (n * g.c + group * g.cg) * g.inPlane;
          int firstM = group * g.mg;
          int rowsK = (c1 - c0) * g.kernel;
          float[] dcol = new float[rowsK * g.blockLength()];
          NativeScratch scratch = NativeScratch.get();
          FloatPointer dyN = scratch.buffer(0, (long) g.mg * g.blockLength());
          FloatPointer dcolN = scratch.buffer(1, (long) rowsK * g.blockLength());
          for (int r0 = 0; r0 < g.rows; r0 += g.blockRows) {
            int r1 = Math.min(g.rows, r0 + g.blockRows);
            int len = (r1 - r0) * g.ow;
            for (int m = 0; m < g.mg; m++) {
              int dyRow = (n * g.m + firstM + m) * g.outPlane + r0 * g.ow;
              dyN.position((long) m * len).put(dy, dyRow, len);
            }
            // dcol [rowsK, len] = (W [firstM .., c0 * kernel ..] as [mg, rowsK], ld K)^T dy [mg,
            // len]
            Blas.sgemm(
                true,
                false,
                rowsK,
                len,
                g.mg,
                1f,
                w,
                (long) firstM * g.k + (long) c0 * g.kernel,
                g.k,
                dyN,
                0,
                len,
                0f,
                dcolN,
                0,
                len);
            dcolN.position(0).get(dcol, 0, rowsK * len);
            g.scatterAddFlat(dcol, c0, c1, r0, r1, dx, xBase);
          }
        });
  }

  /** The same call with no gradient wanted for X, so that ConvRef computes only dW and dB. */
  private static KernelCall withoutInputGradient(KernelCall c) {
    Tensor[] in = new Tensor[c.inputCount()];
    Tensor[] gradIn = new Tensor[c.inputCount()];
    for (int i = 0; i < in.length; i++) {
      if (c.hasInput(i)) in[i] = c.in(i);
      if (i > 0) gradIn[i] = c.gradIn(i);
    }
    Tensor[] out = new Tensor[c.outputCount()];
    Tensor[] gradOut = new Tensor[c.outputCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.out(i);
      gradOut[i] = c.gradOut(i);
    }
    return new KernelCall(c.node(), c.opset(), in, out, gradOut, gradIn);
  }
}
