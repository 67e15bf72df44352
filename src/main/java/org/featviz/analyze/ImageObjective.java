package org.featviz.analyze;

import java.util.Locale;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;

/**
 * The images a unit's Representative Substitution is measured on: AM maximizes the unit ({@link
 * Objectives#channel}), IAM the unit minus the mean of the other units of its layer ({@link
 * Objectives#iam}).
 */
public enum ImageObjective {
  AM,
  IAM;

  /** "am" or "iam": the sweep folder's name under the output folder and the CSV column suffix. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The objective of unit {@code unit} of {@code layer}. */
  public Objective of(String layer, int unit) {
    return this == AM ? Objectives.channel(layer, unit) : Objectives.iam(layer, unit);
  }
}
