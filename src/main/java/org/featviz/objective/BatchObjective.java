package org.featviz.objective;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.Shape;

/**
 * A term that couples the elements of a batch (such as diversity): its value depends on all of
 * them, and its gradient is added into every element's view. The renderer adds it to the sum of the
 * per-element objectives.
 */
public interface BatchObjective {
  /** The layers (value names) this term reads. */
  Set<String> layers();

  /**
   * Returns the value for the whole batch and adds its gradient into each element's {@code
   * gradient(layer)}.
   */
  double evaluate(List<SampleView> batch);

  /** A readable description such as "diversity(mixed4a, 100)". */
  String describe();

  /**
   * Checks the term against the per-sample layer shapes before optimizing (see {@link
   * Objective#validate}).
   */
  default void validate(Map<String, Shape> sampleShapes) {}
}
