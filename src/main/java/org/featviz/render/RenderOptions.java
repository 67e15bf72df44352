package org.featviz.render;

import java.util.List;
import org.featviz.objective.ImageRegularizer;
import org.featviz.param.TransformConfig;

/**
 * How images are optimized. Defaults follow Lucid: FFT parameterization with decay 1, Adam with lr 0.05, the
 * standard transforms; 256 steps (enough for small models on the CPU backend).
 *
 * @param param "fft" or "pixel"
 */
public record RenderOptions(int steps, double learningRate, long seed, String param, double decay,
    TransformConfig transforms, List<ImageRegularizer> regularizers) {
  public RenderOptions {
    if (steps <= 0) throw new IllegalArgumentException("steps must be positive, got " + steps);
    if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    if (!param.equals("fft") && !param.equals("pixel")) {
      throw new IllegalArgumentException("parameterization must be fft or pixel, got " + param);
    }
    regularizers = List.copyOf(regularizers);
  }

  public static RenderOptions defaults() {
    return new RenderOptions(256, 0.05, 0, "fft", 1.0, TransformConfig.lucidDefaults(), List.of());
  }

  public RenderOptions withSteps(int n) {
    return new RenderOptions(n, learningRate, seed, param, decay, transforms, regularizers);
  }

  public RenderOptions withSeed(long s) {
    return new RenderOptions(steps, learningRate, s, param, decay, transforms, regularizers);
  }

  public RenderOptions withParam(String p) {
    return new RenderOptions(steps, learningRate, seed, p, decay, transforms, regularizers);
  }

  public RenderOptions withLearningRate(double lr) {
    return new RenderOptions(steps, lr, seed, param, decay, transforms, regularizers);
  }

  public RenderOptions withTransforms(TransformConfig t) {
    return new RenderOptions(steps, learningRate, seed, param, decay, t, regularizers);
  }

  public RenderOptions withRegularizers(List<ImageRegularizer> r) {
    return new RenderOptions(steps, learningRate, seed, param, decay, transforms, r);
  }
}
