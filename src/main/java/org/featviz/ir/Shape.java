package org.featviz.ir;

import java.util.Arrays;

/** An immutable static tensor shape, outermost dimension first (NCHW for images). */
public final class Shape {
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims;
  }

  public static Shape of(int... dims) {
    for (int d : dims) {
      if (d < 0)
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
    }
    return new Shape(dims.clone());
  }

  public static Shape of(long... dims) {
    int[] d = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("dimension out of range in " + Arrays.toString(dims));
      }
      d[i] = (int) dims[i];
    }
    return new Shape(d);
  }

  public static Shape scalar() {
    return new Shape(new int[0]);
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis < 0 ? axis + dims.length : axis];
  }

  public int[] dims() {
    return dims.clone();
  }

  public long[] longDims() {
    long[] l = new long[dims.length];
    for (int i = 0; i < dims.length; i++) l[i] = dims[i];
    return l;
  }

  /**
   * Number of elements; throws where it does not fit an int (featviz keeps tensors in Java arrays).
   */
  public int size() {
    long n = 1;
    for (int d : dims) n *= d;
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + this);
    return (int) n;
  }

  /** Product of dims[from..to). */
  public int size(int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) n *= dims[i];
    return (int) n;
  }

  public Shape withDim(int axis, int value) {
    int[] d = dims.clone();
    d[axis] = value;
    return of(d);
  }

  /** Row-major strides in elements. */
  public int[] strides() {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  /** Normalizes a possibly negative axis against this rank, naming the op in the error. */
  public int axis(int axis, String what) {
    int a = axis < 0 ? axis + dims.length : axis;
    if (a < 0 || a >= Math.max(dims.length, 1)) {
      throw new IllegalArgumentException(
          what + ": axis " + axis + " out of range for shape " + this);
    }
    return a;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) b.append(", ");
      b.append(dims[i]);
    }
    return b.append(']').toString();
  }
}
