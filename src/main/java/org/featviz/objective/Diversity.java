package org.featviz.objective;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Lucid's diversity term: minus weight times the mean pairwise cosine similarity of the batch
 * elements' Gram matrices at a layer, so maximizing it pushes the images of a batch apart in
 * "style".
 *
 * <p>Per element i, A_i is the activation [C, P] (P positions, 1 for dense layers), G_i = A_i A_i^T
 * [C, C] and g_i = G_i / |G_i| (Frobenius norm, guarded: sqrt(|G|^2 + EPS)). With n elements, S =
 * sum_{i != j} g_i . g_j and the value is -weight S / (n (n - 1)) (0 for fewer than 2 samples).
 * Gradient: with h_i = sum_{j != i} g_j, dS/dG_i = 2 (h_i - g_i (g_i . h_i)) / |G_i| =: U_i
 * (symmetric), and dS/dA_i = 2 U_i A_i. Lucid divides S by n rather than by the number of ordered
 * pairs; only the weight's scale differs.
 *
 * <p>An element whose activations are not all finite (a diverged image) takes no part: its g is
 * zero and it gets no gradient, as if its activations were zero, so one diverging image cannot
 * poison the others' gradients. n still counts it. Made by {@link Objectives#diversity}.
 *
 * @param layer the layer (value name) whose Gram matrices are compared
 * @param weight the factor of minus the mean pairwise cosine similarity
 */
public record Diversity(String layer, double weight) implements BatchObjective {
  private static final double EPS = 1e-12;

  public Diversity {
    if (layer == null || layer.isBlank())
      throw new ModelException("diversity needs a layer name, got '" + layer + "'");
  }

  @Override
  public Set<String> layers() {
    return Set.of(layer);
  }

  @Override
  public void validate(Map<String, Shape> sampleShapes) {
    if (!sampleShapes.containsKey(layer)) {
      throw new ModelException(
          describe() + ": no layer '" + layer + "' among the layers " + sampleShapes.keySet());
    }
  }

  @Override
  public double evaluate(List<SampleView> batch) {
    int n = batch.size();
    if (n < 2) return 0;
    double[][] g = new double[n][];
    double[] norms = new double[n];
    double[] total = null;
    for (int i = 0; i < n; i++) {
      LayerSlice a = batch.get(i).activation(layer);
      if (i > 0 && !a.shape().equals(batch.get(0).activation(layer).shape())) {
        throw new ModelException(
            describe()
                + ": element "
                + i
                + " has shape "
                + a.shape()
                + ", element 0 has "
                + batch.get(0).activation(layer).shape());
      }
      double[] gram = gram(a);
      norms[i] = Math.sqrt(VectorMath.dot(gram, gram) + EPS);
      if (!Double.isFinite(norms[i])) {
        norms[i] = 0; // excluded: no part in the sums, no gradient
        gram = new double[gram.length];
      }
      for (int k = 0; norms[i] > 0 && k < gram.length; k++) gram[k] /= norms[i];
      g[i] = gram;
      if (total == null) total = new double[gram.length];
      for (int k = 0; k < gram.length; k++) total[k] += gram[k];
    }
    double pairs = n * (n - 1.0);
    double s = 0;
    for (int i = 0; i < n; i++) {
      double[] h = total.clone();
      for (int k = 0; k < h.length; k++) h[k] -= g[i][k];
      double gh = VectorMath.dot(g[i], h);
      s += gh;
      if (norms[i] == 0) continue; // excluded (not finite)
      double[] u = new double[h.length]; // dS/dG_i
      for (int k = 0; k < h.length; k++) u[k] = 2 * (h[k] - g[i][k] * gh) / norms[i];
      addGramGradient(batch.get(i), u, -weight / pairs);
    }
    return -weight * s / pairs;
  }

  /** G = A A^T, row-major [C * C], from the slice's [C, P] layout. */
  private static double[] gram(LayerSlice a) {
    int c = a.units();
    int p = a.positions();
    double[] gram = new double[c * c];
    for (int x = 0; x < c; x++) {
      for (int y = x; y < c; y++) {
        double s = 0;
        for (int q = 0; q < p; q++) s += (double) a.at(x, q) * a.at(y, q);
        gram[x * c + y] = s;
        gram[y * c + x] = s;
      }
    }
    return gram;
  }

  /** Adds factor * dS/dA = factor * 2 U A into the element's gradient (U symmetric [C * C]). */
  private void addGramGradient(SampleView view, double[] u, double factor) {
    LayerSlice a = view.activation(layer);
    LayerSlice grad = view.gradient(layer);
    int c = a.units();
    int p = a.positions();
    for (int x = 0; x < c; x++) {
      for (int q = 0; q < p; q++) {
        double s = 0;
        for (int y = 0; y < c; y++) s += u[x * c + y] * a.at(y, q);
        grad.addAt(x, q, factor * 2 * s);
      }
    }
  }

  @Override
  public String describe() {
    return "diversity(" + layer + ", " + VectorText.number(weight) + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
