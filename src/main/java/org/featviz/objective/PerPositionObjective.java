package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * The mean over positions of a function of the activation vector at each position: for a [C, H, W]
 * layer, value (1/P) sum_p f(a[:, p]) with P = H * W and gradient (1/P) df/da at each position; for
 * a dense layer (P = 1) simply f(a). Direction, cosine, dot x cossim^n, the orthogonal penalty and
 * their whitened versions are all of this form: each is a subclass that gives its {@link
 * VectorFunction} and exposes its arguments.
 */
abstract class PerPositionObjective extends LayerObjective {
  private final String kind;
  private final String arguments;
  private final String vectorName;
  private final VectorFunction function;

  /**
   * describe() reads "kind(layer, arguments)"; vectorName names the length-U argument in errors.
   */
  PerPositionObjective(
      String kind, String layer, String arguments, String vectorName, VectorFunction function) {
    super(layer);
    this.kind = kind;
    this.arguments = arguments;
    this.vectorName = vectorName;
    this.function = function;
  }

  /** The same with "the direction vector" as the length-U argument's name. */
  PerPositionObjective(String kind, String layer, String arguments, VectorFunction function) {
    this(kind, layer, arguments, "the direction vector", function);
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
  public String describe() {
    return kind + "(" + layer + ", " + arguments + ")";
  }
}
