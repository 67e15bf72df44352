package org.featviz.passes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;

/**
 * Layers of a transformer: [batch, tokens, features], the features last (what MatMul, Gemm-like
 * products and LayerNormalization leave), unlike a 1-D convolution's [batch, channels, length].
 * Their units are the features. Objectives, the render loops and the device kernels address a layer
 * as [N, units, positions], so {@link #unitsFirst} rewrites each targeted token layer into that
 * view: the producer's output is renamed {@code L#tokens}, a Transpose (perm [0, 2, 1]) from it
 * gives {@code L} as [N, F, T], and where the layer has readers a second Transpose gives them
 * {@code L#tokens-back}, [N, T, F] again. A channel objective is then a feature's mean over the
 * tokens, a neuron one token's feature, and the gradient reaches the network through the
 * Transpose's backward.
 *
 * <p>Which rank-3 values have their features last is decided by what produced them: a convolution,
 * a pooling or a per-channel normalization (and ops that keep their input's layout after one:
 * elementwise ops, Pad, Concat, and a Reshape that keeps dims 0 and 1) leave channels first;
 * anything else (MatMul, LayerNormalization, Transpose, Gather, Softmax, a rank-3 graph input)
 * leaves features last; a rank-4 graph input is an image, channels first.
 */
public final class TokenLayers {
  /** The suffix of the renamed [N, T, F] value behind a rewritten token layer. */
  public static final String TOKENS = "#tokens";

  /** The suffix of the view transposed back to [N, T, F], which the layer's readers read. */
  public static final String BACK = "#tokens-back";

  private static final Set<String> CHANNELS_FIRST =
      Set.of(
          "Conv",
          "ConvTranspose",
          "MaxPool",
          "AveragePool",
          "LpPool",
          "LRN",
          "BatchNormalization",
          "InstanceNormalization");

  private static final Set<String> KEEPS_LAYOUT =
      Set.of(
          "Relu",
          "LeakyRelu",
          "Sigmoid",
          "Tanh",
          "Clip",
          "Erf",
          "HardSigmoid",
          "HardSwish",
          "Exp",
          "Neg",
          "Abs",
          "Sqrt",
          "Pow",
          "Elu",
          "Selu",
          "Softplus",
          "Reciprocal",
          "Log",
          "Add",
          "Sub",
          "Mul",
          "Div",
          "Max",
          "Min",
          "Pad",
          "Concat",
          "Identity",
          "Dropout");

  private static final Set<String> RESHAPES = Set.of("Reshape", "Flatten", "Squeeze", "Unsqueeze");

  private TokenLayers() {}

  /**
   * Whether {@code value} (with its shape in {@code shapes}) is a rank-3 layer with its features
   * last, [N, T, F].
   */
  public static boolean featuresLast(Graph g, Map<String, Shape> shapes, String value) {
    Shape s = shapes.get(value);
    if (s == null || s.rank() != 3) return false;
    String v = value;
    for (int hops = 0; hops <= g.nodes().size(); hops++) {
      Node p = g.producer(v);
      if (p == null)
        return shapes.get(v) != null && shapes.get(v).rank() == 3; // an image: [N, C, H, W]
      String op = p.opType();
      if (CHANNELS_FIRST.contains(op)) return false;
      if (RESHAPES.contains(op)) {
        Shape in = shapes.get(p.input(0));
        Shape out = shapes.get(v);
        if (in == null || out == null || in.rank() < 3 || in.dim(1) != out.dim(1)) return true;
        v = p.input(0);
      } else if (KEEPS_LAYOUT.contains(op)) {
        String next = firstActivation(g, shapes, p);
        if (next == null) return true;
        v = next;
      } else {
        return true;
      }
    }
    return true;
  }

  /** The units of a layer of shape s: features for [N, T, F], else dim 1 (1 below rank 2). */
  public static int units(Graph g, Map<String, Shape> shapes, String value) {
    Shape s = shapes.get(value);
    if (s == null || s.rank() < 2) return 1;
    return featuresLast(g, shapes, value) ? s.dim(2) : s.dim(1);
  }

  /**
   * {@code g} (with shapes) where each of {@code layers} that has its features last is seen as [N,
   * F, T] under its own name (see the class comment), shapes inferred again from those of its
   * inputs. Returns {@code g} itself where there is none.
   */
  public static Graph unitsFirst(Graph g, Collection<String> layers) {
    Set<String> tokens = new HashSet<>();
    for (String l : layers)
      if (g.producer(l) != null && featuresLast(g, g.shapes(), l)) tokens.add(l);
    if (tokens.isEmpty()) return g;
    Set<String> read = new HashSet<>();
    for (Node n : g.nodes()) read.addAll(n.inputs());
    List<Node> nodes = new ArrayList<>();
    for (Node n : g.nodes()) {
      List<String> in = new ArrayList<>();
      for (String name : n.inputs()) in.add(tokens.contains(name) ? name + BACK : name);
      List<String> out = new ArrayList<>();
      for (String name : n.outputs()) out.add(tokens.contains(name) ? name + TOKENS : name);
      nodes.add(new Node(n.name(), n.opType(), in, out, n.attributes()));
      for (String name : n.outputs()) {
        if (!tokens.contains(name)) continue;
        nodes.add(swap(name + "#units", name + TOKENS, name));
        // Readers get the view transposed back, so that what is done to the layer (an ablation's
        // mask) reaches them.
        if (read.contains(name)) nodes.add(swap(name + "#back", name, name + BACK));
      }
    }
    Map<String, Shape> inputs = new LinkedHashMap<>();
    for (ValueInfo in : g.inputs()) inputs.put(in.name(), g.shape(in.name()));
    return ShapeInference.infer(g.withNodes(nodes, g.initializers()), inputs);
  }

  private static Node swap(String name, String from, String to) {
    return new Node(
        name,
        "Transpose",
        List.of(from),
        List.of(to),
        new Attributes(Map.of("perm", new long[] {0, 2, 1})));
  }

  private static String firstActivation(Graph g, Map<String, Shape> shapes, Node n) {
    for (String in : n.inputs()) {
      if (in.isEmpty() || g.isInitializer(in)) continue;
      Shape s = shapes.get(in);
      if (s != null && s.rank() == 3) return in;
    }
    return null;
  }
}
