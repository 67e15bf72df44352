package org.featviz.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.featviz.cpu.CpuExecutor;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;

/**
 * Unit ablation (Morcos et al. 2018): a classifier's accuracy and mean cross-entropy loss over a
 * labelled dataset with some units of one layer replaced (by 0, or by their dataset mean) from that
 * layer on. Many unit sets cost little more than one: per chunk of images the network runs up to
 * the layer once, and only the layers after it run again for each set. Single-unit importance is
 * one set per unit; a cumulative curve the growing prefixes of an order. On the CPU backend.
 *
 * <pre>{@code
 * List<Ablation.Score> s = Ablation.run(graph, "relu2", List.of(new int[0], new int[] {5}), data, norm,
 *     Ablation.Replacement.ZERO, null, 10_000, 256, n -> {});
 * double importance = s.get(0).accuracy() - s.get(1).accuracy();
 * }</pre>
 */
public final class Ablation {
  private Ablation() {}

  /** What an ablated unit's activation becomes. */
  public enum Replacement {
    /** 0 at every position. */
    ZERO,
    /** The unit's dataset mean (given per unit), at every position. */
    MEAN
  }

  /**
   * Accuracy and mean cross-entropy loss (natural log) of the class scores over {@code images}
   * images.
   */
  public record Score(double accuracy, double meanLoss, int images) {}

  /**
   * One score per unit set (an empty set is the intact network), in order.
   *
   * @param graph a prepared classifier graph whose first output is the class scores [N, classes]
   *     and which has {@code layer} [N, units, ...] among its values
   * @param means the units' dataset means [units] for {@link Replacement#MEAN}, else ignored (may
   *     be null)
   * @param onImages told how many images each finished chunk held
   */
  public static List<Score> run(
      Graph graph,
      String layer,
      List<int[]> unitSets,
      Dataset data,
      InputNormalization norm,
      Replacement replacement,
      float[] means,
      int images,
      int batch,
      IntConsumer onImages) {
    if (images < 1 || images > data.size()) {
      throw new ModelException(
          "ablation: " + images + " images asked for, " + data.name() + " has " + data.size());
    }
    if (batch < 1) throw new ModelException("ablation: batch must be positive, got " + batch);
    String input = DatasetInput.check(graph, data, ": ablation needs images the model takes");
    String output = graph.outputs().get(0);
    Shape layerShape = graph.shape(layer);
    if (layerShape == null || layerShape.rank() < 2) {
      throw new ModelException(
          graph.source() + ": layer '" + layer + "' has no unit axis to ablate");
    }
    int units = layerShape.dim(1);
    for (int[] set : unitSets) {
      for (int u : set) {
        if (u < 0 || u >= units) {
          throw new ModelException(
              "layer '" + layer + "' has " + units + " units; unit " + u + " is out of range");
        }
      }
    }
    if (replacement == Replacement.MEAN && (means == null || means.length != units)) {
      throw new ModelException(
          "ablation of '" + layer + "' by the mean needs " + units + " unit means");
    }
    int classes = data.classNames().size();
    long[] correct = new long[unitSets.size()];
    double[] loss = new double[unitSets.size()];
    CpuExecutor exec = new CpuExecutor(graph);
    for (int from = 0; from < images; from += batch) {
      int to = Math.min(images, from + batch);
      Tensor x = norm.apply(data.slice(from, to).images());
      Tensor at = exec.forward(Map.of(input, x), List.of(layer)).get(layer);
      for (int s = 0; s < unitSets.size(); s++) {
        Tensor edited =
            unitSets.get(s).length == 0 ? at : replaced(at, unitSets.get(s), replacement, means);
        Tensor scores = exec.forward(Map.of(layer, edited), List.of(output)).get(output);
        if (scores.shape().rank() != 2 || scores.shape().dim(1) != classes) {
          throw new ModelException(
              graph.source()
                  + ": output '"
                  + output
                  + "' is "
                  + scores.shape()
                  + ", expected ["
                  + (to - from)
                  + ", "
                  + classes
                  + "] class scores for "
                  + data.name());
        }
        for (int i = 0; i < to - from; i++) {
          int label = data.label(from + i);
          float[] d = scores.data();
          int best = Evaluator.argmax(d, i * classes, classes);
          double max =
              d[i * classes + best]; // shifts the log-sum-exp; any NaN still makes the loss NaN
          double sum = 0;
          for (int c = 0; c < classes; c++) sum += Math.exp(d[i * classes + c] - max);
          loss[s] += Math.log(sum) + max - d[i * classes + label];
          if (best == label) correct[s]++;
        }
      }
      onImages.accept(to - from);
    }
    List<Score> scores = new ArrayList<>();
    for (int s = 0; s < unitSets.size(); s++) {
      scores.add(new Score((double) correct[s] / images, loss[s] / images, images));
    }
    return scores;
  }

  /**
   * The growing prefixes of {@code order} at each fraction of the layer's units (0 and 1 included).
   */
  public static List<int[]> cumulative(int[] order, double[] fractions) {
    List<int[]> sets = new ArrayList<>();
    for (double f : fractions) {
      if (!(f >= 0 && f <= 1))
        throw new IllegalArgumentException("fraction " + f + " is not in [0, 1]");
      sets.add(java.util.Arrays.copyOf(order, (int) Math.round(f * order.length)));
    }
    return sets;
  }

  private static Tensor replaced(Tensor a, int[] units, Replacement replacement, float[] means) {
    Tensor r = a.copy();
    Shape s = a.shape();
    int n = s.dim(0);
    int count = s.dim(1);
    int positions = s.size(2, s.rank());
    float[] d = r.data();
    for (int b = 0; b < n; b++) {
      for (int u : units) {
        float v = replacement == Replacement.ZERO ? 0f : means[u];
        java.util.Arrays.fill(d, (b * count + u) * positions, (b * count + u + 1) * positions, v);
      }
    }
    return r;
  }
}
