package org.featviz.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.featviz.onnx.OnnxModelBuilder.Attr;

/**
 * The tiny conv net that command and sweep tests render in milliseconds, written with {@link
 * OnnxModelBuilder}: x[N, 1, S, S] -> conv1 (K filters, 3x3, pad 1, a bias if given) -> relu1 [N,
 * K, S, S], opset 13.
 */
public final class TinyModels {
  private TinyModels() {}

  /**
   * The conv-ReLU net with K = weights.length / 9 filters of 3x3 (weights [K, 1, 3, 3]), written to
   * file.
   */
  public static Path convRelu(Path file, int size, float[] weights, float... bias) {
    if (weights.length % 9 != 0)
      throw new IllegalArgumentException(weights.length + " weights: not K 3x3 filters");
    int k = weights.length / 9;
    List<String> convInputs = bias.length == 0 ? List.of("x", "w") : List.of("x", "w", "b");
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, size, size)
            .initializer("w", new long[] {k, 1, 3, 3}, weights);
    if (bias.length > 0) b.initializer("b", new long[] {bias.length}, bias);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.node("Conv", "conv1", convInputs, List.of("conv1"), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", "relu1", List.of("conv1"), List.of("relu1"))
        .output("relu1", "N", k, size, size)
        .write(file);
  }

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

  /** sin(1), sin(2), ..., sin(n): fixed weights with both signs. */
  public static float[] sines(int n) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) w[i] = (float) Math.sin(i + 1);
    return w;
  }

  /** n weights uniform in [-1, 1) from Random(seed): another seed, another model. */
  public static float[] uniform(long seed, int n) {
    Random rng = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) w[i] = rng.nextFloat() * 2 - 1;
    return w;
  }
}
