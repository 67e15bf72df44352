package org.featviz.cpu;

/**
 * Sigmoid: y = 1 / (1 + exp(-x)), evaluated without overflow for either sign; dx = dy y (1 - y).
 */
final class SigmoidRef extends SmoothActivationRef {
  @Override
  double value(double x) {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    double e = Math.exp(x);
    return e / (1 + e);
  }

  @Override
  float gradient(float dy, float y) {
    return dy * y * (1 - y);
  }
}
