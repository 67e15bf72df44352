package org.featviz.cpu;

/**
 * A {@link CpuKernel} with one output whose only gradient is that of input 0, the data (other
 * inputs, such as Pad's pads or Gather's indices, are constants): its backward runs only where the
 * output's gradient reaches it and input 0's is wanted.
 */
interface DataGradientKernel extends CpuKernel {
  /** Adds to dx, input 0's gradient, what dy, the output's, gives it. */
  void backward(KernelCall c, float[] dy, float[] dx);

  @Override
  default void backward(KernelCall c) {
    if (c.gradOut(0) == null || c.gradIn(0) == null) return;
    backward(c, c.gradOut(0).data(), c.gradIn(0).data());
  }
}
