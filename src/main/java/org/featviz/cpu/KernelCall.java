package org.featviz.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.OpContext;

/**
 * One invocation of a {@link CpuKernel}: the node, its input and output tensors, and for backward
 * the gradient tensors. Arrays may hold null for omitted optional inputs, outputs nobody reads, or
 * gradients not wanted.
 */
public record KernelCall(
    Node node,
    int opset,
    Tensor[] inputs,
    Tensor[] outputs,
    Tensor[] gradOutputs,
    Tensor[] gradInputs) {
  public int inputCount() {
    return inputs.length;
  }

  public boolean hasInput(int i) {
    return i < inputs.length && inputs[i] != null;
  }

  public Tensor in(int i) {
    if (!hasInput(i)) throw new ModelException(node.describe() + ": input " + i + " is missing");
    return inputs[i];
  }

  public Tensor out(int i) {
    return outputs[i];
  }

  public int outputCount() {
    return outputs.length;
  }

  public Tensor gradOut(int i) {
    return gradOutputs == null || i >= gradOutputs.length ? null : gradOutputs[i];
  }

  public Tensor gradIn(int i) {
    return gradInputs == null || i >= gradInputs.length ? null : gradInputs[i];
  }

  /** The op context for reading attributes and shapes; all inputs count as known constants here. */
  public OpContext context() {
    List<Shape> shapes = new ArrayList<>();
    for (Tensor t : inputs) shapes.add(t == null ? null : t.shape());
    return new OpContext(node, shapes, Arrays.asList(inputs), opset);
  }
}
