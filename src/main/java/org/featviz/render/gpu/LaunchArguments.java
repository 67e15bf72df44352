package org.featviz.render.gpu;

import java.util.Arrays;
import org.featviz.ir.Shape;

/**
 * The per-sample arguments of one objective-kernel launch, as its terms give them ({@link
 * FusedTerm#put}), before they are uploaded: units int[B] (-1 for the samples outside the group)
 * with positions int[B] beside them, or vectors float[B, C], target slices float[B, C * P] or
 * weights float[B] (zeros outside the group). Sample b's share of a [B, ...] array starts at b
 * times its length. A launch's terms all give the same kind of argument.
 */
final class LaunchArguments {
  private final FusedTerm kind;
  private final TargetLayer layer;
  private final Shape sampleShape;
  private final boolean[] members;
  private int[] units;
  private int[] positions;
  private float[] values;
  private double[] weights;

  /**
   * @param kind the group's first term, whose launcher runs the group; sampleShape one sample's [C,
   *     H, W] or [F]
   */
  LaunchArguments(FusedTerm kind, TargetLayer layer, Shape sampleShape) {
    this.kind = kind;
    this.layer = layer;
    this.sampleShape = sampleShape;
    this.members = new boolean[layer.batch()];
  }

  FusedTerm kind() {
    return kind;
  }

  TargetLayer layer() {
    return layer;
  }

  /** One sample's shape ([C, H, W] or [F]). */
  Shape sampleShape() {
    return sampleShape;
  }

  void unit(int b, int unit) {
    if (units == null) {
      units = new int[layer.batch()];
      Arrays.fill(units, -1);
    }
    units[b] = unit;
    members[b] = true;
  }

  /** The flattened position (y * W + x; 0 for a dense layer), beside the unit. */
  void position(int b, int position) {
    if (positions == null) positions = new int[layer.batch()];
    positions[b] = position;
  }

  /** A vector of C values. */
  void vector(int b, float[] vector) {
    put(b, vector, layer.units());
  }

  /** A slice of C * P values in the sample's layout. */
  void slice(int b, float[] slice) {
    put(b, slice, layer.sampleSize());
  }

  private void put(int b, float[] source, int length) {
    if (values == null) values = new float[layer.batch() * length];
    System.arraycopy(source, 0, values, b * length, length);
    members[b] = true;
  }

  /** Adds to sample b's weight (a sample's terms of one group add up). */
  void addWeight(int b, double weight) {
    if (weights == null) weights = new double[layer.batch()];
    weights[b] += weight;
    members[b] = true;
  }

  /** Whether every sample of the batch gave an argument. */
  boolean coversBatch() {
    for (boolean m : members) {
      if (!m) return false;
    }
    return true;
  }

  /** Which samples gave an argument. */
  boolean[] members() {
    return members.clone();
  }

  /** The units, or null where the kind takes none. */
  int[] units() {
    return units;
  }

  /** The positions, or null. */
  int[] positions() {
    return positions;
  }

  /** The vectors, slices or weights (as floats), or null where the kind takes units. */
  float[] values() {
    if (weights == null) return values;
    float[] w = new float[weights.length];
    for (int b = 0; b < w.length; b++) w[b] = (float) weights[b];
    return w;
  }
}
