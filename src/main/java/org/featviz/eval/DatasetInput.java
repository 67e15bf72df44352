package org.featviz.eval;

import java.util.List;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * The check that a dataset's images are what a graph's input takes, for everything that runs a
 * model over data.
 */
final class DatasetInput {
  private DatasetInput() {}

  /**
   * The graph's input name, after checking that it is [N, C, H, W] with [C, H, W] the dataset's
   * image shape; else a ModelException naming both, followed by {@code context} (may be empty).
   */
  static String check(Graph graph, Dataset data, String context) {
    String input = graph.input().name();
    Shape expected = graph.shape(input);
    Shape image = Shape.of(data.channels(), data.height(), data.width());
    if (expected.rank() != 4
        || !Shape.of(expected.dim(1), expected.dim(2), expected.dim(3)).equals(image)) {
      throw new ModelException(
          graph.source()
              + ": input '"
              + input
              + "' is "
              + expected
              + ", but "
              + data.name()
              + " images are "
              + image
              + context);
    }
    return input;
  }

  /**
   * The checks of a unit-responses run before any work: {@code images} within the dataset, a
   * positive batch, at least one layer.
   */
  static void checkResponsesRun(Dataset data, int images, int batch, List<String> layers) {
    if (images < 1 || images > data.size()) {
      throw new ModelException(
          "unit responses: "
              + images
              + " images asked for, "
              + data.name()
              + " has "
              + data.size());
    }
    if (batch < 1) throw new ModelException("unit responses: batch must be positive, got " + batch);
    if (layers.isEmpty()) throw new ModelException("unit responses: no layer given");
  }

  /** That a batch of {@code n} images gave the layer a shape [n, units, ...]. */
  static void checkBatchShape(Graph graph, String layer, Shape s, int n) {
    if (s.rank() < 2 || s.dim(0) != n) {
      throw new ModelException(
          graph.source()
              + ": layer '"
              + layer
              + "' is "
              + s
              + ", expected ["
              + n
              + ", units, ...]");
    }
  }
}
