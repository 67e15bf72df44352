package org.featviz.render;

import org.featviz.ir.Shape;

/**
 * One optimized image and how it went. {@code objectiveValue} and {@code activation} are measured on the final
 * image without transforms; status OK, DEAD or NAN (the optimization diverged). DEAD: nothing moved the image (the
 * objective's gradient was zero from the start, or zero even through the redirected ReLU), or the target's unit is
 * exactly zero at every element of its layer on the final image (however far the image moved, it shows nothing
 * of the unit: a unit that could not be revived from silence, or not within the steps given).
 */
public record RenderResult(RenderTarget target, float[] image, Shape imageShape, Status status,
    double objectiveValue, double activation, long seed, int steps) {
  /** How a unit's optimization went; {@link #label()} (also its toString) is the word every output uses. */
  public enum Status {
    OK, DEAD, NAN;

    /** "ok", "dead" or "nan": as results.json, results.csv, results.jsonl and the summaries write it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
      return label();
    }
  }
}
