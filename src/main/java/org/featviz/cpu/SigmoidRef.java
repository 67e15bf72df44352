package org.featviz.cpu;

/** Sigmoid: y = 1 / (1 + exp(-x)), evaluated without overflow for either sign; dx = dy y (1 - y). */
final class SigmoidRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    float[] x = c.in(0).data();
    float[] y = c.out(0).data();
    for (int i = 0; i < x.length; i++) y[i] = (float) sigmoid(x[i]);
  }

  static double sigmoid(double x) {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    double e = Math.exp(x);
    return e / (1 + e);
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null || c.gradIn(0) == null) return;
    float[] y = c.out(0).data();
    float[] dy = c.gradOut(0).data();
    float[] dx = c.gradIn(0).data();
    for (int i = 0; i < y.length; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
  }
}
