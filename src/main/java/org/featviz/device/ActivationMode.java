package org.featviz.device;

/**
 * The element-wise activations the device libraries compute (cuDNN's activation modes of the same
 * names).
 */
public enum ActivationMode {
  /** y = max(x, 0); dx = dy where x > 0. */
  RELU,
  /** y = 1 / (1 + exp(-x)); dx = dy y (1 - y). */
  SIGMOID,
  /** y = tanh(x); dx = dy (1 - y^2). */
  TANH
}
