package org.featviz.cpu;

/**
 * A {@link CpuKernel} with one output computed from input 0, the data, whose only gradient is that
 * input's (other inputs, such as Pad's pads or Gather's indices, are constants): it gets x and y,
 * and its backward runs only where the output's gradient reaches it and input 0's is wanted.
 */
interface DataGradientKernel extends CpuKernel {
  /** Writes y, the output, from x, input 0 (and the call's constant inputs and attributes). */
  void forward(KernelCall c, float[] x, float[] y);

  @Override
  default void forward(KernelCall c) {
    forward(c, c.in(0).data(), c.out(0).data());
  }

  /** Adds to dx, input 0's gradient, what dy, the output's, gives it. */
  void backward(KernelCall c, float[] dy, float[] dx);

  @Override
  default void backward(KernelCall c) {
    if (c.gradOut(0) == null || c.gradIn(0) == null) return;
    backward(c, c.gradOut(0).data(), c.gradIn(0).data());
  }
}
