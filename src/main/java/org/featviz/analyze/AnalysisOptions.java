package org.featviz.analyze;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.eval.Ablation;
import org.featviz.render.RenderOptions;

/**
 * What {@link UnitAnalysis#run} analyzes and where it writes. Made by {@link #builder}; every
 * option but the layers and the folder has a default.
 *
 * <pre>{@code
 * AnalysisOptions o = AnalysisOptions.builder(List.of("relu1", "relu2"), Path.of("out/analysis"))
 *     .optUnits("0-7").optImages(1000).optRender(RenderOptions.defaults().withSteps(64)).build();
 * }</pre>
 *
 * @param units which units of each layer: "all", "a-b" or a list ({@link
 *     org.featviz.sweep.UnitSelection})
 * @param objectives the images RS is measured on, each once, in the order of units.csv's columns
 * @param images the first this many test images serve selectivity, percentiles and ablation
 * @param negatives selectivity on a layer with negative activations: refused, or clamped at 0
 * @param cumulativeAblation also the cumulative ablation curves (single-unit ablation is always
 *     measured)
 * @param replacement what an ablated unit becomes: 0, or its mean over the dataset images (and a
 *     channel's positions) at the layer
 * @param batch units per render launch
 * @param upscale PNG upscale factor of the renders; 0: enough for images at least 112 pixels wide
 * @param out the analysis folder: units.csv, layers.csv, am/, iam/, exemplars/, plots/, report.html
 */
public record AnalysisOptions(
    List<String> layers,
    String units,
    List<ImageObjective> objectives,
    int images,
    ClassSelectivity.Negatives negatives,
    boolean cumulativeAblation,
    Ablation.Replacement replacement,
    int batch,
    RenderOptions render,
    int upscale,
    Path out) {
  public AnalysisOptions {
    if (layers.isEmpty()) throw new IllegalArgumentException("no layer to analyze");
    layers = List.copyOf(layers);
    objectives = objectives.stream().distinct().toList();
    if (objectives.isEmpty()) throw new IllegalArgumentException("no image objective (AM, IAM)");
    if (images < 1) throw new IllegalArgumentException("images must be at least 1, got " + images);
    if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    if (upscale < 0) throw new IllegalArgumentException("upscale must be >= 0, got " + upscale);
    if (units == null || negatives == null || replacement == null || render == null || out == null)
      throw new NullPointerException("units, negatives, replacement, render and out must be given");
  }

  public static Builder builder(List<String> layers, Path out) {
    return new Builder(layers, out);
  }

  /** The PNG upscale for images {@code width} pixels wide: {@link #upscale}, or the default. */
  public int upscaleFor(int width) {
    return upscale > 0 ? upscale : Math.max(1, (112 + width - 1) / width);
  }

  /**
   * Options with defaults: all units, AM and IAM, 1000 images, negatives refused, single-unit
   * ablation only, by zeroing, 64 units per launch, {@link RenderOptions#defaults()}, the default
   * upscale.
   */
  public static final class Builder {
    private final List<String> layers;
    private final Path out;
    private String units = "all";
    private List<ImageObjective> objectives = List.of(ImageObjective.AM, ImageObjective.IAM);
    private int images = 1000;
    private ClassSelectivity.Negatives negatives = ClassSelectivity.Negatives.REFUSE;
    private boolean cumulativeAblation;
    private Ablation.Replacement replacement = Ablation.Replacement.ZERO;
    private int batch = 64;
    private RenderOptions render = RenderOptions.defaults();
    private int upscale;

    private Builder(List<String> layers, Path out) {
      this.layers = new ArrayList<>(layers);
      this.out = out;
    }

    public Builder optUnits(String units) {
      this.units = units;
      return this;
    }

    public Builder optObjectives(ImageObjective... objectives) {
      this.objectives = Arrays.asList(objectives);
      return this;
    }

    public Builder optObjectives(List<ImageObjective> objectives) {
      this.objectives = new ArrayList<>(objectives);
      return this;
    }

    public Builder optImages(int images) {
      this.images = images;
      return this;
    }

    public Builder optNegatives(ClassSelectivity.Negatives negatives) {
      this.negatives = negatives;
      return this;
    }

    public Builder optCumulativeAblation(boolean cumulative) {
      this.cumulativeAblation = cumulative;
      return this;
    }

    public Builder optAblationReplacement(Ablation.Replacement replacement) {
      this.replacement = replacement;
      return this;
    }

    public Builder optBatch(int batch) {
      this.batch = batch;
      return this;
    }

    public Builder optRender(RenderOptions render) {
      this.render = render;
      return this;
    }

    public Builder optUpscale(int upscale) {
      this.upscale = upscale;
      return this;
    }

    public AnalysisOptions build() {
      return new AnalysisOptions(
          layers,
          units,
          objectives,
          images,
          negatives,
          cumulativeAblation,
          replacement,
          batch,
          render,
          upscale,
          out);
    }
  }
}
