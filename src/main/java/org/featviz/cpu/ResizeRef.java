package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.ResizeSpec;

/**
 * Resize and Upsample (nearest, linear) as ONNX defines them on all axes at once: each output
 * element is the sum over the 2^k corners of the k resampled axes of the product of their weights
 * times x at the corner, in double (the device resamples one axis after another instead). A weight
 * of 0 adds nothing, so nearest copies x exactly, infinities included. Backward: the same weights
 * scatter dy back onto the corners.
 */
final class ResizeRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    Corners k = new Corners(ResizeSpec.taps(c.context()), c.in(0).shape());
    for (int i = 0; i < y.length; i++) {
      double sum = 0;
      for (int corner = 0; corner < k.count(); corner++) {
        double w = k.weight(i, corner);
        if (w != 0) sum += w * x[k.source(i, corner)];
      }
      y[i] = (float) sum;
    }
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    Corners k = new Corners(ResizeSpec.taps(c.context()), c.in(0).shape());
    double[] sum = new double[dx.length];
    for (int i = 0; i < dy.length; i++) {
      for (int corner = 0; corner < k.count(); corner++) {
        double w = k.weight(i, corner);
        if (w != 0) sum[k.source(i, corner)] += w * dy[i];
      }
    }
    for (int j = 0; j < dx.length; j++) dx[j] += (float) sum[j];
  }

  /** The corners of each output element: bit b of a corner picks tap 1 of the b-th axis. */
  private static final class Corners {
    private final ResizeSpec.Taps[] taps;
    private final int[] in;
    private final int[] out;

    Corners(ResizeSpec.Taps[] taps, Shape x) {
      this.taps = taps;
      this.in = x.dims();
      this.out = new int[taps.length];
      for (int k = 0; k < taps.length; k++) out[k] = taps[k].i0().length;
    }

    int count() {
      return 1 << taps.length;
    }

    double weight(int i, int corner) {
      double w = 1;
      for (int k = taps.length - 1; k >= 0; k--) {
        int o = i % out[k];
        i /= out[k];
        w *= ((corner >> k) & 1) == 0 ? taps[k].w0()[o] : taps[k].w1()[o];
      }
      return w;
    }

    int source(int i, int corner) {
      int offset = 0;
      int stride = 1;
      for (int k = taps.length - 1; k >= 0; k--) {
        int o = i % out[k];
        i /= out[k];
        offset += (((corner >> k) & 1) == 0 ? taps[k].i0()[o] : taps[k].i1()[o]) * stride;
        stride *= in[k];
      }
      return offset;
    }
  }
}
