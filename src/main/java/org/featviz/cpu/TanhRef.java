package org.featviz.cpu;

/** Tanh: y = tanh(x); dx = dy (1 - y^2). */
final class TanhRef extends SmoothActivationRef {
  @Override
  double value(double x) {
    return Math.tanh(x);
  }

  @Override
  float gradient(float dy, float y) {
    return dy * (1 - y * y);
  }
}
