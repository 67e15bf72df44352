package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ops.LrnSpec;

/**
 * LRN, local response normalization across channels, per the ONNX spec.
 *
 * <pre>
 * Shapes: N batch, C channels, S = D1 x ... x Dk (1 where X is N x C); X and Y  N x C x S
 * window(c)  = channels max(0, c - floor((size - 1) / 2)) .. min(C - 1, c + ceil((size - 1) / 2))
 * d[n, c, s] = bias + alpha / size * sum over i in window(c) of x[n, i, s]^2
 * y[n, c, s] = x[n, c, s] * d[n, c, s]^(-beta)
 * </pre>
 *
 * Backward, since d[c] depends on x[j] for every c whose window holds j:
 *
 * <pre>
 * dx[j] = dy[j] * d[j]^(-beta) - 2 * beta * alpha / size * x[j] * sum over c with j in window(c) of
 *         dy[c] * x[c] * d[c]^(-beta - 1)
 * </pre>
 *
 * (the c with j in window(c) run from j - floor((size - 1) / 2) to j + ceil((size - 1) / 2), the
 * window mirrored). Batch items run in parallel; within one, the loops run along s, contiguous.
 */
final class LrnRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    LrnSpec.Params p = LrnSpec.params(c.context());
    int n = c.in(0).shape().dim(0);
    int channels = c.in(0).shape().dim(1);
    int plane = c.in(0).shape().size(2, c.in(0).shape().rank());
    Parallel.range(
        n,
        (long) channels * plane * p.size(),
        b -> {
          int base = b * channels * plane;
          double[] d = denominators(p, x, base, channels, plane);
          for (int i = 0; i < channels * plane; i++) {
            y[base + i] = (float) (x[base + i] * Math.pow(d[i], -p.beta()));
          }
        });
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    LrnSpec.Params p = LrnSpec.params(c.context());
    float[] x = c.in(0).data();
    int n = c.in(0).shape().dim(0);
    int channels = c.in(0).shape().dim(1);
    int plane = c.in(0).shape().size(2, c.in(0).shape().rank());
    int before = (p.size() - 1) / 2;
    int after = p.size() - 1 - before;
    double coefficient = 2.0 * p.beta() * p.alpha() / p.size();
    Parallel.range(
        n,
        (long) channels * plane * p.size(),
        b -> {
          int base = b * channels * plane;
          double[] d = denominators(p, x, base, channels, plane);
          // t[c, s] = dy[c, s] * x[c, s] * d[c, s]^(-beta - 1)
          double[] t = new double[channels * plane];
          for (int i = 0; i < t.length; i++)
            t[i] = dy[base + i] * (double) x[base + i] * Math.pow(d[i], -p.beta() - 1);
          double[] mirrored = new double[plane];
          for (int j = 0; j < channels; j++) {
            Arrays.fill(mirrored, 0);
            for (int ch = Math.max(0, j - after); ch <= Math.min(channels - 1, j + before); ch++) {
              for (int s = 0; s < plane; s++) mirrored[s] += t[ch * plane + s];
            }
            for (int s = 0; s < plane; s++) {
              int i = j * plane + s;
              dx[base + i] +=
                  (float)
                      (dy[base + i] * Math.pow(d[i], -p.beta())
                          - coefficient * x[base + i] * mirrored[s]);
            }
          }
        });
  }

  /** d[c, s] for one batch item starting at x[base]. */
  private static double[] denominators(
      LrnSpec.Params p, float[] x, int base, int channels, int plane) {
    int before = (p.size() - 1) / 2;
    int after = p.size() - 1 - before;
    double scale = (double) p.alpha() / p.size();
    double[] d = new double[channels * plane];
    double[] squares = new double[plane];
    for (int ch = 0; ch < channels; ch++) {
      Arrays.fill(squares, 0);
      for (int i = Math.max(0, ch - before); i <= Math.min(channels - 1, ch + after); i++) {
        for (int s = 0; s < plane; s++) {
          double v = x[base + i * plane + s];
          squares[s] += v * v;
        }
      }
      for (int s = 0; s < plane; s++) d[ch * plane + s] = p.bias() + scale * squares[s];
    }
    return d;
  }
}
