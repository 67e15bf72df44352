package org.featviz.directions;

/**
 * One direction of a study: its population, its slot (0..k-1 within the population; the two
 * directions of a slot render from the same seed), the unit of a basis direction (-1 for a random
 * one) and its unit-norm vector in the layer's unit space (channels for a conv layer).
 */
public record Probe(DirectionKind kind, int slot, int unit, float[] vector) {
  public Probe {
    vector = vector.clone();
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }

  /** "basis 3 (unit 7)" or "random 3". */
  public String describe() {
    return kind.label() + " " + slot + (unit >= 0 ? " (unit " + unit + ")" : "");
  }
}
