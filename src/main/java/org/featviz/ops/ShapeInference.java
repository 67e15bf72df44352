package org.featviz.ops;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.DType;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;

/**
 * Static shapes for every value of a graph, from its input shapes, by each op's {@link OpSpec}.
 * featviz infers shapes itself (rather than trusting ONNX's value_info) so that the batch size and
 * a user-given input size flow through every layer.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /**
   * Shapes found, and the nodes that could not be handled (unsupported ops and everything
   * downstream).
   */
  public record Result(Map<String, Shape> shapes, List<ModelException> problems) {}

  /** Infers all shapes; throws at the first unsupported op or shape error. */
  public static Graph infer(Graph graph, Map<String, Shape> inputShapes) {
    Result r = run(graph, inputShapes, false);
    return graph.withShapes(r.shapes());
  }

  /**
   * Infers what it can: problems are collected, and values downstream of a problem have no shape.
   */
  public static Result inferLenient(Graph graph, Map<String, Shape> inputShapes) {
    return run(graph, inputShapes, true);
  }

  /**
   * Throws an {@link UnsupportedOpException} naming the first int64 initializer of {@code graph}
   * that a node reads as float32 data (anything but a shape-like input such as Reshape's shape):
   * featviz computes in float32.
   */
  public static void checkInt64Initializers(Graph graph) {
    for (Node node : graph.nodes()) checkInt64Initializers(graph, node);
  }

  private static void checkInt64Initializers(Graph graph, Node node) {
    int k =
        Ops.int64DataInput(
            node,
            name -> {
              Tensor t = graph.initializers().get(name);
              return t != null && t.dtype() != DType.FLOAT;
            });
    if (k < 0) return;
    String name = node.input(k);
    throw new UnsupportedOpException(
        node,
        graph.opset(),
        "input "
            + k
            + " is the int64 initializer '"
            + name
            + "' "
            + graph.initializers().get(name).shape()
            + "; featviz computes in float32 and reads int64 only as shape"
            + " inputs (Reshape's shape, Pad's pads)");
  }

  private static Result run(Graph graph, Map<String, Shape> inputShapes, boolean lenient) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (ValueInfo in : graph.inputs()) {
      Shape s = inputShapes.get(in.name());
      if (s == null)
        throw new ModelException(graph.source() + ": no shape given for input '" + in.name() + "'");
      shapes.put(in.name(), s);
    }
    for (Map.Entry<String, Tensor> e : graph.initializers().entrySet())
      shapes.put(e.getKey(), e.getValue().shape());
    List<ModelException> problems = new ArrayList<>();
    Set<String> blocked = new HashSet<>();
    for (Node node : graph.nodes()) {
      List<Shape> in = new ArrayList<>();
      List<Tensor> constants = new ArrayList<>();
      boolean upstreamProblem = false;
      for (String name : node.inputs()) {
        if (blocked.contains(name)) upstreamProblem = true;
        in.add(name.isEmpty() ? null : shapes.get(name));
        constants.add(name.isEmpty() ? null : graph.initializers().get(name));
      }
      try {
        if (upstreamProblem) {
          blocked.addAll(node.outputs());
          continue;
        }
        OpSpec spec = Ops.spec(node, graph.opset());
        checkInt64Initializers(graph, node);
        List<Shape> out = spec.outputShapes(new OpContext(node, in, constants, graph.opset()));
        for (int i = 0; i < node.outputs().size() && i < out.size(); i++) {
          if (!node.outputs().get(i).isEmpty()) shapes.put(node.outputs().get(i), out.get(i));
        }
      } catch (ModelException e) {
        ModelException located =
            e.getMessage().startsWith(graph.source())
                ? e
                : (e instanceof UnsupportedOpException u
                    ? u.in(graph.source())
                    : new ModelException(graph.source() + ": " + e.getMessage(), e));
        if (!lenient) throw located;
        problems.add(located);
        blocked.addAll(node.outputs());
      } catch (RuntimeException e) {
        ModelException m =
            new ModelException(graph.source() + ": " + node.describe() + ": " + e.getMessage(), e);
        if (!lenient) throw m;
        problems.add(m);
        blocked.addAll(node.outputs());
      }
    }
    return new Result(shapes, problems);
  }
}
