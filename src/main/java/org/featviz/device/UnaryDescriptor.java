package org.featviz.device;

/**
 * A library operation on one input without products, y = op(x), and its backward: pooling,
 * activation, LRN, softmax (FP32 in every math mode). Each reads x of {@link #inputCount()} floats
 * and writes y of {@link #outputCount()}; the backward reads x, y and dy and writes dx, except
 * softmax's, which reads y and dy only ({@link #backwardReadsX()}).
 */
public sealed interface UnaryDescriptor
    permits PoolDescriptor, ActivationDescriptor, LrnDescriptor, SoftmaxDescriptor {
  /** The operation in messages and method names: "pooling", "activation", "lrn", "softmax". */
  String operation();

  /** x's floats: y's, except for pooling. */
  default long inputCount() {
    return outputCount();
  }

  long outputCount();

  default boolean backwardReadsX() {
    return true;
  }
}
