package org.featviz.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;

/**
 * The part of a graph an ablation of one layer recomputes: the nodes from the layer to the class
 * scores (the suffix) and the values computed before it that they read (the frontier: the layer
 * itself and, in a graph with skip connections, any earlier value that bypasses it). The prefix,
 * everything else, is the same for every unit set, so it runs once per chunk of images.
 */
record AblationSuffix(String layer, String output, List<String> frontier) {
  static AblationSuffix of(Graph graph, String layer, String output) {
    List<Node> suffix = graph.nodesFeeding(List.of(output), Set.of(layer));
    Set<String> produced = new HashSet<>();
    for (Node n : suffix) produced.addAll(n.outputs());
    Map<String, ?> initializers = graph.initializers();
    Set<String> frontier = new LinkedHashSet<>(List.of(layer));
    for (Node n : suffix) {
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !produced.contains(in) && !initializers.containsKey(in))
          frontier.add(in);
      }
    }
    return new AblationSuffix(layer, output, new ArrayList<>(frontier));
  }
}
