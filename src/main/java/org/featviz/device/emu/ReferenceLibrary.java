package org.featviz.device.emu;

import java.util.HashMap;
import java.util.Map;
import org.featviz.cpu.CpuKernels;
import org.featviz.cpu.KernelCall;
import org.featviz.device.ActivationDescriptor;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.ConvolutionCall;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.GemmCall;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.device.UnaryCall;
import org.featviz.device.UnaryDescriptor;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * The emulator's library operations: each copies its operands from device memory into host tensors,
 * runs the CPU reference kernel of the matching ONNX op (org.featviz.cpu, through a one-node call
 * built from the descriptor), and writes {@code alpha result + beta out} back. So on the emulator
 * cuDNN and cuBLAS are the CPU oracle itself, and the tests of a plan check everything around them:
 * descriptors, argument order, scaling, accumulation.
 *
 * <p>In {@link MathMode#TF32} the operands of convolutions and GEMMs (never C of a GEMM, nor the
 * accumulation, which stay FP32) are rounded to TF32's 10-bit mantissa first, as tensor cores read
 * them, so the emulator shows the error TF32 brings and tests can bound it. In {@link
 * MathMode#BF16} and {@link MathMode#FP16} a plan's {@code org.featviz.plan.MixedPrecision}
 * converts the operands with the kernels of cuda/convert.cu and calls the {@code ...16} operations
 * here, which decode the 16-bit operands exactly, compute as in FP32, and round a convolution's
 * output to the 16-bit format (to nearest even, as cuDNN writes y in x's type); a GEMM's C stays
 * FP32. Other operations do not change with the math mode, as on the GPU.
 */
final class ReferenceLibrary implements DeviceLibrary {
  /**
   * The opset whose op semantics the descriptors map to (Softmax along one axis needs 13 or later).
   */
  private static final int OPSET = 13;

  private final Device device;

  ReferenceLibrary(Device device) {
    this.device = device;
  }

  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    // Nothing to choose or cache: the reference kernel has one algorithm and no workspace.
  }

  /**
   * The reference convolution or its data gradient on the operands, read as the call's format asks
   * (FP32 rounded to TF32 in that mode, 16-bit decoded exactly), the output blended in FP32 or
   * rounded to the 16-bit format.
   */
  @Override
  public void run(ConvolutionCall call) {
    ConvDescriptor d = call.d();
    if (call.kind() == ConvolutionCall.Kind.BIAS_ACTIVATION_FORWARD) {
      biasActivationForward(call);
      return;
    }
    Node conv = convNode(d);
    float[] result;
    if (call.kind() == ConvolutionCall.Kind.FORWARD) {
      Tensor out = Tensor.zeros(Shape.of(d.outputDims()));
      Tensor x = operand(call.format(), call.in0(), call.in0Pos(), d.inputDims());
      forward(
          conv,
          new Tensor[] {x, operand(call.format(), call.in1(), call.in1Pos(), d.weightDims())},
          out);
      result = out.data();
    } else {
      Tensor x =
          Tensor.zeros(Shape.of(d.inputDims())); // only its shape is read for the data gradient
      Tensor gradX = Tensor.zeros(x.shape());
      Tensor w = operand(call.format(), call.in0(), call.in0Pos(), d.weightDims());
      Tensor dy = operand(call.format(), call.in1(), call.in1Pos(), d.outputDims());
      backward(conv, new Tensor[] {x, w}, null, dy, new Tensor[] {gradX, null});
      result = gradX.data();
    }
    if (call.sixteenBit()) write16(call.format(), call.out(), call.outPos(), result);
    else blend(call.out(), call.outPos(), result, call.alpha(), call.beta());
  }

  /**
   * The reference convolution, then alpha z + beta y + bias[k] in float (the order cuDNN documents,
   * and the same float operations as a convolution followed by the bias_add kernel), then the
   * reference activation.
   */
  private void biasActivationForward(ConvolutionCall call) {
    ConvDescriptor d = call.d();
    float alpha = call.alpha();
    float beta = call.beta();
    DeviceBuffer y = call.out();
    Tensor conv = Tensor.zeros(Shape.of(d.outputDims()));
    forward(
        convNode(d),
        new Tensor[] {
          product(read(call.in0(), 0, d.inputDims())), product(read(call.in1(), 0, d.weightDims()))
        },
        conv);
    float[] z = conv.data();
    float[] old = beta == 0 ? null : read(y, 0, d.outputDims()).data();
    float[] b = read(call.bias(), 0, new int[] {d.k()}).data();
    int plane = (int) (d.outputCount() / ((long) d.n() * d.k()));
    for (int i = 0; i < z.length; i++) {
      float scaled = alpha * z[i] + (old == null ? 0f : beta * old[i]);
      z[i] = scaled + b[(i / plane) % d.k()];
    }
    Tensor out = Tensor.zeros(conv.shape());
    forward(activationNode(call.activation()), new Tensor[] {conv}, out);
    write(y, 0, out.data());
  }

  /**
   * One reference GEMM per product, in order, on operands read as the call's format asks (FP32
   * rounded to TF32 in that mode, 16-bit decoded exactly); C stays FP32.
   */
  @Override
  public void run(GemmCall call) {
    for (int i = 0; i < call.count(); i++) {
      GemmCall p = call.product(i);
      GemmDescriptor d = p.d();
      Tensor opA = operand(p.format(), p.a(), p.aPos(), d.aDims());
      Tensor opB = operand(p.format(), p.b(), p.bPos(), d.bDims());
      Map<String, Object> attrs = new HashMap<>();
      attrs.put("transA", d.transA() ? 1L : 0L);
      attrs.put("transB", d.transB() ? 1L : 0L);
      attrs.put("alpha", p.alpha());
      attrs.put("beta", p.beta());
      Tensor[] in =
          p.beta() == 0
              ? new Tensor[] {opA, opB}
              : new Tensor[] {opA, opB, read(p.c(), p.cPos(), new int[] {d.m(), d.n()})};
      Tensor out = Tensor.zeros(Shape.of(d.m(), d.n()));
      forward(node("Gemm", attrs, in.length), in, out);
      write(p.c(), p.cPos(), out.data());
    }
  }

  /** The reference op forward, or its backward from x (zeros where unread), y and dy. */
  @Override
  public void run(UnaryCall call) {
    UnaryDescriptor op = call.op();
    Node node = node(op);
    int[] in = inputDims(op);
    int[] out = outputDims(op);
    if (!call.backward()) {
      Tensor y = Tensor.zeros(Shape.of(out));
      forward(node, new Tensor[] {read(call.x(), 0, in)}, y);
      blend(call.y(), 0, y.data(), call.alpha(), call.beta());
      return;
    }
    Tensor gradX = Tensor.zeros(Shape.of(in));
    Tensor x = op.backwardReadsX() ? read(call.x(), 0, in) : Tensor.zeros(Shape.of(in));
    backward(
        node,
        new Tensor[] {x},
        read(call.y(), 0, out),
        read(call.dy(), 0, out),
        new Tensor[] {gradX});
    blend(call.dx(), 0, gradX.data(), call.alpha(), call.beta());
  }

  // ---- One-node calls of the CPU reference kernels
  // -------------------------------------------------------------

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
    attrs.put(
        "count_include_pad", d.mode() == PoolDescriptor.Mode.AVERAGE_COUNT_INCLUDE_PAD ? 1L : 0L);
    return node("AveragePool", attrs, 1);
  }

  /** The one-node call of a unary op. */
  private static Node node(UnaryDescriptor op) {
    if (op instanceof PoolDescriptor d) return poolNode(d);
    if (op instanceof ActivationDescriptor a) return activationNode(a.mode());
    if (op instanceof LrnDescriptor d) return lrnNode(d);
    return softmaxNode();
  }

  /**
   * x's dims as the reference op reads them: N x C x in, [count], N x C x S, [outer, length,
   * inner].
   */
  private static int[] inputDims(UnaryDescriptor op) {
    return op instanceof PoolDescriptor d ? d.inputDims() : outputDims(op);
  }

  private static int[] outputDims(UnaryDescriptor op) {
    if (op instanceof PoolDescriptor d) return d.outputDims();
    if (op instanceof ActivationDescriptor a) return new int[] {a.count()};
    if (op instanceof LrnDescriptor d) return new int[] {d.n(), d.c(), d.s()};
    SoftmaxDescriptor d = (SoftmaxDescriptor) op;
    return new int[] {d.outer(), d.length(), d.inner()};
  }

  private static Node activationNode(ActivationMode mode) {
    String op =
        switch (mode) {
          case RELU -> "Relu";
          case SIGMOID -> "Sigmoid";
          case TANH -> "Tanh";
        };
    return node(op, Map.of(), 1);
  }

  private static Node lrnNode(LrnDescriptor d) {
    return node(
        "LRN",
        Map.of("size", (long) d.size(), "alpha", d.alpha(), "beta", d.beta(), "bias", d.bias()),
        1);
  }

  private static Node softmaxNode() {
    return node("Softmax", Map.of("axis", 1L), 1);
  }

  private static void forward(Node node, Tensor[] in, Tensor out) {
    CpuKernels.forNode(node, OPSET)
        .forward(new KernelCall(node, OPSET, in, new Tensor[] {out}, null, null));
  }

  private static void backward(
      Node node, Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn) {
    CpuKernels.forNode(node, OPSET)
        .backward(
            new KernelCall(node, OPSET, in, new Tensor[] {out}, new Tensor[] {gradOut}, gradIn));
  }

  /**
   * An operand of a product in its format: 16-bit values decoded exactly, or floats, rounded to
   * TF32 when the device's math mode is TF32.
   */
  private Tensor operand(MathMode format, DeviceBuffer buffer, long pos, int[] dims) {
    return format.isSixteenBit()
        ? read16(format, buffer, pos, dims)
        : product(read(buffer, pos, dims));
  }

  /**
   * An operand of a tensor-core product: rounded to TF32 in place when the device's math mode is
   * TF32.
   */
  private Tensor product(Tensor operand) {
    if (device.mathMode() == MathMode.TF32) {
      float[] v = operand.data();
      for (int i = 0; i < v.length; i++) v[i] = MathMode.roundToTf32(v[i]);
    }
    return operand;
  }

  // ---- Device memory <-> host tensors
  // ---------------------------------------------------------------------------

  /**
   * A tensor of 16-bit values in {@code format} from byte {@code from} (even) of a buffer, decoded
   * exactly. The copy moves whole 32-bit words (two values each, the first in the low half:
   * little-endian), so the words around the range must lie in the buffer; staging operands start at
   * 256-byte boundaries and end with padding to the next.
   */
  private Tensor read16(MathMode format, DeviceBuffer buffer, long from, int[] dims) {
    Shape shape = Shape.of(dims);
    float[] data = new float[shape.size()];
    int skip = halfWordSkip(from);
    int[] words = new int[(skip + data.length + 1) / 2];
    device.copyToHost(buffer, from / 4, words, 0, words.length);
    for (int i = 0; i < data.length; i++) data[i] = format.fromSixteenBits(half(words, skip + i));
    return Tensor.of(shape, data);
  }

  /**
   * Writes values rounded to 16 bits in {@code format} (to nearest even, as cuDNN writes a 16-bit
   * output) from byte {@code from} (even); the 16-bit neighbours that share a word with the first
   * or last value are kept.
   */
  private void write16(MathMode format, DeviceBuffer buffer, long from, float[] values) {
    if (values.length == 0) return;
    int skip = halfWordSkip(from);
    int[] words = new int[(skip + values.length + 1) / 2];
    device.copyToHost(buffer, from / 4, words, 0, 1);
    if (words.length > 1)
      device.copyToHost(buffer, from / 4 + words.length - 1, words, words.length - 1, 1);
    for (int i = 0; i < values.length; i++) {
      int h = skip + i;
      int shift = 16 * (h % 2);
      words[h / 2] =
          (words[h / 2] & ~(0xffff << shift)) | (format.toSixteenBits(values[i]) << shift);
    }
    device.copyToDevice(words, 0, buffer, from / 4, words.length);
  }

  /**
   * 1 when a 16-bit operand starts in the high half of a word, else 0; odd byte offsets are
   * refused.
   */
  private static int halfWordSkip(long byteOffset) {
    if (byteOffset % 2 != 0) {
      throw new IllegalArgumentException("16-bit operand at odd byte offset " + byteOffset);
    }
    return (int) (byteOffset % 4) / 2;
  }

  private static int half(int[] words, int h) {
    return (words[h / 2] >>> (16 * (h % 2))) & 0xffff;
  }

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
