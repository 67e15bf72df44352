package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.PadSpec;

/**
 * Pad of any rank, in modes constant, reflect, edge and wrap; negative pads crop.
 *
 * <pre>
 * y[o1, ..., or] = x[src1(o1), ..., srcr(or)] where every srcA(o) lies inside the input, else the constant value
 * srcA(o) = o - begin[A], mapped back into [0, size) by the mode:
 *   constant: none (outside means the constant)   edge: clamped to the nearest end
 *   reflect:  mirrored about the end elements, which are not repeated (numpy's reflect; period 2 (size - 1))
 *   wrap:     modulo size
 * </pre>
 *
 * The backward adds dy[o] into dx[src(o)] wherever the source is an input element, so it serves
 * every mode (reflect and edge gather several outputs into one input). The per-axis maps are built
 * once per call.
 */
final class PadRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    PadSpec.Padding padding = PadSpec.padding(c.context());
    float value = PadSpec.constantValue(c.context());
    forEachOutput(c.in(0).shape(), padding, (o, src) -> y[o] = src < 0 ? value : x[src]);
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    PadSpec.Padding padding = PadSpec.padding(c.context());
    forEachOutput(
        c.in(0).shape(),
        padding,
        (o, src) -> {
          if (src >= 0) dx[src] += dy[o];
        });
  }

  /** Receives each output offset with its input offset, or -1 where the output is the constant. */
  private interface Visitor {
    void accept(int output, int source);
  }

  /** Visits the outputs in row-major order with the input element each one copies. */
  private static void forEachOutput(Shape x, PadSpec.Padding padding, Visitor visitor) {
    int rank = x.rank();
    Shape y = padding.outputShape(x);
    if (y.size() == 0) return;
    int[] xStrides = x.strides();
    // source[a][o]: the input offset contribution of index o along axis a, or -1 outside the input.
    int[][] source = new int[rank][];
    for (int a = 0; a < rank; a++) {
      source[a] = new int[y.dim(a)];
      for (int o = 0; o < y.dim(a); o++) {
        int i = sourceIndex(o - padding.begin()[a], x.dim(a), padding.mode());
        source[a][o] = i < 0 ? -1 : i * xStrides[a];
      }
    }
    if (rank == 0) {
      visitor.accept(0, 0);
      return;
    }
    int[] index = new int[rank];
    int last = rank - 1;
    int rowLength = y.dim(last);
    for (int o = 0; o < y.size(); o += rowLength) {
      // Offset of the row's start in the input from the outer axes; -1 where any of them is
      // outside.
      int rowSource = 0;
      for (int a = 0; a < last && rowSource >= 0; a++) {
        int s = source[a][index[a]];
        rowSource = s < 0 ? -1 : rowSource + s;
      }
      for (int i = 0; i < rowLength; i++) {
        int s = source[last][i];
        visitor.accept(o + i, rowSource < 0 || s < 0 ? -1 : rowSource + s);
      }
      for (int a = last - 1; a >= 0; a--) {
        if (++index[a] < y.dim(a)) break;
        index[a] = 0;
      }
    }
  }

  /**
   * The input index that padded index i (input coordinates, may be outside) copies, or -1 for the
   * constant.
   */
  static int sourceIndex(int i, int size, PadSpec.Mode mode) {
    if (i >= 0 && i < size) return i;
    return switch (mode) {
      case CONSTANT -> -1;
      case EDGE -> i < 0 ? 0 : size - 1;
      case WRAP -> Math.floorMod(i, size);
      case REFLECT -> {
        if (size == 1) yield 0;
        int period = 2 * (size - 1);
        int r = Math.floorMod(i, period);
        yield r < size ? r : period - r;
      }
    };
  }
}
