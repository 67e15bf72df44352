package org.featviz.cuda;

import java.util.HashMap;
import java.util.Map;
import org.featviz.cpu.CpuKernels;
import org.featviz.cpu.KernelCall;
import org.featviz.cpu.OpTesting;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.PoolDescriptor;
import org.featviz.ir.Node;
import org.featviz.ir.Tensor;

/**
 * The CPU reference kernels as the oracle of the custom kernel and library tests: one node, forward
 * or input gradients; the ONNX nodes that the device's convolution and pooling descriptors compute;
 * the alpha/beta blend.
 */
public final class CpuOracle {
  private CpuOracle() {}

  public static Tensor forward(Node node, Tensor... inputs) {
    return OpTesting.forward(node, inputs)[0];
  }

  /** The gradient of each input i with wrt[i] (null elsewhere) for output gradient gradOut. */
  public static Tensor[] backward(Node node, Tensor[] inputs, Tensor gradOut, boolean... wrt) {
    Tensor[] out = OpTesting.forward(node, inputs);
    Tensor[] gradIn = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++)
      if (i < wrt.length && wrt[i]) gradIn[i] = Tensor.zeros(inputs[i].shape());
    CpuKernels.forNode(node, OpTesting.OPSET)
        .backward(
            new KernelCall(node, OpTesting.OPSET, inputs, out, new Tensor[] {gradOut}, gradIn));
    return gradIn;
  }

  /** The ONNX Conv of a device convolution: inputs x and w, and the bias b with inputs 3. */
  public static Node conv(ConvDescriptor d, int inputs) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("pads", bothEnds(d.pads()));
    attrs.put("strides", longs(d.strides()));
    attrs.put("dilations", longs(d.dilations()));
    attrs.put("group", (long) d.groups());
    return OpTesting.node("Conv", attrs, inputs, 1);
  }

  /** The ONNX MaxPool or AveragePool (counting the padding or not) of a device pooling. */
  public static Node pool(PoolDescriptor d) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("kernel_shape", longs(d.window()));
    attrs.put("pads", bothEnds(d.pads()));
    attrs.put("strides", longs(d.strides()));
    if (d.mode() != PoolDescriptor.Mode.MAX) {
      attrs.put(
          "count_include_pad", d.mode() == PoolDescriptor.Mode.AVERAGE_COUNT_INCLUDE_PAD ? 1L : 0L);
    }
    return OpTesting.node(
        d.mode() == PoolDescriptor.Mode.MAX ? "MaxPool" : "AveragePool", attrs, 1, 1);
  }

  /** alpha result + beta prior: what a library call with alpha and beta leaves in its output. */
  public static float[] blend(float[] result, float alpha, float beta, float[] prior) {
    float[] r = new float[result.length];
    for (int i = 0; i < r.length; i++) r[i] = alpha * result[i] + beta * prior[i];
    return r;
  }

  public static float[] plus(float[] a, float[] b) {
    float[] r = new float[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] + b[i];
    return r;
  }

  private static long[] longs(int... v) {
    long[] r = new long[v.length];
    for (int i = 0; i < v.length; i++) r[i] = v[i];
    return r;
  }

  /** ONNX pads: the device's symmetric pads at the start of each axis, then the same at the end. */
  private static long[] bothEnds(int... v) {
    long[] r = new long[2 * v.length];
    for (int i = 0; i < v.length; i++) r[i] = r[i + v.length] = v[i];
    return r;
  }
}
