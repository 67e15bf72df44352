package org.featviz.objective;

import java.util.List;
import java.util.Optional;
import org.featviz.ir.Shape;

/**
 * The mean over positions of a function of the activation vector at each position: for a [C, H, W] layer,
 * value (1/P) sum_p f(a[:, p]) with P = H * W and gradient (1/P) df/da at each position; for a dense layer
 * (P = 1) simply f(a). Direction, cosine, dot x cossim^n, the orthogonal penalty and their whitened versions are
 * all of this form.
 */
final class PerPositionObjective extends LayerObjective {
  private final String kind;
  private final String arguments;
  private final String vectorName;
  private final VectorFunction function;
  /** The same objective as a fused kernel's term, or null where no kernel computes it. */
  private final FusedTerm term;

  /**
   * describe() reads "kind(layer, arguments)"; vectorName names the length-U argument in errors; term is the
   * objective as a fused kernel's term (weight 1), or null.
   */
  PerPositionObjective(String kind, String layer, String arguments, String vectorName, VectorFunction function,
      FusedTerm term) {
    super(layer);
    this.kind = kind;
    this.arguments = arguments;
    this.vectorName = vectorName;
    this.function = function;
    this.term = term;
  }

  @Override
  protected void check(Shape shape) {
    checkUnits(vectorName, function.length(), shape);
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    int units = a.units();
    int positions = a.positions();
    double[] vector = new double[units];
    double[] g = new double[units];
    double total = 0;
    for (int p = 0; p < positions; p++) {
      for (int u = 0; u < units; u++) vector[u] = a.at(u, p);
      total += function.apply(vector, g);
      for (int u = 0; u < units; u++) grad.addAt(u, p, g[u] / positions);
    }
    return total / positions;
  }

  @Override
  public Optional<List<FusedTerm>> fusedTerms() {
    return term == null ? Optional.empty() : Optional.of(List.of(term));
  }

  @Override
  public String describe() {
    return kind + "(" + layer + ", " + arguments + ")";
  }
}
