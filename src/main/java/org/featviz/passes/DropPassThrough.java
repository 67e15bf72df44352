package org.featviz.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;

/**
 * Removes Identity and inference-mode Dropout nodes by wiring their consumers to their input. One
 * that writes a graph output stays (a cheap copy), so that both the output name and its input's
 * layer name remain addressable.
 */
public final class DropPassThrough {
  private DropPassThrough() {}

  public static Graph apply(Graph g) {
    Map<String, String> rename = new HashMap<>();
    List<Node> kept = new ArrayList<>();
    // PyTorch exports name Dropout's mask even where nothing reads it.
    java.util.Set<String> read = new java.util.HashSet<>(g.outputs());
    for (Node n : g.nodes()) read.addAll(n.inputs());
    for (Node n : g.nodes()) {
      List<String> ins = new ArrayList<>();
      for (String i : n.inputs()) ins.add(resolve(rename, i));
      boolean passThrough =
          n.opType().equals("Identity")
              || (n.opType().equals("Dropout")
                  && (n.outputs().size() == 1
                      || n.outputs().get(1).isEmpty()
                      || !read.contains(n.outputs().get(1))));
      if (passThrough && !g.outputs().contains(n.output())) {
        rename.put(n.output(), ins.get(0));
      } else {
        kept.add(n.withInputs(ins));
      }
    }
    return g.withNodes(kept, g.initializers());
  }

  private static String resolve(Map<String, String> rename, String name) {
    while (rename.containsKey(name)) name = rename.get(name);
    return name;
  }
}
