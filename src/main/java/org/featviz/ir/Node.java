package org.featviz.ir;

import java.util.List;

/**
 * One operation of the graph. Inputs and outputs are value names; an empty input name is an omitted
 * optional input, as in ONNX.
 */
public record Node(
    String name, String opType, List<String> inputs, List<String> outputs, Attributes attributes) {
  public Node {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  public boolean hasInput(int i) {
    return !input(i).isEmpty();
  }

  public String output() {
    return outputs.get(0);
  }

  /** "Conv node 'conv1'" for messages; falls back to the first output where the node is unnamed. */
  public String describe() {
    String id = name.isEmpty() ? (outputs.isEmpty() ? "?" : outputs.get(0)) : name;
    return opType + " node '" + id + "'";
  }

  public Node withInputs(List<String> newInputs) {
    return new Node(name, opType, newInputs, outputs, attributes);
  }
}
