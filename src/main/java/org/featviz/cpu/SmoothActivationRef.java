package org.featviz.cpu;

/**
 * An elementwise activation computed in double and rounded to float, whose backward reads only y: y
 * = f(x) and dx += dy f'(x) with f'(x) written in terms of y (Sigmoid, Tanh).
 */
abstract class SmoothActivationRef implements DataGradientKernel {
  /** f(x). */
  abstract double value(double x);

  /** dy f'(x), from y = f(x). */
  abstract float gradient(float dy, float y);

  @Override
  public final void forward(KernelCall c, float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = (float) value(x[i]);
  }

  @Override
  public final void backward(KernelCall c, float[] dy, float[] dx) {
    float[] y = c.out(0).data();
    for (int i = 0; i < y.length; i++) dx[i] += gradient(dy[i], y[i]);
  }
}
