package org.featviz.sweep;

/**
 * One visualized unit as a sweep records it: where it is, how the optimization went, and where its
 * image is. Status is "ok", "dead" (no gradient moved the image, or the unit is still zero
 * everywhere on its final image: RenderResult.Status.DEAD) or "nan" (the optimization diverged).
 * {@code backend} records where it was computed ("cpu", "gpu (...)"): a resumed sweep may have run
 * part of its units elsewhere, and results from different backends agree only to rounding.
 */
public record UnitResult(
    String layer,
    int unit,
    String objective,
    String status,
    double objectiveValue,
    double activation,
    long seed,
    int steps,
    String image,
    String backend) {
  public String key() {
    return layer + "#" + unit;
  }
}
