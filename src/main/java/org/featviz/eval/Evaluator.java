package org.featviz.eval;

import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;

/**
 * Runs a classifier graph over a dataset in batches (CPU backend by default) and scores its argmax
 * predictions.
 */
public final class Evaluator {
  private Evaluator() {}

  /**
   * @param graph a prepared graph with one input and the class scores [N, classes] as its first
   *     output
   * @param onProgress told how many images each finished batch held
   */
  public static Evaluation run(
      Graph graph, Dataset data, InputNormalization norm, int batch, IntConsumer onProgress) {
    try (ForwardBackend cpu = Backends.open(org.featviz.backend.Backend.CPU, graph)) {
      return run(cpu, graph, data, norm, batch, onProgress);
    }
  }

  /** The same on any backend opened for {@code graph}. */
  public static Evaluation run(
      ForwardBackend backend,
      Graph graph,
      Dataset data,
      InputNormalization norm,
      int batch,
      IntConsumer onProgress) {
    if (batch <= 0) throw new ModelException("batch size must be positive, got " + batch);
    String input = DatasetInput.check(graph, data, "");
    String output = graph.outputs().get(0);
    int classes = data.classNames().size();
    int[] predictions = new int[data.size()];
    int[][] confusion = new int[classes][classes];
    int nonFinite = 0;
    long start = System.nanoTime();
    for (int from = 0; from < data.size(); from += batch) {
      int to = Math.min(data.size(), from + batch);
      Tensor x = norm.apply(data.slice(from, to).images());
      Tensor scores = backend.forward(Map.of(input, x), List.of(output)).get(output);
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
      float[] s = scores.data();
      for (int i = 0; i < to - from; i++) {
        for (int c = 0; c < classes; c++) {
          if (!Float.isFinite(s[i * classes + c])) {
            nonFinite++;
            break;
          }
        }
        int best = argmax(s, i * classes, classes);
        predictions[from + i] = best;
        confusion[data.label(from + i)][best]++;
      }
      onProgress.accept(to - from);
    }
    return new Evaluation(
        predictions, confusion, data.classNames(), (System.nanoTime() - start) / 1e9, nonFinite);
  }

  /**
   * The predicted class of one image's scores {@code s[offset .. offset + classes)}: the first
   * maximum.
   */
  static int argmax(float[] s, int offset, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) if (s[offset + c] > s[offset + best]) best = c;
    return best;
  }
}
