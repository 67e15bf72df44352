package org.featviz.cpu;

import org.featviz.ops.SplitSpec;

/**
 * Split: output k is x's rows offsets[k] .. offsets[k] + sizes[k] along the axis; the gradient
 * places each output's gradient back at its rows (outputs no gradient reaches add nothing).
 */
final class SplitRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    SplitSpec.Parts p = SplitSpec.parts(c.context());
    float[] x = c.in(0).data();
    for (int k = 0; k < p.sizes().length; k++) {
      if (c.out(k) == null) continue;
      float[] y = c.out(k).data();
      int row = p.sizes()[k] * p.inner();
      for (int o = 0; o < p.outer(); o++)
        System.arraycopy(x, (o * p.axisDim() + p.offsets()[k]) * p.inner(), y, o * row, row);
    }
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradIn(0) == null) return;
    SplitSpec.Parts p = SplitSpec.parts(c.context());
    float[] dx = c.gradIn(0).data();
    for (int k = 0; k < p.sizes().length; k++) {
      if (c.gradOut(k) == null) continue;
      float[] dy = c.gradOut(k).data();
      int row = p.sizes()[k] * p.inner();
      for (int o = 0; o < p.outer(); o++) {
        int at = (o * p.axisDim() + p.offsets()[k]) * p.inner();
        for (int j = 0; j < row; j++) dx[at + j] += dy[o * row + j];
      }
    }
  }
}
