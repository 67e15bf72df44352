package org.featviz.ops;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;

/**
 * Pad: X of any rank grows (or, with negative pads, shrinks) by pads = [x1_begin, x2_begin, ...,
 * x1_end, x2_end, ...]. Opset 11 and later take pads as input 1 (which must be a constant, since it
 * decides the output shape), an optional constant_value as input 2 and, from opset 18, optional
 * axes as input 3 that pads refers to; older opsets take the pads (opset 1: paddings) and value
 * attributes. Modes: constant, reflect, edge, wrap (opset 19).
 */
public final class PadSpec implements OpSpec {
  static final PadSpec INSTANCE = new PadSpec();

  /** How values outside the input are made. */
  public enum Mode {
    CONSTANT,
    REFLECT,
    EDGE,
    WRAP
  }

  /** Padding before and after each axis of the input (negative removes elements), and the mode. */
  public record Padding(int[] begin, int[] end, Mode mode) {
    public Shape outputShape(Shape x) {
      int[] d = x.dims();
      for (int i = 0; i < d.length; i++) d[i] += begin[i] + end[i];
      return Shape.of(d);
    }
  }

  private PadSpec() {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    Padding p = padding(ctx);
    for (int i = 0; i < x.rank(); i++) {
      int size = x.dim(i) + p.begin()[i] + p.end()[i];
      if (size < 0) {
        throw ctx.error(
            "pads "
                + Arrays.toString(p.begin())
                + "/"
                + Arrays.toString(p.end())
                + " remove more than"
                + " the "
                + x.dim(i)
                + " elements of axis "
                + i
                + " of input "
                + x);
      }
      boolean grows = p.begin()[i] > 0 || p.end()[i] > 0;
      if (grows && x.dim(i) == 0 && p.mode() != Mode.CONSTANT) {
        throw ctx.error(
            "mode "
                + p.mode().name().toLowerCase()
                + " cannot pad the empty axis "
                + i
                + " of input "
                + x);
      }
    }
    return List.of(p.outputShape(x));
  }

  /** pads (input 1) and, where present, axes (input 3), from opset 11 on. */
  @Override
  public int[] constantInputs() {
    return new int[] {1, 3};
  }

  /** The pads and mode, per axis of input 0. */
  public static Padding padding(OpContext ctx) {
    Shape x = ctx.in(0);
    int rank = x.rank();
    Attributes a = ctx.node().attributes();
    String modeName = a.getString("mode", "constant");
    Mode mode =
        switch (modeName) {
          case "constant" -> Mode.CONSTANT;
          case "reflect" -> Mode.REFLECT;
          case "edge" -> Mode.EDGE;
          case "wrap" -> Mode.WRAP;
          default ->
              throw ctx.error(
                  "mode '" + modeName + "' is not one of constant, reflect, edge, wrap");
        };
    long[] pads;
    int[] axes;
    if (ctx.opset() < 11) {
      pads = a.getInts("pads", a.getInts("paddings", null));
      if (pads == null) throw ctx.error("attribute pads is required before opset 11");
      axes = allAxes(rank);
    } else {
      pads = ctx.constant(1).longs();
      axes = ctx.hasInput(3) ? axes(ctx, x) : allAxes(rank);
    }
    if (pads.length != 2 * axes.length) {
      throw ctx.error(
          "pads has "
              + pads.length
              + " values, expected "
              + 2 * axes.length
              + " (begin and end for each"
              + " of "
              + axes.length
              + " axes of input "
              + x
              + ")");
    }
    int[] begin = new int[rank];
    int[] end = new int[rank];
    for (int i = 0; i < axes.length; i++) {
      begin[axes[i]] = Math.toIntExact(pads[i]);
      end[axes[i]] = Math.toIntExact(pads[i + axes.length]);
    }
    return new Padding(begin, end, mode);
  }

  /**
   * The fill value of constant mode: input 2 (opset 11+) or the value attribute; 0 where absent.
   */
  public static float constantValue(OpContext ctx) {
    if (ctx.opset() < 11) return ctx.node().attributes().getFloat("value", 0f);
    if (!ctx.hasInput(2)) return 0f;
    float[] v = ctx.constant(2).data();
    return v.length == 0 ? 0f : v[0];
  }

  private static int[] axes(OpContext ctx, Shape x) {
    long[] raw = ctx.constant(3).longs();
    int[] axes = new int[raw.length];
    boolean[] seen = new boolean[x.rank()];
    for (int i = 0; i < raw.length; i++) {
      axes[i] = Axes.normalize(ctx, raw[i], x);
      if (seen[axes[i]])
        throw ctx.error("axes " + Arrays.toString(raw) + " names axis " + axes[i] + " twice");
      seen[axes[i]] = true;
    }
    return axes;
  }

  private static int[] allAxes(int rank) {
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) axes[i] = i;
    return axes;
  }
}
