package org.featviz.cpu;

import org.featviz.ir.DType;
import org.featviz.ir.Tensor;
import org.featviz.ops.ConstantSpec;

/**
 * Constant: copies the node's value into the (float) output; int64 values are converted to float,
 * since the executor computes in float32 (the constant-folding pass keeps int64 constants exact via
 * {@link ConstantSpec}).
 */
final class ConstantRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    Tensor value = ConstantSpec.value(c.context());
    float[] y = c.out(0).data();
    if (value.dtype() == DType.FLOAT) {
      System.arraycopy(value.data(), 0, y, 0, y.length);
    } else {
      long[] v = value.longs();
      for (int i = 0; i < y.length; i++) y[i] = v[i];
    }
  }

  @Override
  public void backward(KernelCall c) {
    // No inputs, so no input gradients.
  }
}
