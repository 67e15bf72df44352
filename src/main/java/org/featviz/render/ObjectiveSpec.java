package org.featviz.render;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.featviz.ir.ModelException;
import org.featviz.objective.Directions;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;

/**
 * The objective a user names on the command line, applied per unit: {@code KIND[:key=value,...]}.
 *
 * <pre>
 *   channel             spatial mean of the unit's channel (default)
 *   neuron              the unit at the center position
 *   iam                 the unit minus the mean of the other units of its layer
 *   dot | cosine | dot-cossim[:n=1,floor=0.1] | orthogonal[:lambda=1]
 *                       along the unit's basis direction, or with direction=random a random direction drawn
 *                       from the unit's seed, or direction=FILE a vector read from a file
 * </pre>
 */
public record ObjectiveSpec(String kind, Map<String, String> options) {
  public static final String KINDS = "channel, neuron, iam, dot, cosine, dot-cossim, orthogonal";

  public static ObjectiveSpec parse(String text) {
    String t = text.strip();
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    Map<String, String> options = new LinkedHashMap<>();
    if (colon >= 0) {
      for (String part : t.substring(colon + 1).split(",")) {
        if (part.isBlank()) continue;
        int eq = part.indexOf('=');
        if (eq <= 0) throw new ModelException("objective '" + text + "': option '" + part + "' is not key=value");
        options.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    ObjectiveSpec spec = new ObjectiveSpec(kind, options);
    spec.check(text);
    return spec;
  }

  private void check(String text) {
    switch (kind) {
      case "channel", "neuron", "iam" -> allow(text);
      case "dot", "cosine" -> allow(text, "direction");
      case "dot-cossim" -> allow(text, "direction", "n", "floor");
      case "orthogonal" -> allow(text, "direction", "lambda");
      default -> throw new ModelException("unknown objective '" + kind + "'; known: " + KINDS);
    }
  }

  private void allow(String text, String... keys) {
    for (String k : options.keySet()) {
      if (!java.util.List.of(keys).contains(k)) {
        throw new ModelException("objective '" + text + "': unknown option '" + k + "'");
      }
    }
  }

  /** The objective for one unit of a layer with {@code units} units; {@code seed} seeds random directions. */
  public Objective forUnit(String layer, int unit, int units, long seed) {
    return switch (kind) {
      case "channel" -> Objectives.channel(layer, unit);
      case "neuron" -> Objectives.neuron(layer, unit);
      case "iam" -> Objectives.iam(layer, unit);
      case "dot" -> Objectives.direction(layer, direction(unit, units, seed));
      case "cosine" -> Objectives.cosine(layer, direction(unit, units, seed));
      case "dot-cossim" -> Objectives.dotCossim(layer, direction(unit, units, seed), number("n", 1),
          number("floor", Objectives.DOT_COSSIM_FLOOR));
      case "orthogonal" -> Objectives.orthogonalPenalty(layer, direction(unit, units, seed), number("lambda", 1));
      default -> throw new IllegalStateException(kind);
    };
  }

  private float[] direction(int unit, int units, long seed) {
    String d = options.getOrDefault("direction", "basis");
    float[] v = switch (d) {
      case "basis" -> Directions.basis(units, unit);
      case "random" -> Directions.random(units, seed * 1_000_003L + unit);
      default -> Directions.read(Path.of(d));
    };
    if (v.length != units) {
      throw new ModelException("direction " + d + " has " + v.length + " values, but the layer has " + units + " units");
    }
    return v;
  }

  private double number(String key, double fallback) {
    String v = options.get(key);
    if (v == null) return fallback;
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new ModelException("objective " + kind + ": " + key + "=" + v + " is not a number");
    }
  }
}
