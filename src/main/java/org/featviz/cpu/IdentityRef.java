package org.featviz.cpu;

import org.featviz.ir.Tensor;

/** Identity, and Dropout in inference mode (its optional mask output is all ones). */
final class IdentityRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    Tensor x = c.in(0);
    System.arraycopy(x.data(), 0, c.out(0).data(), 0, x.size());
    if (c.outputCount() > 1 && c.out(1) != null) java.util.Arrays.fill(c.out(1).data(), 1f);
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradIn(0) == null || c.gradOut(0) == null) return;
    float[] g = c.gradIn(0).data();
    float[] go = c.gradOut(0).data();
    for (int i = 0; i < g.length; i++) g[i] += go[i];
  }
}
