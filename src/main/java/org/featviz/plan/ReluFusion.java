package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.Node;

/**
 * Which Conv nodes of a plan {@link Lowering} fuses with the Relu after them into one {@link
 * ConvBiasReluStep}: those whose output is read by exactly one node of the plan, a Relu, and is no
 * plan target. A target keeps its own buffer (the render loop reads the targeted layers and the
 * inputs of their ReLUs), so a Conv whose output is one stays a {@link ConvStep} and the Relu an
 * activation {@link UnaryLibraryStep}.
 */
final class ReluFusion {
  private final Map<Node, Node> reluAfter = new IdentityHashMap<>();
  private final Set<Node> absorbed = Collections.newSetFromMap(new IdentityHashMap<>());

  private ReluFusion() {}

  /**
   * The fusions among {@code nodes} (the nodes a plan lowers, in graph order) for these targets.
   */
  static ReluFusion find(List<Node> nodes, Collection<String> targets) {
    Set<String> targetNames = new HashSet<>(targets);
    Map<String, List<Node>> readers = new HashMap<>();
    for (Node node : nodes) {
      for (String in : node.inputs()) {
        if (!in.isEmpty())
          readers.computeIfAbsent(in, k -> new ArrayList<>()).add(node); // once per read
      }
    }
    ReluFusion f = new ReluFusion();
    for (Node node : nodes) {
      if (!node.opType().equals("Conv") || targetNames.contains(node.output())) continue;
      List<Node> r = readers.get(node.output());
      if (r != null && r.size() == 1 && r.get(0).opType().equals("Relu")) {
        f.reluAfter.put(node, r.get(0));
        f.absorbed.add(r.get(0));
      }
    }
    return f;
  }

  /** The Relu that the Conv {@code conv} fuses with, or null where it is lowered alone. */
  Node reluAfter(Node conv) {
    return reluAfter.get(conv);
  }

  /**
   * Whether {@code node} is a Relu lowered as part of the Conv before it (so it needs no step of
   * its own).
   */
  boolean absorbed(Node node) {
    return absorbed.contains(node);
  }
}
