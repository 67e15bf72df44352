package org.featviz.cpu;

import org.featviz.ops.UnaryFunction;
import org.featviz.ops.UnarySpec;

/**
 * The {@link UnaryFunction} ops: y = f(x) and dx += dy f'(x), computed in double from x and rounded
 * to float. Pow's exponent (input 1) is a constant and gets no gradient.
 */
final class UnaryRef implements DataGradientKernel {
  private final UnaryFunction f;

  UnaryRef(UnaryFunction f) {
    this.f = f;
  }

  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    float[] pq = UnarySpec.parameters(c.context());
    for (int i = 0; i < x.length; i++) y[i] = (float) f.value(x[i], pq[0], pq[1]);
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    float[] pq = UnarySpec.parameters(c.context());
    float[] x = c.in(0).data();
    for (int i = 0; i < x.length; i++) dx[i] += (float) (dy[i] * f.derivative(x[i], pq[0], pq[1]));
  }
}
