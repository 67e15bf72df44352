package org.featviz.onnx;

import java.util.List;
import org.featviz.onnx.OnnxModelBuilder.Attr;

/** The small dense networks that the geometry and directions tests build their cases on. */
public final class DenseModels {
  private DenseModels() {}

  /**
   * x [N, 1, 1, d], flattened to flat [N, d], then fc1 = flat w1^T + b1 (w1 [units, d], b1 [units],
   * units = b1.length) and, with {@code relu}, relu1 = Relu(fc1); the caller names the output.
   */
  public static OnnxModelBuilder oneLayer(int d, float[] w1, float[] b1, boolean relu) {
    OnnxModelBuilder m =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 1, d)
            .initializer("w1", new long[] {b1.length, d}, w1)
            .initializer("b1", new long[] {b1.length}, b1)
            .node("Flatten", "flatten", List.of("x"), List.of("flat"))
            .node("Gemm", "fc1", List.of("flat", "w1", "b1"), List.of("fc1"), Attr.i("transB", 1));
    return relu ? m.node("Relu", "relu1", List.of("fc1"), List.of("relu1")) : m;
  }
}
