package org.featviz.ir;

import java.util.Arrays;

/**
 * A dense row-major tensor: float32 data in {@link #data()}, or int64 (or bool, as 0 and 1) data in
 * {@link #longs()} for shape-like tensors. The arrays are exposed without copying because kernels
 * read and write them in place; a tensor held by a {@link Graph} (an initializer) is treated as
 * immutable by convention.
 */
public final class Tensor {
  private final Shape shape;
  private final DType dtype;
  private final float[] data;
  private final long[] longs;

  private Tensor(Shape shape, DType dtype, float[] data, long[] longs) {
    this.shape = shape;
    this.dtype = dtype;
    this.data = data;
    this.longs = longs;
  }

  public static Tensor zeros(Shape shape) {
    return new Tensor(shape, DType.FLOAT, new float[shape.size()], null);
  }

  public static Tensor of(Shape shape, float[] data) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(
          "data length " + data.length + " does not match shape " + shape);
    }
    return new Tensor(shape, DType.FLOAT, data, null);
  }

  public static Tensor ofLongs(Shape shape, long[] values) {
    if (values.length != shape.size()) {
      throw new IllegalArgumentException(
          "data length " + values.length + " does not match shape " + shape);
    }
    return new Tensor(shape, DType.INT64, null, values);
  }

  /** An int64 or bool tensor (bool elements are 0 or 1). */
  public static Tensor ofInts(DType dtype, Shape shape, long[] values) {
    if (dtype == DType.FLOAT) throw new IllegalArgumentException("float32 data is a float[]");
    if (values.length != shape.size()) {
      throw new IllegalArgumentException(
          "data length " + values.length + " does not match shape " + shape);
    }
    return new Tensor(shape, dtype, null, values);
  }

  public static Tensor scalar(float v) {
    return of(Shape.scalar(), new float[] {v});
  }

  public Shape shape() {
    return shape;
  }

  public DType dtype() {
    return dtype;
  }

  /** The float32 elements; throws for an int64 tensor. */
  public float[] data() {
    if (data == null)
      throw new IllegalStateException("tensor is " + dtype + ", not float32: " + shape);
    return data;
  }

  /**
   * The int64 elements; float tensors are converted (truncating), as shape-like inputs may arrive
   * as floats.
   */
  public long[] longs() {
    if (longs != null) return longs;
    long[] l = new long[data.length];
    for (int i = 0; i < l.length; i++) l[i] = (long) data[i];
    return l;
  }

  public int size() {
    return shape.size();
  }

  /** The same elements seen with another shape of equal size. */
  public Tensor reshape(Shape newShape) {
    if (newShape.size() != shape.size()) {
      throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape);
    }
    return new Tensor(newShape, dtype, data, longs);
  }

  public Tensor copy() {
    return new Tensor(
        shape, dtype, data == null ? null : data.clone(), longs == null ? null : longs.clone());
  }

  @Override
  public String toString() {
    String values =
        data != null
            ? Arrays.toString(Arrays.copyOf(data, Math.min(8, data.length)))
            : Arrays.toString(Arrays.copyOf(longs, Math.min(8, longs.length)));
    return "Tensor" + shape + " " + dtype + " " + values + (size() > 8 ? "..." : "");
  }
}
