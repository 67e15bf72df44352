package org.featviz.passes;

import java.util.Arrays;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;

/**
 * The static input shape featviz runs a model with: the model's own where it is static, a dynamic
 * batch dimension taken as 1 (batches are set per run), and a given shape (C,H,W: one image,
 * without the batch; or with the batch first) where other dimensions are dynamic. Messages name no
 * command-line flag: they are {@link InputShapeException}s, which the CLI completes with its
 * option.
 */
public final class InputShapes {
  private InputShapes() {}

  /** A given input shape that does not fit the model, or a dynamic model without one. */
  public static final class InputShapeException extends ModelException {
    public InputShapeException(String message) {
      super(message);
    }
  }

  /**
   * @param override the given shape, or null: one image's dimensions after the batch (C,H,W for an
   *     image input), or all of them with the batch first (the model's own batch where it is fixed)
   */
  public static Shape resolve(Graph g, ValueInfo input, long[] override) {
    long[] declared = input.dims();
    if (input.dtype() == null || input.dtype() == org.featviz.ir.DType.BOOL) {
      throw new ModelException(
          g.source()
              + ": input '"
              + input.name()
              + "' is "
              + input.typeName()
              + "; featviz feeds float32 inputs");
    }
    long batch = declared.length > 0 && declared[0] >= 0 ? declared[0] : 1;
    if (override != null) {
      if (override.length != declared.length && override.length != declared.length - 1) {
        throw new InputShapeException(
            g.source()
                + ": the input shape "
                + text(override)
                + " has "
                + override.length
                + " dimension(s), but input '"
                + input.name()
                + "' is "
                + input.dimsText()
                + "; give "
                + form(declared.length)
                + ", one image without the batch");
      }
      long[] dims =
          override.length == declared.length ? override.clone() : prepend(batch, override);
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] <= 0) {
          throw new InputShapeException(
              g.source() + ": the input shape " + text(override) + ": dimensions must be positive");
        }
        if (i > 0 && declared[i] >= 0 && declared[i] != dims[i]) {
          throw new InputShapeException(
              g.source()
                  + ": the input shape "
                  + text(override)
                  + " conflicts with the model's input '"
                  + input.name()
                  + "' "
                  + input.dimsText());
        }
      }
      if (declared.length > 0 && declared[0] >= 0 && dims[0] != batch) {
        throw new InputShapeException(
            g.source()
                + ": the input shape "
                + text(override)
                + ": input '"
                + input.name()
                + "' "
                + input.dimsText()
                + " has a fixed batch of "
                + batch);
      }
      return Shape.of(dims);
    }
    long[] dims = declared.clone();
    if (dims.length > 0 && dims[0] < 0) dims[0] = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new InputShapeException(
            g.source()
                + ": input '"
                + input.name()
                + "' has the dynamic shape "
                + input.dimsText()
                + "; give one image's size as the input shape "
                + form(declared.length)
                + " (for example "
                + example(declared)
                + ")");
      }
    }
    return Shape.of(dims);
  }

  /**
   * Checks that a shape a user gives describes one image: with the batch first, the batch must be 1
   * (batches are set per run). Call it where a person types the shape; internal callers may give
   * larger batches to {@link #resolve}.
   */
  public static void requireOneImage(Graph g, long[] override) {
    if (override == null || g.inputs().size() != 1) return;
    ValueInfo input = g.inputs().get(0);
    long[] declared = input.dims();
    if (override.length == declared.length && declared.length > 1 && override[0] != 1) {
      throw new InputShapeException(
          g.source()
              + ": the input shape "
              + text(override)
              + ": the batch is set per run;"
              + " give "
              + form(declared.length)
              + ": the input shape "
              + text(Arrays.copyOfRange(override, 1, override.length)));
    }
  }

  /**
   * How the input shape is written for an input of this rank: C,H,W for images, else the dimensions
   * after N.
   */
  private static String form(int rank) {
    if (rank == 4) return "C,H,W";
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < rank; i++) b.append(i > 1 ? "," : "").append('D').append(i);
    return rank <= 1 ? "the input's dimensions" : b.toString();
  }

  /**
   * An input shape for this input: its static dimensions after the batch, typical sizes for the
   * others.
   */
  private static String example(long[] declared) {
    long[] dims = new long[Math.max(0, declared.length - 1)];
    for (int i = 1; i < declared.length; i++) {
      dims[i - 1] = declared[i] >= 0 ? declared[i] : (declared.length == 4 && i == 1 ? 3 : 224);
    }
    return text(dims);
  }

  /** Dimensions as the command line takes them: 3,224,224. */
  static String text(long[] dims) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dims.length; i++) b.append(i > 0 ? "," : "").append(dims[i]);
    return b.toString();
  }

  private static long[] prepend(long first, long[] rest) {
    long[] r = new long[rest.length + 1];
    r[0] = first;
    System.arraycopy(rest, 0, r, 1, rest.length);
    return r;
  }
}
