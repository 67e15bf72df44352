package org.featviz.directions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.render.RenderOptions;

/**
 * What {@link DirectionStudy#run} compares and where it writes; made by {@link #builder}.
 *
 * <pre>{@code
 * DirectionOptions o = DirectionOptions.builder(List.of("relu2"), 16, Path.of("out/directions"))
 *     .optImages(1000).optRender(RenderOptions.defaults().withSteps(64)).build();
 * }</pre>
 *
 * @param count k, the directions per population and layer
 * @param units the basis directions' units (k of them), or null for units 0..k-1
 * @param whitened random directions drawn in the layer's whitened space (needs a dataset)
 * @param images the first this many dataset images serve percentiles, exemplars, selectivity and
 *     the whitening
 * @param exemplars how many top dataset images the class purity is taken over
 * @param upscale PNG upscale factor (at least 1)
 */
public record DirectionOptions(
    List<String> layers,
    int count,
    List<Integer> units,
    boolean whitened,
    int images,
    int exemplars,
    RenderOptions render,
    int upscale,
    Path out) {
  /** Default number of exemplars whose class purity is measured. */
  public static final int EXEMPLARS = 9;

  public DirectionOptions {
    if (layers.isEmpty()) throw new IllegalArgumentException("no layer to study");
    layers = List.copyOf(layers);
    if (units != null) {
      units = List.copyOf(units);
      if (units.size() != count)
        throw new IllegalArgumentException(units.size() + " units for " + count + " directions");
    }
    if (count < 2) throw new IllegalArgumentException("count must be at least 2, got " + count);
    if (images < 1) throw new IllegalArgumentException("images must be at least 1, got " + images);
    if (exemplars < 1)
      throw new IllegalArgumentException("exemplars must be at least 1, got " + exemplars);
    if (upscale < 1) throw new IllegalArgumentException("upscale must be >= 1, got " + upscale);
    if (render == null || out == null) throw new NullPointerException("render and out");
  }

  public static Builder builder(List<String> layers, int count, Path out) {
    return new Builder(layers, count, out);
  }

  /** The basis directions' units of a layer: the given ones, else 0..k-1. */
  public List<Integer> basisUnits() {
    if (units != null) return units;
    List<Integer> r = new ArrayList<>();
    for (int u = 0; u < count; u++) r.add(u);
    return r;
  }

  /**
   * Defaults: units 0..k-1, random directions in unit space, 1000 images, {@value #EXEMPLARS}
   * exemplars, {@link RenderOptions#defaults()}, upscale 4.
   */
  public static final class Builder {
    private final List<String> layers;
    private final int count;
    private final Path out;
    private List<Integer> units;
    private boolean whitened;
    private int images = 1000;
    private int exemplars = EXEMPLARS;
    private RenderOptions render = RenderOptions.defaults();
    private int upscale = 4;

    private Builder(List<String> layers, int count, Path out) {
      this.layers = new ArrayList<>(layers);
      this.count = count;
      this.out = out;
    }

    public Builder optUnits(List<Integer> units) {
      this.units = units;
      return this;
    }

    public Builder optWhitened(boolean whitened) {
      this.whitened = whitened;
      return this;
    }

    public Builder optImages(int images) {
      this.images = images;
      return this;
    }

    public Builder optExemplars(int exemplars) {
      this.exemplars = exemplars;
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

    public DirectionOptions build() {
      return new DirectionOptions(
          layers, count, units, whitened, images, exemplars, render, upscale, out);
    }
  }
}
