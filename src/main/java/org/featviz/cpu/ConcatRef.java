package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.ConcatSpec;

/**
 * Concat along an axis. Seen as [outer, axis * inner] matrices (outer = product of the dims before
 * the axis, inner = product of those after), the output's rows are the inputs' rows side by side;
 * backward hands each input its columns of dy.
 */
final class ConcatRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    int axis = ConcatSpec.axis(c.context());
    Shape out = c.out(0).shape();
    int outer = out.size(0, axis);
    int outRow = out.size(axis, out.rank());
    float[] y = c.out(0).data();
    int column = 0;
    for (int i = 0; i < c.inputCount(); i++) {
      float[] x = c.in(i).data();
      int row = x.length / Math.max(outer, 1);
      for (int o = 0; o < outer; o++) System.arraycopy(x, o * row, y, o * outRow + column, row);
      column += row;
    }
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    int axis = ConcatSpec.axis(c.context());
    Shape out = c.gradOut(0).shape();
    int outer = out.size(0, axis);
    int outRow = out.size(axis, out.rank());
    float[] dy = c.gradOut(0).data();
    int column = 0;
    for (int i = 0; i < c.inputCount(); i++) {
      int row = c.in(i).size() / Math.max(outer, 1);
      if (c.gradIn(i) != null) {
        float[] dx = c.gradIn(i).data();
        for (int o = 0; o < outer; o++) {
          for (int j = 0; j < row; j++) dx[o * row + j] += dy[o * outRow + column + j];
        }
      }
      column += row;
    }
  }
}
