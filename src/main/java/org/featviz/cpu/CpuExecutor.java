package org.featviz.cpu;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.Ops;

/**
 * Runs a graph on the CPU: forward through just the nodes that the requested values need, and
 * backward from gradient seeds at any values to the gradients of any inputs. Shapes follow the
 * tensors fed in, so one executor serves every batch size.
 */
public final class CpuExecutor {
  private final Graph graph;

  public CpuExecutor(Graph graph) {
    this.graph = graph;
  }

  public Graph graph() {
    return graph;
  }

  /**
   * Computes {@code targets} (value names) from the fed values: the graph inputs, or any values
   * computed before (then only the nodes after them run: a pass that changes a layer's activations,
   * such as an ablation, feeds the changed layer and runs the rest of the network).
   */
  public Activations forward(Map<String, Tensor> feeds, Collection<String> targets) {
    Map<String, Tensor> values = new HashMap<>(graph.initializers());
    values.putAll(feeds);
    List<Node> needed = graph.nodesFeeding(targets, feeds.keySet());
    for (Node node : needed) {
      Tensor[] in = new Tensor[node.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        String name = node.input(i);
        if (name.isEmpty()) continue;
        in[i] = values.get(name);
        if (in[i] == null)
          throw new ModelException(node.describe() + ": input '" + name + "' was not fed");
      }
      KernelCall shapeCall = new KernelCall(node, graph.opset(), in, null, null, null);
      List<Shape> shapes = Ops.spec(node, graph.opset()).outputShapes(shapeCall.context());
      Tensor[] out = new Tensor[node.outputs().size()];
      for (int i = 0; i < out.length; i++) {
        if (i < shapes.size()) out[i] = Tensor.zeros(shapes.get(i));
      }
      CpuKernels.forNode(node, graph.opset())
          .forward(new KernelCall(node, graph.opset(), in, out, null, null));
      for (int i = 0; i < out.length; i++) {
        if (out[i] != null && !node.outputs().get(i).isEmpty())
          values.put(node.outputs().get(i), out[i]);
      }
    }
    return new Activations(values, needed);
  }

  /**
   * Back-propagates {@code seeds} (gradient of the loss with respect to values the forward pass
   * computed) and returns the gradient with respect to each value named in {@code wrt} (typically
   * the graph input). Values in {@code wrt} that no seed reaches get a zero gradient.
   */
  public Map<String, Tensor> backward(
      Activations acts, Map<String, Tensor> seeds, Collection<String> wrt) {
    Set<String> requiresGrad = new HashSet<>(wrt);
    for (Node node : acts.executed()) {
      if (node.inputs().stream().anyMatch(requiresGrad::contains))
        requiresGrad.addAll(node.outputs());
    }
    Map<String, Tensor> grads = new HashMap<>();
    for (Map.Entry<String, Tensor> e : seeds.entrySet())
      accumulate(grads, e.getKey(), e.getValue());
    List<Node> executed = acts.executed();
    for (int k = executed.size() - 1; k >= 0; k--) {
      Node node = executed.get(k);
      Tensor[] gradOut = new Tensor[node.outputs().size()];
      boolean any = false;
      for (int i = 0; i < gradOut.length; i++) {
        gradOut[i] = grads.get(node.outputs().get(i));
        any |= gradOut[i] != null;
      }
      if (!any) continue;
      Tensor[] in = new Tensor[node.inputs().size()];
      Tensor[] gradIn = new Tensor[in.length];
      boolean wanted = false;
      for (int i = 0; i < in.length; i++) {
        String name = node.input(i);
        if (name.isEmpty()) continue;
        in[i] = acts.get(name);
        if (requiresGrad.contains(name)) {
          gradIn[i] = Tensor.zeros(in[i].shape());
          wanted = true;
        }
      }
      if (!wanted) continue;
      Tensor[] out = new Tensor[gradOut.length];
      for (int i = 0; i < out.length; i++) {
        String name = node.outputs().get(i);
        out[i] = name.isEmpty() ? null : acts.values().get(name);
      }
      CpuKernels.forNode(node, graph.opset())
          .backward(new KernelCall(node, graph.opset(), in, out, gradOut, gradIn));
      for (int i = 0; i < in.length; i++)
        if (gradIn[i] != null) accumulate(grads, node.input(i), gradIn[i]);
    }
    Map<String, Tensor> result = new HashMap<>();
    for (String name : wrt) {
      Tensor g = grads.get(name);
      result.put(name, g != null ? g : Tensor.zeros(acts.get(name).shape()));
    }
    return result;
  }

  private static void accumulate(Map<String, Tensor> grads, String name, Tensor g) {
    Tensor acc = grads.get(name);
    if (acc == null) {
      grads.put(name, g.copy());
      return;
    }
    if (!acc.shape().equals(g.shape())) {
      throw new IllegalStateException(
          "gradient for '" + name + "' has shape " + g.shape() + ", expected " + acc.shape());
    }
    float[] a = acc.data();
    float[] b = g.data();
    for (int i = 0; i < a.length; i++) a[i] += b[i];
  }
}
