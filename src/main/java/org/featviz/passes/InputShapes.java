package org.featviz.passes;

import java.util.Arrays;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;

/**
 * The static input shape featviz runs a model with: the model's own where it is static, a dynamic batch dimension
 * taken as 1 (batches are set per run), and a user-given shape (--input-shape) where other dimensions are dynamic.
 */
public final class InputShapes {
  private InputShapes() {}

  /** @param override the user's shape, or null; a leading dimension may be omitted (the batch, then 1). */
  public static Shape resolve(Graph g, ValueInfo input, long[] override) {
    long[] declared = input.dims();
    if (input.dtype() == null) {
      throw new ModelException(g.source() + ": input '" + input.name() + "' is " + input.typeName()
          + "; featviz feeds float32 inputs");
    }
    if (override != null) {
      long[] dims = override.length == declared.length - 1 ? prepend(1, override) : override;
      if (dims.length != declared.length) {
        throw new ModelException(g.source() + ": --input-shape " + Arrays.toString(override) + " has rank "
            + override.length + ", but input '" + input.name() + "' is " + input.dimsText());
      }
      for (int i = 1; i < dims.length; i++) {
        if (dims[i] <= 0) throw new ModelException("--input-shape: dimension " + i + " must be positive");
        if (declared[i] >= 0 && declared[i] != dims[i]) {
          throw new ModelException(g.source() + ": --input-shape " + Arrays.toString(override)
              + " conflicts with the model's input '" + input.name() + "' " + input.dimsText());
        }
      }
      return Shape.of(dims);
    }
    long[] dims = declared.clone();
    if (dims.length > 0 && dims[0] < 0) dims[0] = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new ModelException(g.source() + ": input '" + input.name() + "' has the dynamic shape "
            + input.dimsText() + "; give its size with --input-shape (for example --input-shape "
            + example(declared) + ")");
      }
    }
    return Shape.of(dims);
  }

  private static String example(long[] declared) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < declared.length; i++) {
      if (i > 0) b.append(',');
      b.append(declared[i] >= 0 ? declared[i] : (i == 0 ? 1 : 224));
    }
    return b.toString();
  }

  private static long[] prepend(long first, long[] rest) {
    long[] r = new long[rest.length + 1];
    r[0] = first;
    System.arraycopy(rest, 0, r, 1, rest.length);
    return r;
  }
}
