package org.featviz.device;

/**
 * Softmax over groups of {@code length} elements, {@code inner} apart: the row-major tensor seen as
 * [outer, length, inner], normalized along the middle axis, as cuDNN's channel mode does on an
 * [outer, length, inner, 1] tensor (for inner = 1 that is the [N, C] view).
 *
 * <pre>
 * y[o, j, i] = exp(x[o, j, i] - m) / sum over j' of exp(x[o, j', i] - m), m = max over j' of x[o, j', i]
 * backward: dx[o, j, i] = y[o, j, i] (dy[o, j, i] - sum over j' of dy[o, j', i] y[o, j', i])
 * </pre>
 */
public record SoftmaxDescriptor(int outer, int length, int inner) implements UnaryDescriptor {
  public SoftmaxDescriptor {
    if (outer < 1 || length < 1 || inner < 1) {
      throw new IllegalArgumentException(
          "softmax: outer "
              + outer
              + ", length "
              + length
              + ", inner "
              + inner
              + " must be positive");
    }
  }

  @Override
  public long outputCount() {
    return (long) outer * length * inner;
  }

  @Override
  public String operation() {
    return "softmax";
  }

  /** Softmax's backward reads y and dy only. */
  @Override
  public boolean backwardReadsX() {
    return false;
  }
}
