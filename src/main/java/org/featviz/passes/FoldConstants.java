package org.featviz.passes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.CpuKernels;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Tensor;
import org.featviz.ops.Ops;

/**
 * Evaluates nodes whose inputs are all constants (Constant nodes, arithmetic on initializers such
 * as a scaled weight) once, on the CPU, and turns their outputs into initializers.
 */
public final class FoldConstants {
  private FoldConstants() {}

  public static Graph apply(Graph g) {
    Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
    List<Node> kept = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (!foldable(n, inits)) {
        kept.add(n);
        continue;
      }
      if (n.opType().equals("Constant") && n.attributes().getTensor("value") != null) {
        // Keep int64 constants exact (shape tensors) instead of passing them through float kernels.
        inits.put(n.output(), n.attributes().getTensor("value"));
        continue;
      }
      Graph single =
          new Graph(
              g.source(), g.opset(), List.of(), n.outputs(), List.of(n), inits, Map.of(), Map.of());
      try {
        Map<String, Tensor> values =
            new CpuExecutor(single).forward(Map.of(), n.outputs()).values();
        for (String o : n.outputs()) if (!o.isEmpty()) inits.put(o, values.get(o));
      } catch (RuntimeException e) {
        kept.add(n); // leave it to shape inference, which reports the problem with context
      }
    }
    return g.withNodes(kept, inits);
  }

  private static boolean foldable(Node n, Map<String, Tensor> inits) {
    if (!Ops.isSupported(n.opType()) || !CpuKernels.has(n.opType())) return false;
    for (String in : n.inputs()) if (!in.isEmpty() && !inits.containsKey(in)) return false;
    return true;
  }
}
