package org.featviz.cpu;

/**
 * Relu: y = max(x, 0); dx = dy where x > 0. Elementwise, so large tensors go in parallel chunks.
 */
final class ReluRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    float[] x = c.in(0).data();
    float[] y = c.out(0).data();
    Parallel.chunks(
        x.length,
        (from, to) -> {
          for (int i = from; i < to; i++) y[i] = x[i] > 0 ? x[i] : 0f;
        });
  }

  @Override
  public void backward(KernelCall c) {
    float[] x = c.in(0).data();
    float[] dy = c.gradOut(0).data();
    float[] dx = c.gradIn(0).data();
    Parallel.chunks(
        x.length,
        (from, to) -> {
          for (int i = from; i < to; i++) dx[i] += x[i] > 0 ? dy[i] : 0f;
        });
  }
}
