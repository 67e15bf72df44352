package org.featviz.plan;

import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;

/**
 * One tensor of a {@link DevicePlan}: a graph value (input, activation or weight), an intermediate
 * a lowering adds (the explicit padding before a convolution), or the gradient of one of those. Its
 * memory is a {@link Storage}, shared with the values it aliases (Reshape and Flatten outputs are
 * their inputs seen with another shape) and, once their lifetimes are over, reused by other
 * storages.
 */
final class DeviceValue {
  /** Where the value comes from, which decides where its memory lives. */
  enum Kind {
    /** A graph input, uploaded at the start of each forward. */
    INPUT,
    /** Computed by a step. */
    ACTIVATION,
    /** An initializer or constant, uploaded once when the plan is built and kept for its life. */
    WEIGHT,
    /** The gradient of another value, computed by the backward steps. */
    GRADIENT
  }

  private final String name;
  private final Shape shape;
  private final Kind kind;
  private final Storage storage;

  DeviceValue(String name, Shape shape, Kind kind, Storage storage) {
    this.name = name;
    this.shape = shape;
    this.kind = kind;
    this.storage = storage;
    storage.add(this);
  }

  String name() {
    return name;
  }

  Shape shape() {
    return shape;
  }

  Kind kind() {
    return kind;
  }

  Storage storage() {
    return storage;
  }

  /** Elements (floats). */
  int count() {
    return shape.size();
  }

  /** The device memory holding this value (valid once the plan is allocated, while it is open). */
  DeviceBuffer buffer() {
    return storage.buffer();
  }

  @Override
  public String toString() {
    return name + " " + shape + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }
}
