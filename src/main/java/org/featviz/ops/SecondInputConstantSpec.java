package org.featviz.ops;

/**
 * An op whose input 1 says how to read input 0 and must be known before shapes can be inferred:
 * Reshape's shape, Squeeze's and Unsqueeze's axes, Gather's indices, the Reduce ops' axes, Split's
 * sizes.
 */
interface SecondInputConstantSpec extends OpSpec {
  @Override
  default int[] constantInputs() {
    return new int[] {1};
  }
}
