package org.featviz.ir;

import java.util.List;
import java.util.Map;

/** The hand-built graphs of the tests, one line a node: opset 13, one input, no metadata. */
public final class TestGraphs {
  private TestGraphs() {}

  /** A node whose one output is named after it. */
  public static Node node(String name, String op, List<String> inputs, Map<String, Object> attrs) {
    return new Node(name, op, inputs, List.of(name), new Attributes(attrs));
  }

  /** A graph at opset 13 with one input and no metadata or recorded shapes. */
  public static Graph graph(
      String source,
      ValueInfo input,
      List<String> outputs,
      List<Node> nodes,
      Map<String, Tensor> initializers) {
    return new Graph(source, 13, List.of(input), outputs, nodes, initializers, Map.of(), Map.of());
  }
}
