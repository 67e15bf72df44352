package org.featviz.device.emu;

import java.util.HashMap;
import java.util.Map;
import org.featviz.cpu.CpuKernels;
import org.featviz.cpu.KernelCall;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * The emulator's library operations: each copies its operands from device memory into host tensors, runs the CPU
 * reference kernel of the matching ONNX op (org.featviz.cpu, through a one-node call built from the descriptor),
 * and writes {@code alpha result + beta out} back. So on the emulator cuDNN and cuBLAS are the CPU oracle itself,
 * and the tests of a plan check everything around them: descriptors, argument order, scaling, accumulation.
 *
 * <p>In {@link MathMode#TF32} the operands of convolutions and GEMMs (never C of a GEMM, nor the accumulation,
 * which stay FP32) are rounded to TF32's 10-bit mantissa first, as tensor cores read them, so the emulator shows
 * the error TF32 brings and tests can bound it. Other operations do not change with the math mode, as on the GPU.
 */
final class ReferenceLibrary implements DeviceLibrary {
  /** The opset whose op semantics the descriptors map to (Softmax along one axis needs 13 or later). */
  private static final int OPSET = 13;

  private final Device device;

  ReferenceLibrary(Device device) {
    this.device = device;
  }

  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    // Nothing to choose or cache: the reference kernel has one algorithm and no workspace.
  }

  @Override
  public void convolutionForward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha,
      float beta) {
    Tensor out = Tensor.zeros(Shape.of(d.outputDims()));
    Tensor[] in = {product(read(x, 0, d.inputDims())), product(read(w, 0, d.weightDims()))};
    forward(convNode(d), in, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void convolutionBackwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    Tensor x = Tensor.zeros(Shape.of(d.inputDims()));  // only its shape is read for the data gradient
    Tensor gradX = Tensor.zeros(x.shape());
    backward(convNode(d), new Tensor[] {x, product(read(w, 0, d.weightDims()))}, null,
        product(read(dy, 0, d.outputDims())),
        new Tensor[] {gradX, null});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void gemm(GemmDescriptor d, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos, DeviceBuffer c, long cPos,
      float alpha, float beta) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("transA", d.transA() ? 1L : 0L);
    attrs.put("transB", d.transB() ? 1L : 0L);
    attrs.put("alpha", alpha);
    attrs.put("beta", beta);
    Tensor opA = product(read(a, aPos, d.aDims()));
    Tensor opB = product(read(b, bPos, d.bDims()));
    Tensor[] in = beta == 0
        ? new Tensor[] {opA, opB}
        : new Tensor[] {opA, opB, read(c, cPos, new int[] {d.m(), d.n()})};
    Tensor out = Tensor.zeros(Shape.of(d.m(), d.n()));
    forward(node("Gemm", attrs, in.length), in, out);
    write(c, cPos, out.data());
  }

  @Override
  public void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    Tensor out = Tensor.zeros(Shape.of(d.outputDims()));
    forward(poolNode(d), new Tensor[] {read(x, 0, d.inputDims())}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void poolingBackward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta) {
    Tensor gradX = Tensor.zeros(Shape.of(d.inputDims()));
    backward(poolNode(d), new Tensor[] {read(x, 0, d.inputDims())}, read(y, 0, d.outputDims()),
        read(dy, 0, d.outputDims()), new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void activationForward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha,
      float beta) {
    Tensor out = Tensor.zeros(Shape.of(count));
    forward(activationNode(mode), new Tensor[] {read(x, 0, new int[] {count})}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void activationBackward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
      DeviceBuffer dx, float alpha, float beta) {
    int[] dims = {count};
    Tensor gradX = Tensor.zeros(Shape.of(count));
    backward(activationNode(mode), new Tensor[] {read(x, 0, dims)}, read(y, 0, dims), read(dy, 0, dims),
        new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    int[] dims = {d.n(), d.c(), d.s()};
    Tensor out = Tensor.zeros(Shape.of(dims));
    forward(lrnNode(d), new Tensor[] {read(x, 0, dims)}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void lrnBackward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta) {
    int[] dims = {d.n(), d.c(), d.s()};
    Tensor gradX = Tensor.zeros(Shape.of(dims));
    backward(lrnNode(d), new Tensor[] {read(x, 0, dims)}, read(y, 0, dims), read(dy, 0, dims), new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    int[] dims = {d.outer(), d.length(), d.inner()};
    Tensor out = Tensor.zeros(Shape.of(dims));
    forward(softmaxNode(), new Tensor[] {read(x, 0, dims)}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void softmaxBackward(SoftmaxDescriptor d, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    int[] dims = {d.outer(), d.length(), d.inner()};
    Tensor gradX = Tensor.zeros(Shape.of(dims));
    Tensor x = Tensor.zeros(Shape.of(dims));  // the reference backward reads y, not x
    backward(softmaxNode(), new Tensor[] {x}, read(y, 0, dims), read(dy, 0, dims), new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void close() {}

  // ---- One-node calls of the CPU reference kernels -------------------------------------------------------------

  private static Node node(String op, Map<String, Object> attrs, int inputs) {
    java.util.List<String> in = new java.util.ArrayList<>();
    for (int i = 0; i < inputs; i++) in.add("x" + i);
    return new Node("device-library-" + op, op, in, java.util.List.of("y"), new Attributes(attrs));
  }

  private static Node convNode(ConvDescriptor d) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("pads", symmetric(d.pads()));
    attrs.put("strides", longs(d.strides()));
    attrs.put("dilations", longs(d.dilations()));
    attrs.put("group", (long) d.groups());
    return node("Conv", attrs, 2);
  }

  private static Node poolNode(PoolDescriptor d) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("kernel_shape", longs(d.window()));
    attrs.put("pads", symmetric(d.pads()));
    attrs.put("strides", longs(d.strides()));
    if (d.mode() == PoolDescriptor.Mode.MAX) return node("MaxPool", attrs, 1);
    attrs.put("count_include_pad", d.mode() == PoolDescriptor.Mode.AVERAGE_COUNT_INCLUDE_PAD ? 1L : 0L);
    return node("AveragePool", attrs, 1);
  }

  private static Node activationNode(ActivationMode mode) {
    String op = switch (mode) {
      case RELU -> "Relu";
      case SIGMOID -> "Sigmoid";
      case TANH -> "Tanh";
    };
    return node(op, Map.of(), 1);
  }

  private static Node lrnNode(LrnDescriptor d) {
    return node("LRN", Map.of("size", (long) d.size(), "alpha", d.alpha(), "beta", d.beta(), "bias", d.bias()), 1);
  }

  private static Node softmaxNode() {
    return node("Softmax", Map.of("axis", 1L), 1);
  }

  private static void forward(Node node, Tensor[] in, Tensor out) {
    CpuKernels.forNode(node, OPSET).forward(new KernelCall(node, OPSET, in, new Tensor[] {out}, null, null));
  }

  private static void backward(Node node, Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn) {
    CpuKernels.forNode(node, OPSET)
        .backward(new KernelCall(node, OPSET, in, new Tensor[] {out}, new Tensor[] {gradOut}, gradIn));
  }

  /** An operand of a tensor-core product: rounded to TF32 in place when the device's math mode is TF32. */
  private Tensor product(Tensor operand) {
    if (device.mathMode() == MathMode.TF32) {
      float[] v = operand.data();
      for (int i = 0; i < v.length; i++) v[i] = MathMode.roundToTf32(v[i]);
    }
    return operand;
  }

  // ---- Device memory <-> host tensors ---------------------------------------------------------------------------

  private Tensor read(DeviceBuffer buffer, long pos, int[] dims) {
    Shape shape = Shape.of(dims);
    float[] data = new float[shape.size()];
    device.copyToHost(buffer, pos, data, 0, data.length);
    return Tensor.of(shape, data);
  }

  private void write(DeviceBuffer buffer, long pos, float[] data) {
    device.copyToDevice(data, 0, buffer, pos, data.length);
  }

  /** out = alpha result + beta out; with beta = 0 the old contents are not read (cuDNN's rule). */
  private void blend(DeviceBuffer out, long pos, float[] result, float alpha, float beta) {
    float[] old = null;
    if (beta != 0) {
      old = new float[result.length];
      device.copyToHost(out, pos, old, 0, old.length);
    }
    for (int i = 0; i < result.length; i++) {
      result[i] = alpha * result[i] + (old == null ? 0f : beta * old[i]);
    }
    write(out, pos, result);
  }

  private static long[] longs(int[] v) {
    long[] r = new long[v.length];
    for (int i = 0; i < v.length; i++) r[i] = v[i];
    return r;
  }

  /** ONNX pads [begin..., end...] for the same padding on both sides. */
  private static long[] symmetric(int[] pads) {
    long[] r = new long[2 * pads.length];
    for (int i = 0; i < pads.length; i++) {
      r[i] = pads[i];
      r[i + pads.length] = pads[i];
    }
    return r;
  }
}
