package org.featviz.render;

import org.featviz.ir.Shape;

/**
 * One optimized image and how it went. {@code objectiveValue} and {@code activation} are measured on the final
 * image without transforms; status OK, DEAD (the objective's gradient was zero from the start: the unit never
 * responds to any image near the start) or NAN (the optimization diverged).
 */
public record RenderResult(RenderTarget target, float[] image, Shape imageShape, Status status,
    double objectiveValue, double activation, long seed, int steps) {
  public enum Status { OK, DEAD, NAN }
}
