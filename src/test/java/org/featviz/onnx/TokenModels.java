package org.featviz.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.onnx.OnnxModelBuilder.Attr;

/** The tiny token network that the tests of transformer layers (passes.TokenLayers) open. */
public final class TokenModels {
  private TokenModels() {}

  /**
   * A tiny transformer-style net, opset 17: x [N, 3, 4, 4] -> patches (Reshape to [N, 3, 16]: a
   * channels-first 1-D layer) -> tokens (Transpose to [N, 16, 3]: 16 tokens of 3 features) -> proj
   * (MatMul by w [3, F]) [N, 16, F] -> ln (LayerNormalization over the F features, epsilon 1e-5,
   * scale and bias [F]) [N, 16, F]. F = scale.length.
   */
  public static Path tokens(Path file, float[] w, float[] scale, float[] bias) {
    int f = scale.length;
    if (w.length != 3 * f || bias.length != f)
      throw new IllegalArgumentException("w needs 3 x " + f + " values, bias " + f);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new OnnxModelBuilder()
        .opset(17)
        .input("x", "N", 3, 4, 4)
        .initializer(OnnxModelBuilder.int64Tensor("shape", new long[] {3}, 0, 3, 16))
        .initializer("w", new long[] {3, f}, w)
        .initializer("scale", new long[] {f}, scale)
        .initializer("bias", new long[] {f}, bias)
        .node("Reshape", "patches", List.of("x", "shape"), List.of("patches"))
        .node(
            "Transpose",
            "tokens",
            List.of("patches"),
            List.of("tokens"),
            Attr.ints("perm", 0, 2, 1))
        .node("MatMul", "proj", List.of("tokens", "w"), List.of("proj"))
        .node("LayerNormalization", "ln", List.of("proj", "scale", "bias"), List.of("ln"))
        .output("ln", "N", 16, f)
        .write(file);
  }
}
