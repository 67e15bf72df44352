package org.featviz.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.featviz.cpu.Activations;
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
 * layer on. Many unit sets cost little more than their suffixes: per chunk of images the network
 * runs up to the layer once (the prefix, {@link AblationSuffix}), and only the layers after it run
 * for each distinct set, several sets per forward (each set's copy of the chunk one slice of the
 * batch). Single-unit importance is one set per unit; a cumulative curve the growing prefixes of an
 * order. On the CPU backend.
 *
 * <pre>{@code
 * List<Ablation.Score> s = Ablation.run(graph, "relu2", List.of(new int[0], new int[] {5}), data, norm,
 *     Ablation.Replacement.ZERO, null, 10_000, 256, n -> {});
 * double importance = s.get(0).accuracy() - s.get(1).accuracy();
 * }</pre>
 */
public final class Ablation {
  private Ablation() {}

  /**
   * Images per suffix forward that batching sets aims at: chunks of 256 images go one set per
   * forward, chunks of 64 four. On the 2-core CPU, 16 single-unit sets of fashion-cnn over 256
   * images took the same time within the machine's noise at 1 and at 4 sets per forward; a device
   * wants the larger batches.
   */
  public static final int IMAGES_PER_FORWARD = 256;

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
   * One score per unit set (an empty set is the intact network), in order; sets per forward as
   * {@link #IMAGES_PER_FORWARD} says.
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
    int setsPerForward = Math.max(1, IMAGES_PER_FORWARD / Math.max(1, Math.min(batch, images)));
    return run(
        graph,
        layer,
        unitSets,
        data,
        norm,
        replacement,
        means,
        images,
        batch,
        setsPerForward,
        onImages);
  }

  /**
   * The same with {@code setsPerForward} unit sets in each forward of the layers after {@code
   * layer} (1: one forward per set and chunk). The scores do not depend on it.
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
      int setsPerForward,
      IntConsumer onImages) {
    if (images < 1 || images > data.size()) {
      throw new ModelException(
          "ablation: " + images + " images asked for, " + data.name() + " has " + data.size());
    }
    if (batch < 1) throw new ModelException("ablation: batch must be positive, got " + batch);
    if (setsPerForward < 1)
      throw new ModelException(
          "ablation: sets per forward must be positive, got " + setsPerForward);
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
    // Sets that ablate the same units (every order's empty and full set) are scored once.
    Map<List<Integer>, Integer> slotOf = new LinkedHashMap<>();
    int[] slot = new int[unitSets.size()];
    List<int[]> distinct = new ArrayList<>();
    for (int s = 0; s < unitSets.size(); s++) {
      List<Integer> key = Arrays.stream(unitSets.get(s)).sorted().distinct().boxed().toList();
      Integer known = slotOf.get(key);
      if (known == null) {
        known = distinct.size();
        slotOf.put(key, known);
        distinct.add(unitSets.get(s));
      }
      slot[s] = known;
    }
    int classes = data.classNames().size();
    long[] correct = new long[distinct.size()];
    double[] loss = new double[distinct.size()];
    AblationSuffix suffix = AblationSuffix.of(graph, layer, output);
    CpuExecutor exec = new CpuExecutor(graph);
    for (int from = 0; from < images; from += batch) {
      int to = Math.min(images, from + batch);
      int n = to - from;
      Tensor x = norm.apply(data.slice(from, to).images());
      Activations prefix = exec.forward(Map.of(input, x), suffix.frontier());
      Tensor at = prefix.get(layer);
      // A frontier value that is not per image (no batch axis of n) cannot be tiled per set.
      boolean tileable = true;
      for (String v : suffix.frontier()) {
        Shape s = prefix.get(v).shape();
        tileable &= s.rank() >= 1 && s.dim(0) == n;
      }
      int group = tileable ? setsPerForward : 1;
      for (int g = 0; g < distinct.size(); g += group) {
        int m = Math.min(group, distinct.size() - g);
        Map<String, Tensor> feeds = new HashMap<>();
        for (String v : suffix.frontier()) {
          Tensor[] parts = new Tensor[m];
          for (int j = 0; j < m; j++) {
            int[] set = distinct.get(g + j);
            parts[j] =
                v.equals(layer) && set.length > 0
                    ? replaced(at, set, replacement, means)
                    : prefix.get(v);
          }
          feeds.put(v, m == 1 ? parts[0] : stacked(parts));
        }
        Tensor scores = exec.forward(feeds, List.of(output)).get(output);
        if (scores.shape().rank() != 2
            || scores.shape().dim(0) != m * n
            || scores.shape().dim(1) != classes) {
          throw new ModelException(
              graph.source()
                  + ": output '"
                  + output
                  + "' is "
                  + scores.shape()
                  + ", expected ["
                  + m * n
                  + ", "
                  + classes
                  + "] class scores for "
                  + data.name());
        }
        float[] d = scores.data();
        for (int j = 0; j < m; j++) {
          int s = g + j;
          for (int i = 0; i < n; i++) {
            int row = (j * n + i) * classes;
            int label = data.label(from + i);
            int best = Evaluator.argmax(d, row, classes);
            double max = d[row + best]; // shifts the log-sum-exp; any NaN still makes the loss NaN
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(d[row + c] - max);
            loss[s] += Math.log(sum) + max - d[row + label];
            if (best == label) correct[s]++;
          }
        }
      }
      onImages.accept(n);
    }
    List<Score> scores = new ArrayList<>();
    for (int s = 0; s < unitSets.size(); s++) {
      scores.add(new Score((double) correct[slot[s]] / images, loss[slot[s]] / images, images));
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
      sets.add(Arrays.copyOf(order, (int) Math.round(f * order.length)));
    }
    return sets;
  }

  /** The tensors [n, ...] one after another along the batch axis: [parts x n, ...]. */
  private static Tensor stacked(Tensor[] parts) {
    Shape one = parts[0].shape();
    int size = one.size();
    float[] d = new float[size * parts.length];
    for (int j = 0; j < parts.length; j++) System.arraycopy(parts[j].data(), 0, d, j * size, size);
    return Tensor.of(one.withDim(0, one.dim(0) * parts.length), d);
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
        Arrays.fill(d, (b * count + u) * positions, (b * count + u + 1) * positions, v);
      }
    }
    return r;
  }
}
