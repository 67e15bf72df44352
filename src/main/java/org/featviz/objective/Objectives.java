package org.featviz.objective;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Factories for objectives; the combinators live here, the objectives of the field beside them.
 * Layer arguments are value names; per-sample shapes are [C, H, W] (conv) or [F] (dense); "per
 * position averaged" means the mean over the H * W positions of a function of the C-vector at each
 * position. docs/objectives.md has the formulas.
 *
 * <pre>
 * Objective o = Objectives.channel("conv2", 5).minus(Objectives.layerPenalty("relu1", PenaltyNorm.L2, 0.1));
 * Objective d = Objectives.dotCossim("mixed4a", Directions.random(512, 7), 2, 0.1);
 * </pre>
 */
public final class Objectives {
  /** Default exponent and floor of {@link #dotCossim(String, float[])}. */
  public static final double DOT_COSSIM_POWER = 1;

  public static final double DOT_COSSIM_FLOOR = 0.1;

  private Objectives() {}

  /** Unit {@code unit} of a dense layer, or of a conv layer at its center position. */
  public static Objective neuron(String layer, int unit) {
    return new Neuron(layer, unit, null, null);
  }

  /** Unit {@code unit} of a [C, H, W] layer at column x, row y. */
  public static Objective neuron(String layer, int unit, int x, int y) {
    return new Neuron(layer, unit, x, y);
  }

  /** The spatial mean of channel {@code unit} (a dense unit's value). */
  public static Objective channel(String layer, int unit) {
    return new Channel(layer, unit);
  }

  /**
   * Independent activation maximization: unit {@code unit}'s mean minus the mean of the other
   * units' means.
   */
  public static Objective iam(String layer, int unit) {
    return new IndependentActivation(layer, unit);
  }

  /** a . v, per position averaged. */
  public static Objective direction(String layer, float[] vector) {
    return new Direction(
        layer, null, VectorMath.checkedDirection("direction(" + layer + ")", vector));
  }

  /** Cosine similarity of a and v, per position averaged. */
  public static Objective cosine(String layer, float[] vector) {
    return new Cosine(layer, null, VectorMath.checkedDirection("cosine(" + layer + ")", vector));
  }

  /** {@link #dotCossim(String, float[], double, double)} with n = 1 and floor = 0.1. */
  public static Objective dotCossim(String layer, float[] vector) {
    return dotCossim(layer, vector, DOT_COSSIM_POWER, DOT_COSSIM_FLOOR);
  }

  /** (a . v) * max(floor, cossim(a, v))^n, per position averaged; n >= 0, floor >= 0. */
  public static Objective dotCossim(String layer, float[] vector, double n, double floor) {
    String what = "dotCossim(" + layer + ")";
    float[] v = VectorMath.checkedDirection(what, vector);
    checkPowerAndFloor(what, n, floor);
    return new DotCossim(layer, null, v, n, floor);
  }

  /** a . v - lambda |a - (a . v^) v^|^2, per position averaged (v^ = v / |v|). */
  public static Objective orthogonalPenalty(String layer, float[] vector, double lambda) {
    if (!(lambda >= 0) || !Double.isFinite(lambda)) {
      throw new ModelException(
          "orthogonalPenalty("
              + layer
              + "): lambda must be a finite number >= 0 (a negative"
              + " one would reward the off-direction part), got "
              + lambda);
    }
    float[] v = VectorMath.checkedDirection("orthogonalPenalty(" + layer + ")", vector);
    return new OrthogonalPenalty(layer, v, lambda);
  }

  /**
   * -|a - target|^2 over the whole per-sample slice (target in the slice's [C, H, W] or [F]
   * layout).
   */
  public static Objective l2Inversion(String layer, float[] target) {
    if (target == null || target.length == 0)
      throw new ModelException("l2Inversion(" + layer + "): empty target");
    return new L2Inversion(layer, target);
  }

  /** -weight * mean |a| (L1) or -weight * mean a^2 (L2) over the layer's per-sample elements. */
  public static Objective layerPenalty(String layer, PenaltyNorm norm, double weight) {
    if (norm == null)
      throw new ModelException("layerPenalty(" + layer + "): norm must be L1 or L2");
    return new LayerPenalty(layer, norm, weight);
  }

  /**
   * z . v with z = W (a - mu) the whitened activation vector, per position averaged (v lives in
   * z-space).
   */
  public static Objective whitenedDirection(String layer, Whitening whitening, float[] vector) {
    return new Direction(
        layer, whitening, whitenedVector("whitenedDirection", layer, whitening, vector));
  }

  /** Cosine similarity of z = W (a - mu) and v, per position averaged. */
  public static Objective whitenedCosine(String layer, Whitening whitening, float[] vector) {
    return new Cosine(layer, whitening, whitenedVector("whitenedCosine", layer, whitening, vector));
  }

