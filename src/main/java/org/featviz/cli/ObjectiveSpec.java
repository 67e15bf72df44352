package org.featviz.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.featviz.ir.ModelException;
import org.featviz.objective.Directions;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.Whitening;
import org.featviz.render.UnitObjective;

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
 *   whitened-dot | whitened-cosine | whitened-dot-cossim[:n=1,floor=0.1]   (also direction=..., images=1000)
 *                       the same measured in the layer's whitened (decorrelated) activation space, its transform
 *                       estimated from the activations of {@code images} dataset images
 *   whitened-channel[:images=1000]
 *                       the unit's component of the whitened activation (direction=basis only)
 * </pre>
 */
public record ObjectiveSpec(String kind, Map<String, String> options) implements UnitObjective {
  public static final String KINDS =
      "channel, neuron, iam, dot, cosine, dot-cossim, orthogonal, whitened-dot,"
          + " whitened-cosine, whitened-dot-cossim, whitened-channel";

  /** Dataset images a whitening is estimated from unless images= says otherwise. */
  public static final int DEFAULT_WHITENING_IMAGES = 1000;

  public static ObjectiveSpec parse(String text) {
    String t = text.strip();
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    Map<String, String> options = new LinkedHashMap<>();
    if (colon >= 0) {
      for (String part : t.substring(colon + 1).split(",")) {
        if (part.isBlank()) continue;
        int eq = part.indexOf('=');
        if (eq <= 0)
          throw new ModelException(
              "objective '" + text + "': option '" + part + "' is not key=value");
        options.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    ObjectiveSpec spec = new ObjectiveSpec(kind, options);
    spec.check(text);
    if (spec.whitened()) spec.whiteningImages(); // a bad images= fails before anything runs
    return spec;
  }

  /**
   * Whether this objective is measured in a whitened activation space (and so needs a whitening per
   * layer).
   */
  public boolean whitened() {
    return kind.startsWith("whitened-");
  }

  /** How many dataset images the whitening is estimated from (images=, default 1000). */
  public int whiteningImages() {
    double n = number("images", DEFAULT_WHITENING_IMAGES);
    if (n < 1 || n != Math.rint(n) || n > Integer.MAX_VALUE) {
      throw new ModelException(
          "objective "
              + kind
              + ": images="
              + options.get("images")
              + " must be a positive whole number");
    }
    return (int) n;
  }

  private void check(String text) {
    switch (kind) {
      case "channel", "neuron", "iam" -> allow(text);
      case "dot", "cosine" -> allow(text, "direction");
      case "dot-cossim" -> allow(text, "direction", "n", "floor");
      case "orthogonal" -> allow(text, "direction", "lambda");
      case "whitened-dot", "whitened-cosine" -> allow(text, "direction", "images");
      case "whitened-dot-cossim" -> allow(text, "direction", "n", "floor", "images");
      case "whitened-channel" -> {
        allow(text, "direction", "images");
        String d = options.getOrDefault("direction", "basis");
        if (!d.equals("basis")) {
          throw new ModelException(
              "objective '"
                  + text
                  + "': whitened-channel takes direction=basis only (the unit's"
                  + " component of the whitened activation); for direction="
                  + d
                  + " use whitened-dot");
        }
      }
      default -> throw new ModelException("unknown objective '" + kind + "'; known: " + KINDS);
    }
  }

  private void allow(String text, String... keys) {
    for (String k : options.keySet()) {
      if (!java.util.List.of(keys).contains(k)) {
        throw new ModelException("objective '" + text + "': unknown option '" + k + "'");
      }
      if (NON_NEGATIVE.contains(k)) {
        double v = number(k, 0);
        if (!(v >= 0) || !Double.isFinite(v)) {
          throw new ModelException(
              "objective '"
                  + text
                  + "': "
                  + k
                  + "="
                  + options.get(k)
                  + " must be a finite number >= 0");
        }
      }
    }
  }

  /** Options whose values are finite and >= 0: a power, a floor on the cosine, a penalty weight. */
  private static final java.util.Set<String> NON_NEGATIVE =
      java.util.Set.of("n", "floor", "lambda");

  /**
   * The objective for one unit of a layer with {@code units} units; {@code seed} seeds random
   * directions. Whitened kinds need {@link #forUnit(String, int, int, long, Function)}.
   */
  @Override
  public Objective forUnit(String layer, int unit, int units, long seed) {
    return forUnit(layer, unit, units, seed, null);
  }

  /**
   * {@link #forUnit(String, int, int, long)} with {@code whitening} giving each layer's whitening
   * (may be null).
   */
  public Objective forUnit(
      String layer, int unit, int units, long seed, Function<String, Whitening> whitening) {
    return switch (kind) {
      case "channel" -> Objectives.channel(layer, unit);
      case "neuron" -> Objectives.neuron(layer, unit);
      case "iam" -> Objectives.iam(layer, unit);
      case "dot" -> Objectives.direction(layer, direction(unit, units, seed));
      case "cosine" -> Objectives.cosine(layer, direction(unit, units, seed));
      case "dot-cossim" ->
          Objectives.dotCossim(
              layer,
              direction(unit, units, seed),
              number("n", 1),
              number("floor", Objectives.DOT_COSSIM_FLOOR));
      case "orthogonal" ->
          Objectives.orthogonalPenalty(layer, direction(unit, units, seed), number("lambda", 1));
      case "whitened-dot" ->
          Objectives.whitenedDirection(layer, need(whitening, layer), direction(unit, units, seed));
      case "whitened-cosine" ->
          Objectives.whitenedCosine(layer, need(whitening, layer), direction(unit, units, seed));
      case "whitened-dot-cossim" ->
          Objectives.whitenedDotCossim(
              layer,
              need(whitening, layer),
              direction(unit, units, seed),
              number("n", 1),
              number("floor", Objectives.DOT_COSSIM_FLOOR));
      case "whitened-channel" -> Objectives.whitenedChannel(layer, need(whitening, layer), unit);
      default -> throw new IllegalStateException(kind);
    };
  }

  private Whitening need(Function<String, Whitening> whitening, String layer) {
    if (whitening == null) {
      throw new ModelException(
          "objective "
              + kind
              + " on '"
              + layer
              + "' needs the layer's whitening, estimated"
              + " from dataset images (featviz render and sweep do that: --data-dir)");
    }
    Whitening w = whitening.apply(layer);
    if (w == null)
      throw new ModelException(
          "objective " + kind + ": no whitening of '" + layer + "' was estimated");
    return w;
  }

  private float[] direction(int unit, int units, long seed) {
    String d = options.getOrDefault("direction", "basis");
    float[] v =
        switch (d) {
          case "basis" -> Directions.basis(units, unit);
          case "random" -> Directions.random(units, seed * 1_000_003L + unit);
          default -> Directions.read(Path.of(d));
        };
    if (v.length != units) {
      throw new ModelException(
          "direction " + d + " has " + v.length + " values, but the layer has " + units + " units");
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
