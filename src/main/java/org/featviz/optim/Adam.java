package org.featviz.optim;

/**
 * Adam (Kingma and Ba) for gradient ascent on one parameter vector: p += lr * m_hat / (sqrt(v_hat)
 * + eps). One instance per image, so every batch element keeps its own moments.
 */
public final class Adam {
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final float[] m;
  private final float[] v;
  private int t;

  public Adam(int size, double lr) {
    this(size, lr, 0.9, 0.999, 1e-8);
  }

  public Adam(int size, double lr, double beta1, double beta2, double eps) {
    if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.m = new float[size];
    this.v = new float[size];
  }

  /** One ascent step along grad (the gradient of the quantity to maximize). */
  public void ascend(float[] params, float[] grad) {
    t++;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    for (int i = 0; i < params.length; i++) {
      m[i] = (float) (beta1 * m[i] + (1 - beta1) * grad[i]);
      v[i] = (float) (beta2 * v[i] + (1 - beta2) * grad[i] * (double) grad[i]);
      params[i] += (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps));
    }
  }

  public int steps() {
    return t;
  }
}
