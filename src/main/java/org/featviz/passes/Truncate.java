package org.featviz.passes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Tensor;

/**
 * Keeps only what feeds the target values (layers), which become the graph outputs: featviz never
 * runs deeper than its deepest target.
 */
public final class Truncate {
  private Truncate() {}

  public static Graph apply(Graph g, Collection<String> targets) {
    List<String> resolved = new ArrayList<>();
    for (String t : targets) resolved.add(g.isInitializer(t) ? t : g.resolveLayer(t));
    List<Node> kept = g.nodesFeeding(resolved);
    Set<String> wanted = new HashSet<>(resolved);
    for (Node n : kept) wanted.addAll(n.inputs());
    Map<String, Tensor> inits = new LinkedHashMap<>();
    g.initializers()
        .forEach(
            (name, t) -> {
              if (wanted.contains(name)) inits.put(name, t);
            });
    return g.withNodes(kept, inits).withOutputs(resolved);
  }
}
