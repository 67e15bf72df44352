package org.featviz.objective;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Factories for objectives; the combinators live here, the objectives of the field beside them. Layer arguments
 * are value names; per-sample shapes are [C, H, W] (conv) or [F] (dense); "per position averaged" means the mean
 * over the H * W positions of a function of the C-vector at each position. docs/objectives.md has the formulas.
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

  /** Independent activation maximization: unit {@code unit}'s mean minus the mean of the other units' means. */
  public static Objective iam(String layer, int unit) {
    return new IndependentActivation(layer, unit);
  }

  /** a . v, per position averaged. */
  public static Objective direction(String layer, float[] vector) {
    float[] v = VectorMath.checkedDirection("direction(" + layer + ")", vector);
    return perPosition("direction", layer, VectorText.of(v), VectorFunctions.dot(v),
        new FusedTerm.Direction(layer, v, 1));
  }

  /** Cosine similarity of a and v, per position averaged. */
  public static Objective cosine(String layer, float[] vector) {
    float[] v = VectorMath.checkedDirection("cosine(" + layer + ")", vector);
    return perPosition("cosine", layer, VectorText.of(v), VectorFunctions.cosine(v),
        new FusedTerm.Cosine(layer, v, 1));
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
    return perPosition("dotCossim", layer, VectorText.of(v) + ", n=" + VectorText.number(n) + ", floor="
        + VectorText.number(floor), VectorFunctions.dotCossim(v, n, floor),
        new FusedTerm.DotCossim(layer, v, n, floor, 1));
  }

  /** a . v - lambda |a - (a . v^) v^|^2, per position averaged (v^ = v / |v|). */
  public static Objective orthogonalPenalty(String layer, float[] vector, double lambda) {
    if (!(lambda >= 0) || !Double.isFinite(lambda)) {
      throw new ModelException("orthogonalPenalty(" + layer + "): lambda must be a finite number >= 0 (a negative"
          + " one would reward the off-direction part), got " + lambda);
    }
    float[] v = VectorMath.checkedDirection("orthogonalPenalty(" + layer + ")", vector);
    return perPosition("orthogonalPenalty", layer, VectorText.of(v) + ", lambda=" + VectorText.number(lambda),
        VectorFunctions.orthogonalPenalty(v, lambda), new FusedTerm.OrthogonalPenalty(layer, v, lambda, 1));
  }

  /** -|a - target|^2 over the whole per-sample slice (target in the slice's [C, H, W] or [F] layout). */
  public static Objective l2Inversion(String layer, float[] target) {
    if (target == null || target.length == 0) throw new ModelException("l2Inversion(" + layer + "): empty target");
    return new L2Inversion(layer, target);
  }

  /** -weight * mean |a| (L1) or -weight * mean a^2 (L2) over the layer's per-sample elements. */
  public static Objective layerPenalty(String layer, PenaltyNorm norm, double weight) {
    if (norm == null) throw new ModelException("layerPenalty(" + layer + "): norm must be L1 or L2");
    return new LayerPenalty(layer, norm, weight);
  }

  /** z . v with z = W (a - mu) the whitened activation vector, per position averaged (v lives in z-space). */
  public static Objective whitenedDirection(String layer, Whitening whitening, float[] vector) {
    float[] v = whitenedVector("whitenedDirection", layer, whitening, vector);
    return perPosition("whitenedDirection", layer, VectorText.of(v),
        VectorFunctions.whitened(whitening, VectorFunctions.dot(v)),
        new FusedTerm.WhitenedDirection(layer, whitening, v, 1));
  }

  /** Cosine similarity of z = W (a - mu) and v, per position averaged. */
  public static Objective whitenedCosine(String layer, Whitening whitening, float[] vector) {
    float[] v = whitenedVector("whitenedCosine", layer, whitening, vector);
    return perPosition("whitenedCosine", layer, VectorText.of(v),
        VectorFunctions.whitened(whitening, VectorFunctions.cosine(v)),
        new FusedTerm.WhitenedCosine(layer, whitening, v, 1));
  }

  /** {@link #whitenedDotCossim(String, Whitening, float[], double, double)} with n = 1 and floor = 0.1. */
  public static Objective whitenedDotCossim(String layer, Whitening whitening, float[] vector) {
    return whitenedDotCossim(layer, whitening, vector, DOT_COSSIM_POWER, DOT_COSSIM_FLOOR);
  }

  /** (z . v) * max(floor, cossim(z, v))^n with z = W (a - mu), per position averaged. */
  public static Objective whitenedDotCossim(String layer, Whitening whitening, float[] vector, double n,
      double floor) {
    float[] v = whitenedVector("whitenedDotCossim", layer, whitening, vector);
    checkPowerAndFloor("whitenedDotCossim(" + layer + ")", n, floor);
    return perPosition("whitenedDotCossim", layer, VectorText.of(v) + ", n=" + VectorText.number(n) + ", floor="
        + VectorText.number(floor), VectorFunctions.whitened(whitening, VectorFunctions.dotCossim(v, n, floor)),
        new FusedTerm.WhitenedDotCossim(layer, whitening, v, n, floor, 1));
  }

  /** Component {@code unit} of z = W (a - mu), per position averaged: a channel in whitened space. */
  public static Objective whitenedChannel(String layer, Whitening whitening, int unit) {
    if (unit < 0 || unit >= whitening.units()) {
      throw new ModelException("whitenedChannel(" + layer + ", " + unit + "): unit " + unit + " is out of range 0.."
          + (whitening.units() - 1) + " of the whitening");
    }
    // z_unit = z . e_unit exactly (the other products are 0), so the device computes it as a whitened direction.
    float[] basis = new float[whitening.units()];
    basis[unit] = 1;
    return perPosition("whitenedChannel", layer, String.valueOf(unit), "the whitening",
        VectorFunctions.whitened(whitening, VectorFunctions.component(whitening.units(), unit)),
        new FusedTerm.WhitenedDirection(layer, whitening, basis, 1));
  }

  /** Minus weight times the mean pairwise cosine similarity of the batch elements' Gram matrices at a layer. */
  public static BatchObjective diversity(String layer, double weight) {
    return new Diversity(layer, weight);
  }

  private static Objective perPosition(String kind, String layer, String arguments, VectorFunction function,
      FusedTerm term) {
    return perPosition(kind, layer, arguments, "the direction vector", function, term);
  }

  private static Objective perPosition(String kind, String layer, String arguments, String vectorName,
      VectorFunction function, FusedTerm term) {
    return new PerPositionObjective(kind, layer, arguments, vectorName, function, term);
  }

  private static float[] whitenedVector(String kind, String layer, Whitening whitening, float[] vector) {
    String what = kind + "(" + layer + ")";
    if (whitening == null) throw new ModelException(what + ": no whitening given");
    float[] v = VectorMath.checkedDirection(what, vector);
    if (v.length != whitening.units()) {
      throw new ModelException(what + ": the direction vector has " + v.length + " values but the whitening has "
          + whitening.units() + " units");
    }
    return v;
  }

  private static void checkPowerAndFloor(String what, double n, double floor) {
    if (!(n >= 0) || !Double.isFinite(n)) throw new ModelException(what + ": power n must be >= 0, got " + n);
    if (!(floor >= 0) || !Double.isFinite(floor)) {
      throw new ModelException(what + ": floor must be >= 0, got " + floor);
    }
  }

  public static Objective sum(Objective a, Objective b) {
    return new Objective() {
      @Override
      public Set<String> layers() {
        Set<String> s = new LinkedHashSet<>(a.layers());
        s.addAll(b.layers());
        return s;
      }

      @Override
      public double evaluate(SampleView view) {
        return a.evaluate(view) + b.evaluate(view);
      }

      @Override
      public Optional<List<FusedTerm>> fusedTerms() {
        Optional<List<FusedTerm>> ta = a.fusedTerms();
        Optional<List<FusedTerm>> tb = b.fusedTerms();
        if (ta.isEmpty() || tb.isEmpty()) return Optional.empty();
        List<FusedTerm> all = new ArrayList<>(ta.get());
        all.addAll(tb.get());
        return Optional.of(List.copyOf(all));
      }

      @Override
      public void validate(Map<String, Shape> sampleShapes) {
        a.validate(sampleShapes);
        b.validate(sampleShapes);
      }

      @Override
      public Optional<Unit> unit() {
        return a.unit().or(b::unit);
      }

      @Override
      public String describe() {
        return a.describe() + " + " + b.describe();
      }
    };
  }

  public static Objective scaled(Objective a, double scale) {
    return new Objective() {
      @Override
      public Set<String> layers() {
        return a.layers();
      }

      @Override
      public double evaluate(SampleView view) {
        return scale * a.evaluate(new ScaledGradients(view, scale));
      }

      @Override
      public Optional<List<FusedTerm>> fusedTerms() {
        return a.fusedTerms().map(terms -> terms.stream().map(t -> t.scaled(scale)).toList());
      }

      @Override
      public void validate(Map<String, Shape> sampleShapes) {
        a.validate(sampleShapes);
      }

      @Override
      public Optional<Unit> unit() {
        return a.unit();
      }

      @Override
      public String describe() {
        String inner = a.describe();
        return VectorText.number(scale) + " x " + (inner.contains(" + ") ? "(" + inner + ")" : inner);
      }
    };
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
