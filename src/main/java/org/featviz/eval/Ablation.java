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
 * order. On the CPU backend; {@link DeviceAblation} runs the same on a device, with {@link
 * #maskUnits} and {@link #score} (this class's) as the CPU twins of its kernels.
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
    Job job =
        Job.of(graph, layer, unitSets, data, replacement, means, images, batch, setsPerForward);
    List<int[]> distinct = job.distinct();
    int units = job.units();
    int classes = job.classes();
    long[] correct = new long[distinct.size()];
    double[] loss = new double[distinct.size()];
    float[] replace = job.replace();
    int[] masks = job.masks();
    CpuExecutor exec = new CpuExecutor(graph);
    for (int from = 0; from < images; from += batch) {
      int to = Math.min(images, from + batch);
      int n = to - from;
      Tensor x = norm.apply(data.slice(from, to).images());
      Activations prefix = exec.forward(Map.of(job.input(), x), job.suffix().frontier());
      // A frontier value that is not per image (no batch axis of n) cannot be tiled per set.
      boolean tileable = true;
      for (String v : job.suffix().frontier()) tileable &= perImage(prefix.get(v).shape(), n);
      int group = tileable ? setsPerForward : 1;
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) labels[i] = data.label(from + i);
      for (int g = 0; g < distinct.size(); g += group) {
        int m = Math.min(group, distinct.size() - g);
        Map<String, Tensor> feeds = new HashMap<>();
        for (String v : job.suffix().frontier()) {
          boolean masked = v.equals(layer);
          // The layer is copied even alone: its masking must not touch the prefix's tensor.
          Tensor t = m == 1 && !masked ? prefix.get(v) : tiled(prefix.get(v), m);
          if (masked) {
            Shape s = t.shape();
            maskUnits(t.data(), masks, replace, n, units, s.size(2, s.rank()), m, g);
          }
          feeds.put(v, t);
        }
        Tensor scores = exec.forward(feeds, List.of(job.output())).get(job.output());
        job.checkScores(scores.shape(), m * n);
        score(scores.data(), labels, correct, loss, n, classes, m, g);
      }
      onImages.accept(n);
    }
    return job.scores(correct, loss);
  }

  /** Whether a value has the chunk's n images along its first axis (it can be tiled per set). */
  static boolean perImage(Shape s, int n) {
    return s.rank() >= 1 && s.dim(0) == n;
  }

  /**
   * What every ablation run checks and derives from its arguments, on any backend: the suffix, the
   * distinct unit sets (sets that ablate the same units, every order's empty and full set, are
   * scored once; slot[s] is set s's distinct set), their masks int[distinct, units] and the
   * replacement values float[units].
   */
  record Job(
      Graph graph,
      String layer,
      String input,
      String output,
      AblationSuffix suffix,
      int units,
      int classes,
      List<int[]> distinct,
      int[] slot,
      float[] replace,
      int images,
      String dataName) {
    static Job of(
        Graph graph,
        String layer,
        List<int[]> unitSets,
        Dataset data,
        Replacement replacement,
        float[] means,
        int images,
        int batch,
        int setsPerForward) {
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
      float[] replace = replacement == Replacement.MEAN ? means.clone() : new float[units];
      return new Job(
          graph,
          layer,
          input,
          output,
          AblationSuffix.of(graph, layer, output),
          units,
          data.classNames().size(),
          distinct,
          slot,
          replace,
          images,
          data.name());
    }

    /** Row d: nonzero for the units distinct set d ablates. */
    int[] masks() {
      int[] masks = new int[distinct.size() * units];
      for (int d = 0; d < distinct.size(); d++)
        for (int u : distinct.get(d)) masks[d * units + u] = 1;
      return masks;
    }

    /** Refuses class scores that are not [rows, classes]. */
    void checkScores(Shape scores, int rows) {
      if (scores.rank() != 2 || scores.dim(0) != rows || scores.dim(1) != classes) {
        throw new ModelException(
            graph.source()
                + ": output '"
                + output
                + "' is "
                + scores
                + ", expected ["
                + rows
                + ", "
                + classes
                + "] class scores for "
                + dataName);
      }
    }

    /** One score per asked-for set, from the distinct sets' counts and loss sums. */
    List<Score> scores(long[] correct, double[] loss) {
      List<Score> scores = new ArrayList<>();
      for (int s : slot)
        scores.add(new Score((double) correct[s] / images, loss[s] / images, images));
      return scores;
    }
  }

  /**
   * The CPU twin of the device's ablation_mask_units: in {@code acts} [sets * n, units, positions]
   * (slice j: rows j*n..j*n+n-1), every position of unit u of slice j becomes replace[u] where
   * masks[(set0 + j) * units + u] != 0.
   */
  static void maskUnits(
      float[] acts,
      int[] masks,
      float[] replace,
      int n,
      int units,
      int positions,
      int sets,
      int set0) {
    for (int j = 0; j < sets; j++) {
      for (int u = 0; u < units; u++) {
        if (masks[(set0 + j) * units + u] == 0) continue;
        for (int b = 0; b < n; b++) {
          int at = ((j * n + b) * units + u) * positions;
          Arrays.fill(acts, at, at + positions, replace[u]);
        }
      }
    }
  }

  /**
   * The CPU twin of the device's ablation_score: for each slice j of {@code scores} [sets * n,
   * classes], adds its correct argmax predictions (the first maximum) to correct[set0 + j] and its
   * cross-entropy losses (natural log, in double), image after image, to loss[set0 + j]. A label
   * outside 0..classes-1 is wrong with a NaN loss.
   */
  static void score(
      float[] scores,
      int[] labels,
      long[] correct,
      double[] loss,
      int n,
      int classes,
      int sets,
      int set0) {
    for (int j = 0; j < sets; j++) {
      int s = set0 + j;
      for (int i = 0; i < n; i++) {
        int row = (j * n + i) * classes;
        int label = labels[i];
        int best = Evaluator.argmax(scores, row, classes);
        double max = scores[row + best]; // shifts the log-sum-exp; any NaN still makes the loss NaN
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.exp(scores[row + c] - max);
        boolean known = label >= 0 && label < classes;
        loss[s] += known ? Math.log(sum) + max - scores[row + label] : Double.NaN;
        if (known && best == label) correct[s]++;
      }
    }
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

  /**
   * {@code copies} copies of t [n, ...] one after another along the batch axis: [copies x n, ...].
   */
  private static Tensor tiled(Tensor t, int copies) {
    Shape one = t.shape();
    int size = one.size();
    float[] d = new float[size * copies];
    for (int j = 0; j < copies; j++) System.arraycopy(t.data(), 0, d, j * size, size);
    return Tensor.of(copies == 1 ? one : one.withDim(0, one.dim(0) * copies), d);
  }
}
