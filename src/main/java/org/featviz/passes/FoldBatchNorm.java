package org.featviz.passes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Folds inference-mode BatchNormalization into the Conv or Gemm that feeds it: with s = scale /
 * sqrt(var + eps), W' = W * s per output channel and b' = (b - mean) * s + beta. The folded node
 * takes the BatchNormalization's node name and output (Gemm: Y = alpha A W' + C, so scaling W and C
 * by s is exact), so the pre-normalization value disappears; values listed as protected (layers a
 * user targets) are never folded away.
 */
public final class FoldBatchNorm {
  private FoldBatchNorm() {}

  public static Graph apply(Graph g, Collection<String> protectedValues) {
    Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
    List<Node> nodes = new ArrayList<>(g.nodes());
    for (int k = 0; k < nodes.size(); k++) {
      Node bn = nodes.get(k);
      if (!bn.opType().equals("BatchNormalization") || bn.outputs().size() != 1) continue;
      if (bn.attributes().getInt("training_mode", 0) != 0) continue;
      Node producer = producerOf(nodes, bn.input(0));
      if (producer == null
          || protectedValues.contains(producer.output())
          || g.outputs().contains(producer.output())) {
        continue;
      }
      if (countConsumers(nodes, producer.output()) != 1) continue;
      boolean conv = producer.opType().equals("Conv");
      boolean gemm =
          producer.opType().equals("Gemm")
              && producer.attributes().getInt("transB", 0) == 1
              && producer.attributes().getFloat("beta", 1f) == 1f;
      if (!conv && !gemm) continue;
      Tensor w = inits.get(producer.input(1));
      Tensor b = producer.hasInput(2) ? inits.get(producer.input(2)) : null;
      Tensor scale = inits.get(bn.input(1));
      Tensor beta = inits.get(bn.input(2));
      Tensor mean = inits.get(bn.input(3));
      Tensor var = inits.get(bn.input(4));
      if (w == null || scale == null || beta == null || mean == null || var == null) continue;
      if (producer.hasInput(2) && b == null) continue;
      int m = w.shape().dim(0);
      if (scale.size() != m
          || beta.size() != m
          || mean.size() != m
          || var.size() != m
          || (b != null && b.size() != m)) {
        continue;
      }
      float eps = bn.attributes().getFloat("epsilon", 1e-5f);
      int per = w.size() / m;
      float[] wf = w.data().clone();
      float[] bf = new float[m];
      for (int c = 0; c < m; c++) {
        double s = scale.data()[c] / Math.sqrt(var.data()[c] + (double) eps);
        for (int j = 0; j < per; j++) wf[c * per + j] = (float) (wf[c * per + j] * s);
        double bias = b == null ? 0 : b.data()[c];
        bf[c] = (float) ((bias - mean.data()[c]) * s + beta.data()[c]);
      }
      String wName = uniqueName(inits, bn.output() + ".folded_weight");
      String bName = uniqueName(inits, bn.output() + ".folded_bias");
      inits.put(wName, Tensor.of(w.shape(), wf));
      inits.put(bName, Tensor.of(Shape.of(m), bf));
      Node folded =
          new Node(
              bn.name().isEmpty() ? producer.name() : bn.name(),
              producer.opType(),
              List.of(producer.input(0), wName, bName),
              List.of(bn.output()),
              producer.attributes());
      nodes.set(nodes.indexOf(producer), folded);
      nodes.remove(k);
      k--;
    }
    Map<String, Tensor> used = new LinkedHashMap<>();
    for (Node n : nodes)
      for (String in : n.inputs()) if (inits.containsKey(in)) used.put(in, inits.get(in));
    for (String o : g.outputs()) if (inits.containsKey(o)) used.put(o, inits.get(o));
    return g.withNodes(nodes, used);
  }

  private static Node producerOf(List<Node> nodes, String value) {
    for (Node n : nodes) if (n.outputs().contains(value)) return n;
    return null;
  }

  private static int countConsumers(List<Node> nodes, String value) {
    int c = 0;
    for (Node n : nodes) for (String in : n.inputs()) if (in.equals(value)) c++;
    return c;
  }

  private static String uniqueName(Map<String, Tensor> inits, String base) {
    String name = base;
    for (int i = 1; inits.containsKey(name); i++) name = base + i;
    return name;
  }
}
