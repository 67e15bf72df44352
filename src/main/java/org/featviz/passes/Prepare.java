package org.featviz.passes;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;

/**
 * The standard pipeline from an imported graph to one featviz runs: drop pass-throughs, fold
 * constants, truncate to the targets, fold BatchNormalization (sparing targeted values), resolve
 * the input shape and infer all shapes.
 */
public final class Prepare {
  private Prepare() {}

  /**
   * @param inputShape the user's --input-shape, or null
   * @param targets layer names to keep (the graph is cut after them); empty keeps the whole graph
   */
  public static Graph forRun(Graph imported, long[] inputShape, Collection<String> targets) {
    Graph g = simplify(imported);
    List<String> resolved = targets.stream().map(g::resolveLayer).toList();
    if (!resolved.isEmpty()) g = Truncate.apply(g, resolved);
    g = FoldBatchNorm.apply(g, resolved);
    return ShapeInference.infer(g, inputShapes(g, inputShape));
  }

  /** Graph-level simplifications that need no shapes. */
  public static Graph simplify(Graph imported) {
    return FoldConstants.apply(DropPassThrough.apply(imported));
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
