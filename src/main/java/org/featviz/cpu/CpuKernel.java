package org.featviz.cpu;

/**
 * The CPU reference implementation of one ONNX op: forward, and the gradient with respect to its
 * inputs (weights are frozen in featviz, but the backward still yields gradients for every input
 * that asks for one). Implementations are plain and obviously right: they are the oracle for every
 * GPU kernel.
 */
public interface CpuKernel {
  /**
   * Computes {@code call.out(i)} (preallocated with the inferred shapes) from {@code call.in(i)}.
   */
  void forward(KernelCall call);

  /**
   * Adds the gradient of the loss with respect to each input i into {@code call.gradIn(i)}: a
   * zero-filled tensor where that gradient is wanted, null where it is not. {@code call.gradOut(i)}
   * holds the gradient with respect to output i (null where no gradient reaches that output).
   */
  void backward(KernelCall call);
}
