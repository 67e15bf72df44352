package org.featviz.geometry;

import java.nio.file.Path;
import java.util.List;
import org.featviz.onnx.DenseModels;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;

/**
 * Hand-built nets whose geometry is known: an input of {@code d} values as an image [N, 1, 1, d],
 * flattened, then {@code Gemm(W [m, d], b)} and ReLU (layer "relu1"), optionally a second Gemm and
 * ReLU ("relu2").
 */
final class GeometryModels {
  private GeometryModels() {}

  static Path gemmRelu(Path file, int d, float[] w1, float[] b1) {
    return builder(d, w1, b1).output("relu1", "N", b1.length).write(file);
  }

  static Path twoLayers(Path file, int d, float[] w1, float[] b1, float[] w2, float[] b2) {
    return builder(d, w1, b1)
        .initializer("w2", new long[] {b2.length, b1.length}, w2)
        .initializer("b2", new long[] {b2.length}, b2)
        .node("Gemm", "fc2", List.of("relu1", "w2", "b2"), List.of("fc2"), Attr.i("transB", 1))
        .node("Relu", "relu2", List.of("fc2"), List.of("relu2"))
        .output("relu2", "N", b2.length)
        .write(file);
  }

  private static OnnxModelBuilder builder(int d, float[] w1, float[] b1) {
    return DenseModels.oneLayer(d, w1, b1, true);
  }
}
