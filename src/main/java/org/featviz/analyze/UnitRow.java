package org.featviz.analyze;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One row of units.csv: a unit's class selectivity, its measures on each of its images and the cost
 * of ablating it.
 *
 * @param preferredClass the class of the largest per-class mean response
 * @param images the unit's measures per image objective (those analyzed), read only
 * @param ablationAccuracyDrop test accuracy without the unit (set to 0) subtracted from the intact
 *     network's
 * @param ablationLossIncrease mean loss with the unit set to 0 minus the intact network's
 * @param exemplars the sheet of its top dataset images, relative to the analysis folder
 *     ("exemplars/relu2/unit_0003.png")
 */
public record UnitRow(
    String layer,
    int unit,
    double selectivity,
    String preferredClass,
    Map<ImageObjective, UnitImage> images,
    double ablationAccuracyDrop,
    double ablationLossIncrease,
    String exemplars) {
  public UnitRow {
    EnumMap<ImageObjective, UnitImage> copy = new EnumMap<>(ImageObjective.class);
    copy.putAll(images);
    images = Collections.unmodifiableMap(copy);
  }

  /** RS on the image of {@code kind}, NaN where it is not known. */
  public double rs(ImageObjective kind) {
    UnitImage i = images.get(kind);
    return i == null ? Double.NaN : i.rs();
  }
}
