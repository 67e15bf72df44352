package org.featviz.objective;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.featviz.ir.Shape;

/**
 * A quantity to maximize for one image, computed from activations of one or more layers: the value
 * and its gradient with respect to those activations. Objectives compose by sum and scale, and
 * describe themselves readably ("channel(conv2, 5) + -0.1 x l2(relu1)"). Every batch element of a
 * render has its own objective.
 *
 * <p>The objectives of {@link Objectives} are classes of this package that expose their arguments
 * (a layer, a unit, a vector, a whitening), and sums and scalings expose their parts ({@link
 * Objectives.Sum}, {@link Objectives.Scaled}), so that a backend can compute them its own way: the
 * device render loop lowers them to its fused kernels ({@code
 * org.featviz.render.gpu.FusedLowering}). An implementation from elsewhere is evaluated through
 * {@link #evaluate} on every backend.
 */
public interface Objective {
  /** The layers (value names) this objective reads. */
  Set<String> layers();

  /**
   * Returns the objective's value for the sample and adds its gradient into {@code
   * view.gradient(layer)}.
   */
  double evaluate(SampleView view);

  /** A readable description, e.g. "channel(conv2, 5)". */
  String describe();

  /**
   * Checks the objective's arguments (unit indices, vector lengths) against the per-sample shapes
   * of the layers it reads ([C, H, W] or [F], no batch axis); throws a {@link
   * org.featviz.ir.ModelException} naming the layer, the argument and the shape. The renderer calls
   * it once before optimizing; evaluate checks again where it is cheap.
   */
  default void validate(Map<String, Shape> sampleShapes) {}

  /**
   * The unit this objective is about, where it is about one (channel, neuron and iam are; sums and
   * scalings take their first term's): a render reports that unit's activation beside the
   * objective's value.
   */
  default Optional<Unit> unit() {
    return Optional.empty();
  }

  default Objective plus(Objective other) {
    return Objectives.sum(this, other);
  }

  default Objective minus(Objective other) {
    return Objectives.sum(this, other.times(-1));
  }

  default Objective times(double scale) {
    return Objectives.scaled(this, scale);
  }
}
