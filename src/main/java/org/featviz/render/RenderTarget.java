package org.featviz.render;

import org.featviz.objective.Objective;

/**
 * What one image of a batch maximizes: an objective, and where it has one, the unit it is about
 * (layer and unit index), whose mean activation on the final image is reported beside the
 * objective's value. Made by the model, which checks the unit against the layer:
 *
 * <pre>{@code
 * RenderTarget t = model.target(Objectives.iam("relu2", 6));              // the unit is the objective's
 * RenderTarget d = model.unit("relu2", 6, Objectives.cosine("relu2", v));  // any objective, about unit 6
 * }</pre>
 */
public record RenderTarget(Objective objective, String layer, int unit, String seedKey) {
  /** A target whose seed comes from its label. */
  public RenderTarget(Objective objective, String layer, int unit) {
    this(objective, layer, unit, null);
  }

  public static RenderTarget of(Objective objective) {
    return new RenderTarget(objective, null, -1);
  }

  /**
   * This target with its random stream (seed, start image, transform draws) keyed by {@code key}
   * instead of its label: targets given the same key start alike and see the same transforms, as
   * when two objectives are compared slot by slot.
   */
  public RenderTarget withSeedKey(String key) {
    return new RenderTarget(objective, layer, unit, key);
  }

  /** What the target's seed derives from: its seed key where given, else its label. */
  public String seedLabel() {
    return seedKey != null ? seedKey : label();
  }

  public boolean hasUnit() {
    return layer != null && unit >= 0;
  }

  public String label() {
    return hasUnit() ? layer + ":" + unit : objective.describe();
  }
}
