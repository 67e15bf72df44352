package org.featviz.cli;

import java.util.Locale;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.PenaltyNorm;

/**
 * A penalty on a layer's activations that a user adds to every unit's objective: {@code
 * LAYER:l1|l2:WEIGHT}, e.g. {@code relu1:l2:0.1} subtracts 0.1 times the mean square of relu1's
 * activations. On the layer before the target it keeps the image from reaching the target by
 * driving every earlier activation up. The norm and weight are the last two fields, so a layer name
 * may itself hold colons.
 */
public record LayerPenaltySpec(String layer, PenaltyNorm norm, double weight) {
  public static final String FORMAT = "LAYER:l1|l2:WEIGHT";

  public static LayerPenaltySpec parse(String text) {
    String t = text.strip();
    int last = t.lastIndexOf(':');
    int middle = last < 0 ? -1 : t.lastIndexOf(':', last - 1);
    if (middle <= 0) {
      throw new ModelException(
          "--penalty '" + text + "': expected " + FORMAT + ", e.g. relu1:l2:0.1");
    }
    String layer = t.substring(0, middle).strip();
    String normText = t.substring(middle + 1, last).strip();
    String weightText = t.substring(last + 1).strip();
    if (layer.isEmpty())
      throw new ModelException("--penalty '" + text + "': no layer; expected " + FORMAT);
    PenaltyNorm norm =
        switch (normText.toLowerCase(Locale.ROOT)) {
          case "l1" -> PenaltyNorm.L1;
          case "l2" -> PenaltyNorm.L2;
          default ->
              throw new ModelException(
                  "--penalty '"
                      + text
                      + "': norm '"
                      + normText
                      + "' is not l1 or l2 (l1: mean |a|, l2: mean a^2)");
        };
    double weight;
    try {
      weight = Double.parseDouble(weightText);
    } catch (NumberFormatException e) {
      throw new ModelException(
          "--penalty '" + text + "': weight '" + weightText + "' is not a number");
    }
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new ModelException(
          "--penalty '"
              + text
              + "': weight must be a finite number >= 0 (the penalty is"
              + " subtracted), got "
              + weightText);
    }
    return new LayerPenaltySpec(layer, norm, weight);
  }

  /** The same penalty on {@code resolved}, the layer's value name. */
  public LayerPenaltySpec onLayer(String resolved) {
    return new LayerPenaltySpec(resolved, norm, weight);
  }

  /** objective + this penalty. */
  public Objective addTo(Objective objective) {
    return Objectives.sum(objective, Objectives.layerPenalty(layer, norm, weight));
  }

  /** As the user writes it, e.g. {@code relu1:l2:0.1}: for settings files. */
  public String describe() {
    return layer + ":" + norm.name().toLowerCase(Locale.ROOT) + ":" + weight;
  }
}
