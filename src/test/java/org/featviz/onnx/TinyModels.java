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
