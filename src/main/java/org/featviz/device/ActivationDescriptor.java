package org.featviz.device;

/**
 * An element-wise activation over {@code count} floats, y = act(x) (x and y may be the same
 * buffer). The library refuses a count below 1.
 */
public record ActivationDescriptor(ActivationMode mode, int count) implements UnaryDescriptor {
  @Override
  public String operation() {
    return "activation";
  }

  @Override
  public long outputCount() {
    return count;
  }
}
