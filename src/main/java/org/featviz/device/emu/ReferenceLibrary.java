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
import org.featviz.device.GemmBatch;
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

  @Override
  public void convolutionForward(
      ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta) {
    Tensor out = Tensor.zeros(Shape.of(d.outputDims()));
    Tensor[] in = {product(read(x, 0, d.inputDims())), product(read(w, 0, d.weightDims()))};
    forward(convNode(d), in, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void convolutionBackwardData(
      ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha, float beta) {
    Tensor x =
        Tensor.zeros(Shape.of(d.inputDims())); // only its shape is read for the data gradient
    Tensor gradX = Tensor.zeros(x.shape());
    backward(
        convNode(d),
        new Tensor[] {x, product(read(w, 0, d.weightDims()))},
        null,
        product(read(dy, 0, d.outputDims())),
        new Tensor[] {gradX, null});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  /**
   * The reference convolution, then alpha z + beta y + bias[k] in float (the order cuDNN documents,
   * and the same float operations as a convolution followed by the bias_add kernel), then the
   * reference activation.
   */
  @Override
  public void convolutionBiasActivationForward(
      ConvDescriptor d,
      ActivationMode mode,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      DeviceBuffer y,
      float alpha,
      float beta) {
    Tensor conv = Tensor.zeros(Shape.of(d.outputDims()));
    forward(
        convNode(d),
        new Tensor[] {product(read(x, 0, d.inputDims())), product(read(w, 0, d.weightDims()))},
        conv);
    float[] z = conv.data();
    float[] old = beta == 0 ? null : read(y, 0, d.outputDims()).data();
    float[] b = read(bias, 0, new int[] {d.k()}).data();
    int plane = (int) (d.outputCount() / ((long) d.n() * d.k()));
    for (int i = 0; i < z.length; i++) {
      float scaled = alpha * z[i] + (old == null ? 0f : beta * old[i]);
      z[i] = scaled + b[(i / plane) % d.k()];
    }
    Tensor out = Tensor.zeros(conv.shape());
    forward(activationNode(mode), new Tensor[] {conv}, out);
    write(y, 0, out.data());
  }

  @Override
  public void gemm(
      GemmDescriptor d,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    gemmOf(
        d,
        product(read(a, aPos, d.aDims())),
        product(read(b, bPos, d.bDims())),
        c,
        cPos,
        alpha,
        beta);
  }

  /**
   * C = alpha op(A) op(B) + beta C on operands already read (and rounded as the math mode asks).
   */
  private void gemmOf(
      GemmDescriptor d,
      Tensor opA,
      Tensor opB,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("transA", d.transA() ? 1L : 0L);
    attrs.put("transB", d.transB() ? 1L : 0L);
    attrs.put("alpha", alpha);
    attrs.put("beta", beta);
    Tensor[] in =
        beta == 0
            ? new Tensor[] {opA, opB}
            : new Tensor[] {opA, opB, read(c, cPos, new int[] {d.m(), d.n()})};
    Tensor out = Tensor.zeros(Shape.of(d.m(), d.n()));
    forward(node("Gemm", attrs, in.length), in, out);
    write(c, cPos, out.data());
  }

  /** One reference GEMM per product of the batch, in order. */
  @Override
  public void gemmStridedBatched(
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    for (int i = 0; i < batch.count(); i++) {
      gemm(
          d,
          a,
          aPos + i * batch.aStride(),
          b,
          bPos + i * batch.bStride(),
          c,
          cPos + i * batch.cStride(),
          alpha,
          beta);
    }
  }

  // ---- 16-bit operands (BF16, FP16): decoded exactly, computed as above, a convolution's y
  // rounded to 16 bits ----

  @Override
  public void convolutionForward16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer x,
      long xByte,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer y,
      long yByte) {
    Tensor out = Tensor.zeros(Shape.of(d.outputDims()));
    forward(
        convNode(d),
        new Tensor[] {
          read16(format, x, xByte, d.inputDims()), read16(format, w, wByte, d.weightDims())
        },
        out);
    write16(format, y, yByte, out.data());
  }

  @Override
  public void convolutionBackwardData16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer dy,
      long dyByte,
      DeviceBuffer dx,
      long dxByte) {
    Tensor x =
        Tensor.zeros(Shape.of(d.inputDims())); // only its shape is read for the data gradient
    Tensor gradX = Tensor.zeros(x.shape());
    backward(
        convNode(d),
        new Tensor[] {x, read16(format, w, wByte, d.weightDims())},
        null,
        read16(format, dy, dyByte, d.outputDims()),
        new Tensor[] {gradX, null});
    write16(format, dx, dxByte, gradX.data());
  }

  @Override
  public void gemm16(
      MathMode format,
      GemmDescriptor d,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    gemmOf(
        d,
        read16(format, a, aByte, d.aDims()),
        read16(format, b, bByte, d.bDims()),
        c,
        cPos,
        alpha,
        beta);
  }

  @Override
  public void gemmStridedBatched16(
      MathMode format,
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    for (int i = 0; i < batch.count(); i++) {
      gemm16(
          format,
          d,
          a,
          aByte + 2 * i * batch.aStride(),
          b,
          bByte + 2 * i * batch.bStride(),
          c,
          cPos + i * batch.cStride(),
          alpha,
          beta);
    }
  }

  @Override
  public void poolingForward(
      PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    Tensor out = Tensor.zeros(Shape.of(d.outputDims()));
    forward(poolNode(d), new Tensor[] {read(x, 0, d.inputDims())}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void poolingBackward(
      PoolDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    Tensor gradX = Tensor.zeros(Shape.of(d.inputDims()));
    backward(
        poolNode(d),
        new Tensor[] {read(x, 0, d.inputDims())},
        read(y, 0, d.outputDims()),
        read(dy, 0, d.outputDims()),
        new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void activationForward(
      ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    Tensor out = Tensor.zeros(Shape.of(count));
    forward(activationNode(mode), new Tensor[] {read(x, 0, new int[] {count})}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void activationBackward(
      ActivationMode mode,
      int count,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    int[] dims = {count};
    Tensor gradX = Tensor.zeros(Shape.of(count));
    backward(
        activationNode(mode),
        new Tensor[] {read(x, 0, dims)},
        read(y, 0, dims),
        read(dy, 0, dims),
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
  public void lrnBackward(
      LrnDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    int[] dims = {d.n(), d.c(), d.s()};
    Tensor gradX = Tensor.zeros(Shape.of(dims));
    backward(
        lrnNode(d),
        new Tensor[] {read(x, 0, dims)},
        read(y, 0, dims),
        read(dy, 0, dims),
        new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
  }

  @Override
  public void softmaxForward(
      SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    int[] dims = {d.outer(), d.length(), d.inner()};
    Tensor out = Tensor.zeros(Shape.of(dims));
    forward(softmaxNode(), new Tensor[] {read(x, 0, dims)}, out);
    blend(y, 0, out.data(), alpha, beta);
  }

  @Override
  public void softmaxBackward(
      SoftmaxDescriptor d,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    int[] dims = {d.outer(), d.length(), d.inner()};
    Tensor gradX = Tensor.zeros(Shape.of(dims));
    Tensor x = Tensor.zeros(Shape.of(dims)); // the reference backward reads y, not x
    backward(
        softmaxNode(), new Tensor[] {x}, read(y, 0, dims), read(dy, 0, dims), new Tensor[] {gradX});
    blend(dx, 0, gradX.data(), alpha, beta);
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
