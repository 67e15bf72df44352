package org.featviz.passes;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;

/**
 * The standard pipeline from an imported graph to one featviz runs: drop pass-throughs, fold
 * constants and (with the input shape fixed) shape arithmetic, truncate to the targets, refuse
 * shape arithmetic left unfolded, fold BatchNormalization (sparing targeted values), resolve the
 * input shape and infer all shapes.
 */
public final class Prepare {
  private Prepare() {}

  /**
   * @param inputShape the user's --input-shape, or null
   * @param targets layer names to keep (the graph is cut after them); empty keeps the whole graph
   */
  public static Graph forRun(Graph imported, long[] inputShape, Collection<String> targets) {
    Graph g = simplify(imported, inputShape);
    List<String> resolved = targets.stream().map(g::resolveLayer).toList();
    if (!resolved.isEmpty()) g = Truncate.apply(g, resolved);
    Map<String, Shape> shapes = inputShapes(g, inputShape);
    g = FoldShapes.apply(g, shapes, true);
    g = FoldBatchNorm.apply(g, resolved);
    return ShapeInference.infer(g, shapes);
  }

  /** Graph-level simplifications that need no shapes (shape arithmetic stays unfolded). */
  public static Graph simplify(Graph imported) {
    return FoldConstants.apply(DropPassThrough.apply(imported));
  }

  /**
   * {@link #simplify(Graph)}, then shape arithmetic folded with the input shape that {@code
   * inputShape} (the user's, or null for the model's own) resolves to; where it does not resolve (a
   * dynamic model without one), only the arithmetic that needs no input shape folds. What cannot
   * fold stays, for {@link #forRun} or shape inference to report naming the node.
   */
  public static Graph simplify(Graph imported, long[] inputShape) {
    Graph g = simplify(imported);
    Map<String, Shape> shapes;
    try {
      shapes = inputShapes(g, inputShape);
    } catch (ModelException e) {
      shapes = null; // reported where the input shape is needed, with the CLI's wording
    }
    return FoldShapes.apply(g, shapes, false);
  }

  /**
   * The static shape of every graph input (featviz models have one; conformance cases may have
   * several).
   */
  public static Map<String, Shape> inputShapes(Graph g, long[] override) {
    if (override != null && g.inputs().size() != 1) {
      throw new InputShapes.InputShapeException(
          g.source()
              + ": an input shape needs a model with one input; this one has "
              + g.inputs().size());
    }
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (ValueInfo in : g.inputs()) shapes.put(in.name(), InputShapes.resolve(g, in, override));
    return shapes;
  }
}
