package org.featviz.cpu;

/**
 * LeakyRelu: y = x for x >= 0, alpha x below (alpha default 0.01); dx = dy or alpha dy on the same
 * split.
 */
final class LeakyReluRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    float alpha = alpha(c);
    for (int i = 0; i < x.length; i++) y[i] = x[i] >= 0 ? x[i] : alpha * x[i];
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    float alpha = alpha(c);
    float[] x = c.in(0).data();
    for (int i = 0; i < x.length; i++) dx[i] += x[i] >= 0 ? dy[i] : alpha * dy[i];
  }

  private static float alpha(KernelCall c) {
    return c.node().attributes().getFloat("alpha", 0.01f);
  }
}
