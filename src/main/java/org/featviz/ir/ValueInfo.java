package org.featviz.ir;

import java.util.Arrays;

/**
 * A declared graph input or output: name, element type (null where featviz does not compute with
 * it; typeName then says which it is) and dimensions as the model states them, where -1 marks a
 * dynamic dimension.
 */
public record ValueInfo(String name, DType dtype, String typeName, long[] dims) {
  public ValueInfo {
    dims = dims.clone();
  }

  public static ValueInfo of(String name, Shape shape) {
    return new ValueInfo(name, DType.FLOAT, DType.FLOAT.toString(), shape.longDims());
  }

  public boolean isStatic() {
    return Arrays.stream(dims).allMatch(d -> d >= 0);
  }

  public String dimsText() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) b.append(", ");
      b.append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
    }
    return b.append(']').toString();
  }
}
