package org.featviz.render;

import org.featviz.ir.Shape;

/**
 * One optimized image and how it went. {@code objectiveValue} and {@code activation} are measured on the final
 * image without transforms; status OK, DEAD (the objective's gradient was zero from the start: the unit never
 * responds to any image near the start) or NAN (the optimization diverged).
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
