package org.featviz.cuda;

import org.featviz.cpu.CpuKernels;
import org.featviz.cpu.KernelCall;
import org.featviz.cpu.OpTesting;
import org.featviz.ir.Node;
import org.featviz.ir.Tensor;

/** The CPU reference kernels as the oracle of the custom kernel tests: one node, forward or input gradients. */
public final class CpuOracle {
  private CpuOracle() {}

  public static Tensor forward(Node node, Tensor... inputs) {
    return OpTesting.forward(node, inputs)[0];
  }

  /** The gradient of each input i with wrt[i] (null elsewhere) for output gradient gradOut. */
  public static Tensor[] backward(Node node, Tensor[] inputs, Tensor gradOut, boolean... wrt) {
    Tensor[] out = OpTesting.forward(node, inputs);
    Tensor[] gradIn = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) if (i < wrt.length && wrt[i]) gradIn[i] = Tensor.zeros(inputs[i].shape());
    CpuKernels.forNode(node, OpTesting.OPSET).backward(
        new KernelCall(node, OpTesting.OPSET, inputs, out, new Tensor[] {gradOut}, gradIn));
    return gradIn;
  }

  public static float[] plus(float[] a, float[] b) {
    float[] r = new float[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] + b[i];
    return r;
  }
}
