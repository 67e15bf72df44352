package org.featviz.cpu;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Tensor;

/**
 * The values a forward pass computed (inputs, initializers, node outputs) and the nodes it ran, in
 * order.
 */
public final class Activations {
  private final Map<String, Tensor> values;
  private final List<Node> executed;

  Activations(Map<String, Tensor> values, List<Node> executed) {
    this.values = values;
    this.executed = executed;
  }

  public Tensor get(String value) {
    Tensor t = values.get(value);
    if (t == null)
      throw new ModelException("value '" + value + "' was not computed by this forward pass");
    return t;
  }

  public Map<String, Tensor> values() {
    return Collections.unmodifiableMap(values);
  }

  List<Node> executed() {
    return executed;
  }
}
