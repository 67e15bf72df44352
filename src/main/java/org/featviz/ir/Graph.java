package org.featviz.ir;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * featviz's immutable model graph: nodes in topological order, float initializers, declared inputs
 * and outputs, the opset, metadata, and (once shapes are inferred) the static shape of every value.
 * Passes return new graphs.
 */
public final class Graph {
  private final String source;
  private final int opset;
  private final List<ValueInfo> inputs;
  private final List<String> outputs;
  private final List<Node> nodes;
  private final Map<String, Tensor> initializers;
  private final Map<String, String> metadata;
  private final Map<String, Shape> shapes;
  private final Map<String, Node> producers = new HashMap<>();

  public Graph(
      String source,
      int opset,
      List<ValueInfo> inputs,
      List<String> outputs,
      List<Node> nodes,
      Map<String, Tensor> initializers,
      Map<String, String> metadata,
      Map<String, Shape> shapes) {
    this.source = source;
    this.opset = opset;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.nodes = List.copyOf(nodes);
    this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
    for (Node n : nodes) for (String o : n.outputs()) if (!o.isEmpty()) producers.put(o, n);
  }

  /** Where the graph came from (a file name), for messages. */
  public String source() {
    return source;
  }

  public int opset() {
    return opset;
  }

  /** Graph inputs that are not initializers. */
  public List<ValueInfo> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, Tensor> initializers() {
    return initializers;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Static shapes of all values (inputs, initializers, node outputs); empty until shapes are
   * inferred.
   */
  public Map<String, Shape> shapes() {
    return shapes;
  }

  public Shape shape(String value) {
    Shape s = shapes.get(value);
    if (s == null) throw new ModelException(source + ": no shape known for value '" + value + "'");
    return s;
  }

  public boolean isInitializer(String value) {
    return initializers.containsKey(value);
  }

  /** The node that produces a value, or null for inputs and initializers. */
  public Node producer(String value) {
    return producers.get(value);
  }

  public ValueInfo input() {
    if (inputs.size() != 1) {
      throw new ModelException(source + ": expected one graph input, found " + inputs.size());
    }
    return inputs.get(0);
  }

  /**
   * Resolves a layer name as a user writes it: a node output name, or a node name where that names
   * exactly one node with one output. Throws listing the known layer names otherwise.
   */
  public String resolveLayer(String layer) {
    if (producers.containsKey(layer)) return layer;
    for (Node n : nodes) {
      if (n.name().equals(layer) && n.outputs().size() == 1) {
        long same = nodes.stream().filter(m -> m.name().equals(layer)).count();
        if (same == 1) return n.output();
      }
    }
    throw new ModelException(
        source + ": unknown layer '" + layer + "'; layers are: " + String.join(", ", layerNames()));
  }

  /** Node output names in graph order: the layer names users address. */
  public List<String> layerNames() {
    List<String> names = new ArrayList<>();
    for (Node n : nodes) names.add(n.output());
    return names;
  }

  /**
   * The nodes needed to compute the given values, in graph order (a backward walk from the
   * targets).
   */
  public List<Node> nodesFeeding(Collection<String> targets) {
    return nodesFeeding(targets, Set.of());
  }

  /**
   * The nodes that compute {@code targets} when the values in {@code given} are supplied from
   * outside (fed): a node whose every output is given is not run, nor are the nodes only it needed.
   * Graph order.
   */
  public List<Node> nodesFeeding(Collection<String> targets, Set<String> given) {
    Set<String> wanted = new HashSet<>(targets);
    wanted.removeAll(given);
    boolean[] keep = new boolean[nodes.size()];
    for (int k = nodes.size() - 1; k >= 0; k--) {
      Node n = nodes.get(k);
      if (given.containsAll(n.outputs())) continue;
      if (n.outputs().stream().anyMatch(wanted::contains)) {
        keep[k] = true;
        for (String in : n.inputs()) if (!given.contains(in)) wanted.add(in);
      }
    }
    List<Node> r = new ArrayList<>();
    for (int k = 0; k < nodes.size(); k++) if (keep[k]) r.add(nodes.get(k));
    return r;
  }

  public Graph withNodes(List<Node> newNodes, Map<String, Tensor> newInitializers) {
    return new Graph(source, opset, inputs, outputs, newNodes, newInitializers, metadata, shapes);
  }

  public Graph withOutputs(List<String> newOutputs) {
    return new Graph(source, opset, inputs, newOutputs, nodes, initializers, metadata, shapes);
  }

  public Graph withInputs(List<ValueInfo> newInputs) {
    return new Graph(source, opset, newInputs, outputs, nodes, initializers, metadata, shapes);
  }

  public Graph withShapes(Map<String, Shape> newShapes) {
    return new Graph(source, opset, inputs, outputs, nodes, initializers, metadata, newShapes);
  }
}
