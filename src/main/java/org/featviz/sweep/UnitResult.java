package org.featviz.sweep;

/**
 * One visualized unit as a sweep records it: where it is, how the optimization went, and where its
 * image is. Status is "ok", "dead" (no gradient moved the image, or the unit is still zero
 * everywhere on its final image: RenderResult.Status.DEAD) or "nan" (the optimization diverged).
 * {@code backend} records where it was computed ("cpu", "gpu (...)"): a resumed sweep may have run
 * part of its units elsewhere, and results from different backends agree only to rounding. {@code
 * rs}, {@code rsAbove} and {@code rsTies} are the unit's Representative Substitution on its final
 * image ({@link org.featviz.analysis.RepresentativeSubstitution}: the share of the layer's units
 * responding more than it, and the counts above and tied), null where the image's responses are not
 * finite or in journals of earlier versions. {@code rsTrajectory} is RS during the optimization
 * ({@link org.featviz.render.RenderResult#rsTrajectoryText}: "0:0.5312;16:0.4062;..."), null in
 * journals of earlier versions.
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
    String backend,
    Double rs,
    Integer rsAbove,
    Integer rsTies,
    String rsTrajectory)
    implements java.io.Serializable {
  public String key() {
    return layer + "#" + unit;
  }
}
