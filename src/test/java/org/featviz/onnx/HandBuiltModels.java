package org.featviz.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.onnx.OnnxModelBuilder.Attr;

/**
 * Small valid ONNX models written with {@link OnnxModelBuilder}, each exercising a different part
 * of the format (float_data, raw_data and int64 initializers; int, float, string, ints and tensor
 * attributes; symbolic dimensions; other domains). Shared by the importer tests and the fuzz test's
 * seed corpus.
 */
final class HandBuiltModels {
  private HandBuiltModels() {}

  /** All models by name. */
  static Map<String, byte[]> all() {
    Map<String, byte[]> models = new LinkedHashMap<>();
    models.put("conv_relu", convRelu());
    models.put("gemm", gemm());
    models.put("pool_reshape", poolReshape());
    models.put("dynamic", dynamic());
    models.put("constant_pad_concat", constantPadConcat());
    models.put("unsupported_det", unsupportedDet());
    return models;
  }

  private static float[] ramp(int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (i % 7 - 3) * scale;
    return v;
  }

  /** Relu(Conv(x[1,3,8,8], w[4,3,3,3], b[4])), pads 1: y[1,4,8,8]. */
  static byte[] convRelu() {
    return new OnnxModelBuilder()
        .input("x", 1, 3, 8, 8)
        .initializer("w", new long[] {4, 3, 3, 3}, ramp(4 * 3 * 3 * 3, 0.1f))
        .initializer(OnnxModelBuilder.rawFloatTensor("b", new long[] {4}, 0.1f, -0.2f, 0.3f, 0f))
        .node(
            "Conv",
            "conv1",
            List.of("x", "w", "b"),
            List.of("c"),
            Attr.ints("kernel_shape", 3, 3),
            Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", "relu1", List.of("c"), List.of("y"))
        .output("y", 1, 4, 8, 8)
        .build();
  }

  /** Sigmoid(Gemm(x[2,4], B[3,4]^T, C[3], alpha, beta)): y[2,3]. */
  static byte[] gemm() {
    return new OnnxModelBuilder()
        .input("x", 2, 4)
        .initializer(OnnxModelBuilder.rawFloatTensor("B", new long[] {3, 4}, ramp(12, 0.25f)))
        .initializer("C", new long[] {3}, 1f, 0f, -1f)
        .node(
            "Gemm",
            "fc",
            List.of("x", "B", "C"),
            List.of("g"),
            Attr.f("alpha", 0.5f),
            Attr.f("beta", 2f),
            Attr.i("transB", 1))
        .node("Sigmoid", "sig", List.of("g"), List.of("y"))
        .output("y", 2, 3)
        .build();
  }

  /** Reshape(Flatten(MaxPool(x[1,2,6,6]))) with an int64 shape initializer: y[1,18]. */
  static byte[] poolReshape() {
    return new OnnxModelBuilder()
        .input("x", 1, 2, 6, 6)
        .initializer(OnnxModelBuilder.int64Tensor("shape", new long[] {2}, 1, -1))
        .node(
            "MaxPool",
            "pool",
            List.of("x"),
            List.of("p"),
            Attr.ints("kernel_shape", 2, 2),
            Attr.ints("strides", 2, 2),
            Attr.s("auto_pad", "NOTSET"))
        .node("Flatten", "flat", List.of("p"), List.of("f"), Attr.i("axis", 1))
        .node("Reshape", "reshape", List.of("f", "shape"), List.of("y"))
        .output("y", 1, 18)
        .build();
  }

  /** Symbolic batch and height: GlobalAveragePool(LeakyRelu(x[N,3,H,5])): y[N,3,1,1]. */
  static byte[] dynamic() {
    return new OnnxModelBuilder()
        .input("x", "N", 3, "H", 5)
        .node("LeakyRelu", "leaky", List.of("x"), List.of("l"), Attr.f("alpha", 0.1f))
        .node("GlobalAveragePool", "gap", List.of("l"), List.of("y"))
        .output("y", "N", 3, 1, 1)
        .build();
  }

  /**
   * A Constant node with a tensor attribute, Pad with an int64 pads input, Concat, Transpose,
   * Softmax.
   */
  static byte[] constantPadConcat() {
    return new OnnxModelBuilder()
        .input("x", 1, 2, 3)
        .initializer(OnnxModelBuilder.int64Tensor("pads", new long[] {6}, 0, 0, 1, 0, 0, 1))
        .node(
            "Constant",
            "const",
            List.of(),
            List.of("k"),
            Attr.t("value", OnnxModelBuilder.floatTensor("", new long[] {1, 2, 5}, ramp(10, 0.5f))))
        .node("Pad", "pad", List.of("x", "pads"), List.of("p"), Attr.s("mode", "constant"))
        .node("Concat", "cat", List.of("p", "k"), List.of("c"), Attr.i("axis", 0))
        .node("Transpose", "tr", List.of("c"), List.of("t"), Attr.ints("perm", 2, 0, 1))
        .node("Softmax", "soft", List.of("t"), List.of("y"), Attr.i("axis", -1))
        .output("y", 5, 2, 2)
        .build();
  }

  /** Det, a standard op featviz does not support, after a supported Relu. */
  static byte[] unsupportedDet() {
    return new OnnxModelBuilder()
        .input("x", 2, 3, 3)
        .node("Relu", "relu", List.of("x"), List.of("r"))
        .node("Det", "det1", List.of("r"), List.of("y"))
        .output("y", 2)
        .build();
  }
}
