package org.featviz.render;

import java.util.List;
import org.featviz.ir.Shape;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.ImageRegularizer;
import org.featviz.param.TransformConfig;

/**
 * How images are optimized. Defaults follow Lucid: FFT parameterization with decay 1, Adam with lr
 * 0.05, Lucid's standard transforms scaled to the image ({@link TransformConfig#defaultFamily}:
 * {@code small} for images under 64 pixels, Lucid's own otherwise); 256 steps (enough for small
 * models on the CPU backend).
 *
 * <pre>{@code
 * RenderOptions o = RenderOptions.defaults().withSteps(512).withSeed(7)
 *     .withRegularizers(List.of(ImageRegularizers.totalVariation(0.01)));
 * }</pre>
 *
 * @param param "fft" or "pixel"
 * @param transforms the random augmentation, or null for the default family of the image's size
 *     (see {@link #resolvedFor})
 * @param rsEvery record the target units' Representative Substitution every this many steps
 *     (RenderResult's rsTrajectory, from the step's own forward: no extra pass); 0 records none
 */
public record RenderOptions(
    int steps,
    double learningRate,
    long seed,
    String param,
    double decay,
    TransformConfig transforms,
    List<ImageRegularizer> regularizers,
    List<BatchObjective> batchTerms,
    int rsEvery) {
  /** RS every 16 steps: 17 points in a render of the default 256 steps. */
  public static final int DEFAULT_RS_EVERY = 16;

  /** Options recording RS every {@link #DEFAULT_RS_EVERY} steps. */
  public RenderOptions(
      int steps,
      double learningRate,
      long seed,
      String param,
      double decay,
      TransformConfig transforms,
      List<ImageRegularizer> regularizers,
      List<BatchObjective> batchTerms) {
    this(
        steps,
        learningRate,
        seed,
        param,
        decay,
        transforms,
        regularizers,
        batchTerms,
        DEFAULT_RS_EVERY);
  }

  /** Options without batch-coupling terms. */
  public RenderOptions(
      int steps,
      double learningRate,
      long seed,
      String param,
      double decay,
      TransformConfig transforms,
      List<ImageRegularizer> regularizers) {
    this(steps, learningRate, seed, param, decay, transforms, regularizers, List.of());
  }

  public RenderOptions {
    if (steps <= 0) throw new IllegalArgumentException("steps must be positive, got " + steps);
    if (!(learningRate > 0))
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    if (!param.equals("fft") && !param.equals("pixel")) {
      throw new IllegalArgumentException("parameterization must be fft or pixel, got " + param);
    }
    if (rsEvery < 0)
      throw new IllegalArgumentException("RS every N steps needs N >= 0 (0: off), got " + rsEvery);
    regularizers = List.copyOf(regularizers);
    batchTerms = List.copyOf(batchTerms);
  }

  /** Whether the render records RS at step {@code step} (0-based: the image after that many). */
  public boolean recordsRsAt(int step) {
    return rsEvery > 0 && step % rsEvery == 0;
  }

  public static RenderOptions defaults() {
    return new RenderOptions(
        256, 0.05, 0, "fft", 1.0, null, List.of(), List.of(), DEFAULT_RS_EVERY);
  }

  /**
   * These options with the transforms fixed for images of {@code imageShape} [C, H, W] where they
   * were left null.
   */
  public RenderOptions resolvedFor(Shape imageShape) {
    if (transforms != null) return this;
    return withTransforms(
        TransformConfig.named(TransformConfig.defaultFamily(imageShape.dim(1), imageShape.dim(2))));
  }

  public RenderOptions withSteps(int n) {
    return new RenderOptions(
        n, learningRate, seed, param, decay, transforms, regularizers, batchTerms, rsEvery);
  }

  public RenderOptions withSeed(long s) {
    return new RenderOptions(
        steps, learningRate, s, param, decay, transforms, regularizers, batchTerms, rsEvery);
  }

  public RenderOptions withParam(String p) {
    return new RenderOptions(
        steps, learningRate, seed, p, decay, transforms, regularizers, batchTerms, rsEvery);
  }

  public RenderOptions withLearningRate(double lr) {
    return new RenderOptions(
        steps, lr, seed, param, decay, transforms, regularizers, batchTerms, rsEvery);
  }

  /** Other transforms; null restores the default of the image's size. */
  public RenderOptions withTransforms(TransformConfig t) {
    return new RenderOptions(
        steps, learningRate, seed, param, decay, t, regularizers, batchTerms, rsEvery);
  }

  /**
   * Adds terms that couple the batch's images, such as {@code Objectives.diversity(layer, weight)}.
   */
  public RenderOptions withBatchTerms(List<BatchObjective> terms) {
    return new RenderOptions(
        steps, learningRate, seed, param, decay, transforms, regularizers, terms, rsEvery);
  }

  /** RS recorded every {@code n} steps; 0 records none. */
  public RenderOptions withRsEvery(int n) {
    return new RenderOptions(
        steps, learningRate, seed, param, decay, transforms, regularizers, batchTerms, n);
  }

  public RenderOptions withRegularizers(List<ImageRegularizer> r) {
    return new RenderOptions(
        steps, learningRate, seed, param, decay, transforms, r, batchTerms, rsEvery);
  }
}
