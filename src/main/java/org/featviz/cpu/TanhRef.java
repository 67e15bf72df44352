package org.featviz.cpu;

/** Tanh: y = tanh(x); dx = dy (1 - y^2). */
final class TanhRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    float[] x = c.in(0).data();
    float[] y = c.out(0).data();
    for (int i = 0; i < x.length; i++) y[i] = (float) Math.tanh(x[i]);
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null || c.gradIn(0) == null) return;
    float[] y = c.out(0).data();
    float[] dy = c.gradOut(0).data();
    float[] dx = c.gradIn(0).data();
    for (int i = 0; i < y.length; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
  }
}