  /**
   * {@link #whitenedDotCossim(String, Whitening, float[], double, double)} with n = 1 and floor =
   * 0.1.
   */
  public static Objective whitenedDotCossim(String layer, Whitening whitening, float[] vector) {
    return whitenedDotCossim(layer, whitening, vector, DOT_COSSIM_POWER, DOT_COSSIM_FLOOR);
  }

  /** (z . v) * max(floor, cossim(z, v))^n with z = W (a - mu), per position averaged. */
  public static Objective whitenedDotCossim(
      String layer, Whitening whitening, float[] vector, double n, double floor) {
    float[] v = whitenedVector("whitenedDotCossim", layer, whitening, vector);
    checkPowerAndFloor("whitenedDotCossim(" + layer + ")", n, floor);
    return new DotCossim(layer, whitening, v, n, floor);
  }

  /**
   * Component {@code unit} of z = W (a - mu), per position averaged: a channel in whitened space.
   */
  public static Objective whitenedChannel(String layer, Whitening whitening, int unit) {
    if (unit < 0 || unit >= whitening.units()) {
      throw new ModelException(
          "whitenedChannel("
              + layer
              + ", "
              + unit
              + "): unit "
              + unit
              + " is out of range 0.."
              + (whitening.units() - 1)
              + " of the whitening");
    }
    return new WhitenedChannel(layer, whitening, unit);
  }

  /**
   * Minus weight times the mean pairwise cosine similarity of the batch elements' Gram matrices at
   * a layer.
   */
  public static BatchObjective diversity(String layer, double weight) {
    return new Diversity(layer, weight);
  }

  private static float[] whitenedVector(
      String kind, String layer, Whitening whitening, float[] vector) {
    String what = kind + "(" + layer + ")";
    if (whitening == null) throw new ModelException(what + ": no whitening given");
    float[] v = VectorMath.checkedDirection(what, vector);
    if (v.length != whitening.units()) {
      throw new ModelException(
          what
              + ": the direction vector has "
              + v.length
              + " values but the whitening has "
              + whitening.units()
              + " units");
    }
    return v;
  }

  private static void checkPowerAndFloor(String what, double n, double floor) {
    if (!(n >= 0) || !Double.isFinite(n))
      throw new ModelException(what + ": power n must be >= 0, got " + n);
    if (!(floor >= 0) || !Double.isFinite(floor)) {
      throw new ModelException(what + ": floor must be >= 0, got " + floor);
    }
  }

  /** a + b: values and gradients add. */
  public static Objective sum(Objective a, Objective b) {
    return new Sum(a, b);
  }

  /** scale x a: the value and every gradient a adds are multiplied by scale. */
  public static Objective scaled(Objective a, double scale) {
    return new Scaled(a, scale);
  }

  /** The sum of two objectives ({@link #sum}, {@link Objective#plus}, {@link Objective#minus}). */
  public record Sum(Objective first, Objective second) implements Objective {
    @Override
    public Set<String> layers() {
      Set<String> s = new LinkedHashSet<>(first.layers());
      s.addAll(second.layers());
      return s;
    }

    @Override
    public double evaluate(SampleView view) {
      return first.evaluate(view) + second.evaluate(view);
    }

    @Override
    public void validate(Map<String, Shape> sampleShapes) {
      first.validate(sampleShapes);
      second.validate(sampleShapes);
    }

    @Override
    public Optional<Unit> unit() {
      return first.unit().or(second::unit);
    }

    @Override
    public String describe() {
      return first.describe() + " + " + second.describe();
    }
  }

  /** An objective times a number ({@link #scaled}, {@link Objective#times}). */
  public record Scaled(Objective inner, double scale) implements Objective {
    @Override
    public Set<String> layers() {
      return inner.layers();
    }

    @Override
    public double evaluate(SampleView view) {
      return scale * inner.evaluate(new ScaledGradients(view, scale));
    }

    @Override
    public void validate(Map<String, Shape> sampleShapes) {
      inner.validate(sampleShapes);
    }

    @Override
    public Optional<Unit> unit() {
      return inner.unit();
    }

    @Override
    public String describe() {
      String text = inner.describe();
      return VectorText.number(scale) + " x " + (text.contains(" + ") ? "(" + text + ")" : text);
    }
  }

  /** Passes activations through and scales every gradient the inner objective adds. */
  private record ScaledGradients(SampleView inner, double scale) implements SampleView {
    @Override
    public LayerSlice activation(String layer) {
      return inner.activation(layer);
    }

    @Override
    public LayerSlice gradient(String layer) {
      return inner.gradient(layer).scaled(scale);
    }
  }
}
