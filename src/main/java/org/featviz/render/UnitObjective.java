package org.featviz.render;

import java.util.Collection;
import org.featviz.objective.Objective;

/**
 * Gives each unit of a layer its objective: what a sweep or a render asks for, unit by unit (the
 * command line's --objective is one, with penalties and whitenings estimated from data added to
 * it).
 */
@FunctionalInterface
public interface UnitObjective {
  /**
   * The objective of unit {@code unit} of {@code layer} ({@code units} units); {@code seed} for
   * random parts.
   */
  Objective forUnit(String layer, int unit, int units, long seed);

  /**
   * Called once before the units of {@code layers} (value names) ask for their objectives, so that
   * slow shared work (a whitening estimated from data) happens up front, not in the middle of a
   * run. Does nothing by default.
   */
  default void prepare(Collection<String> layers) {}
}
