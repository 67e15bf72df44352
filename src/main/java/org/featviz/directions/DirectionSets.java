package org.featviz.directions;

import java.util.ArrayList;
import java.util.List;
import org.featviz.objective.Directions;
import org.featviz.objective.Whitening;
import org.featviz.render.RenderSteps;

/** The two populations of a study: basis vectors of given units, and seeded random directions. */
public final class DirectionSets {
  private DirectionSets() {}

  /** e_u for each of {@code units}, in order, as slots 0.. of a layer of {@code layerUnits}. */
  public static List<Probe> basis(int layerUnits, List<Integer> units) {
    List<Probe> r = new ArrayList<>();
    for (int s = 0; s < units.size(); s++) {
      int u = units.get(s);
      r.add(new Probe(DirectionKind.BASIS, s, u, Directions.basis(layerUnits, u)));
    }
    return r;
  }

  /**
   * {@code count} directions uniform on the unit sphere of the layer's unit space, slot s drawn
   * from a stream keyed by {@code seed} and s alone (a larger count keeps the first ones). With a
   * whitening, d is drawn uniform in the whitened space z = W (a - mu) and the direction is the one
   * in unit space whose projection d . z measures, W^T d, scaled to unit norm: the two differ by a
   * constant and a positive factor, so an image that maximizes one maximizes the other, and every
   * measure of the study stays in the same unit space for both populations.
   */
  public static List<Probe> random(int layerUnits, int count, long seed, Whitening whitening) {
    List<Probe> r = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      float[] d = Directions.random(layerUnits, RenderSteps.seedFor(seed, "random direction " + s));
      r.add(
          new Probe(DirectionKind.RANDOM, s, -1, whitening == null ? d : unitSpace(whitening, d)));
    }
    return r;
  }

  /** W^T d / |W^T d|: a whitened-space direction as the unit-space one it measures along. */
  static float[] unitSpace(Whitening w, float[] d) {
    double[] dz = new double[d.length];
    for (int i = 0; i < d.length; i++) dz[i] = d[i];
    double[] a = new double[d.length];
    w.transposeTimes(dz, a);
    double norm = 0;
    for (double x : a) norm += x * x;
    norm = Math.sqrt(norm);
    float[] v = new float[d.length];
    for (int i = 0; i < d.length; i++) v[i] = (float) (a[i] / norm);
    return v;
  }
}
