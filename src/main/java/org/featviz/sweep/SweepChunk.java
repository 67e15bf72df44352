package org.featviz.sweep;

import java.io.Serializable;
import java.util.List;

/**
 * One batch of a sweep: the units rendered together in one optimization launch, in the sweep's
 * order. Each unit's image depends on its seed and on the batch it is rendered in, never on the
 * device, so a chunk gives the same results wherever it runs. Serializable: a cluster ships chunks
 * to its executors.
 */
public record SweepChunk(List<Unit> units) implements Serializable {
  /** Unit {@code unit} of {@code layer}, which has {@code layerUnits} units. */
  public record Unit(String layer, int unit, int layerUnits) implements Serializable {
    String key() {
      return layer + "#" + unit;
    }
  }

  public SweepChunk {
    if (units.isEmpty()) throw new IllegalArgumentException("a chunk needs a unit");
    units = List.copyOf(units);
  }

  /** The layers of its units, each once, in order. */
  public List<String> layers() {
    return units.stream().map(Unit::layer).distinct().toList();
  }

  /** "relu1 units 4-7", "relu1 unit 60 to relu2 unit 3": for messages. */
  public String describe() {
    Unit first = units.get(0);
    Unit last = units.get(units.size() - 1);
    if (units.size() == 1) return first.layer() + " unit " + first.unit();
    if (first.layer().equals(last.layer()))
      return first.layer() + " units " + first.unit() + "-" + last.unit();
    return first.layer() + " unit " + first.unit() + " to " + last.layer() + " unit " + last.unit();
  }

  /**
   * A name for files about this chunk, unique within a sweep ("relu1_0004-0007"; a chunk that spans
   * layers names its first and last unit).
   */
  public String fileName() {
    Unit first = units.get(0);
    Unit last = units.get(units.size() - 1);
    String from = Sweep.safe(first.layer()) + "_" + String.format("%04d", first.unit());
    return first.layer().equals(last.layer())
        ? from + "-" + String.format("%04d", last.unit())
        : from + "-" + Sweep.safe(last.layer()) + "_" + String.format("%04d", last.unit());
  }
}
