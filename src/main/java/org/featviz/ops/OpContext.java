package org.featviz.ops;

import java.util.List;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * A node with the shapes of its inputs (null for an omitted optional input) and the values of those
 * inputs that are known constants (null elsewhere), for shape inference and for kernels that read
 * attributes.
 */
public record OpContext(Node node, List<Shape> inputShapes, List<Tensor> constants, int opset) {
  public Shape in(int i) {
    Shape s = i < inputShapes.size() ? inputShapes.get(i) : null;
    if (s == null) throw error("input " + i + " is missing");
    return s;
  }

  public boolean hasInput(int i) {
    return i < inputShapes.size() && inputShapes.get(i) != null;
  }

  public int inputCount() {
    return inputShapes.size();
  }

  /** The value of input i, which must be a constant (initializer or folded). */
  public Tensor constant(int i) {
    Tensor t = i < constants.size() ? constants.get(i) : null;
    if (t == null) {
      throw error(
          "input "
              + i
              + " ('"
              + node.input(i)
              + "') must be a constant (an initializer) for featviz"
              + " to know the output shape");
    }
    return t;
  }

  /** An error that names the node and its op. */
  public ModelException error(String message) {
    return new ModelException(node.describe() + ": " + message);
  }
}
