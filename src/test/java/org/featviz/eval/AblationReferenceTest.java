package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.cpu.CpuExecutor;
import org.featviz.data.Dataset;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefix-cached, deduplicated, several-sets-per-forward ablation against a reference that
 * shares none of its code: the graph rewritten so that the layer's value is multiplied by a 0/1
 * mask (plus the means where they replace it), run whole from the input for each set. On the
 * bundled CNN and on a hand-built model with a skip connection past the ablated layer (whose
 * frontier is more than the layer) and a hand-worked answer.
 */
class AblationReferenceTest {
  @TempDir Path tmp;

  @Test
  void fashionCnnMatchesTheMaskedWholeGraphForEverySetsPerForward() {
    Dataset data = TestData.fashionMnistTest(40);
    BundledModels.Prepared cnn = BundledModels.prepare("fashion-cnn", List.of("logits", "relu3"));
    int units = cnn.graph().shape("relu3").dim(1);
    int[] half = new int[units / 2];
    for (int i = 0; i < half.length; i++) half[i] = 2 * i;
    List<int[]> sets = List.of(new int[0], new int[] {3}, half, new int[] {3}, new int[0]);
    float[] means = new float[units];
    for (int u = 0; u < units; u++) means[u] = 0.05f * (u % 7);
    Graph g = cnn.graph();
    InputNormalization norm = cnn.norm();
    for (Ablation.Replacement r : Ablation.Replacement.values()) {
      List<Ablation.Score> expected = reference(g, "relu3", sets, data, norm, r, means, 40);
      for (int perForward : new int[] {1, 3}) {
        List<Ablation.Score> got =
            Ablation.run(g, "relu3", sets, data, norm, r, means, 40, 16, perForward, n -> {});
        assertSame(expected, got, r + ", " + perForward + " sets per forward");
      }
    }
  }

  @Test
  void aSkipPastTheLayerIsKeptAndGivesTheHandWorkedAnswer() {
    InputNormalization id = InputNormalization.identity();
    HandWorkedAblation.assertSkip(
        tmp,
        (g, sets, data, r, means, batch) -> {
          List<Ablation.Score> got =
              Ablation.run(g, "h", sets, data, id, r, means, 4, batch, 2, n -> {});
          assertSame(reference(g, "h", sets, data, id, r, means, 4), got, "skip model");
          return got;
        },
        "CPU");
  }

  private static void assertSame(List<Ablation.Score> want, List<Ablation.Score> got, String what) {
    assertEquals(want.size(), got.size(), what);
    for (int s = 0; s < want.size(); s++) {
      assertEquals(want.get(s).accuracy(), got.get(s).accuracy(), 0.0, what + ", set " + s);
      double tol = 1e-6 * Math.max(1, Math.abs(want.get(s).meanLoss()));
      assertEquals(want.get(s).meanLoss(), got.get(s).meanLoss(), tol, what + ", set " + s);
    }
  }

  /**
   * Scores each set by a whole-graph forward from the input of the graph rewritten as layer = raw *
   * keep + fill, keep 0 for the set's units and 1 elsewhere, fill the replacement there.
   */
  private static List<Ablation.Score> reference(
      Graph g,
      String layer,
      List<int[]> sets,
      Dataset data,
      InputNormalization norm,
      Ablation.Replacement r,
      float[] means,
      int images) {
    Shape s = g.shape(layer);
    int units = s.dim(1);
    int[] maskDims = new int[s.rank()];
    java.util.Arrays.fill(maskDims, 1);
    maskDims[1] = units;
    String raw = layer + "__raw";
    List<Ablation.Score> out = new ArrayList<>();
    for (int[] set : sets) {
      float[] keep = new float[units];
      float[] fill = new float[units];
      java.util.Arrays.fill(keep, 1f);
      for (int u : set) {
        keep[u] = 0f;
        fill[u] = r == Ablation.Replacement.MEAN ? means[u] : 0f;
      }
      List<Node> nodes = new ArrayList<>();
      for (Node n : g.nodes()) {
        if (n.outputs().contains(layer)) {
          List<String> outs = new ArrayList<>(n.outputs());
          outs.set(outs.indexOf(layer), raw);
          nodes.add(new Node(n.name(), n.opType(), n.inputs(), outs, n.attributes()));
          nodes.add(
              new Node("keep", "Mul", List.of(raw, "keep"), List.of("kept"), Attributes.empty()));
          nodes.add(
              new Node("fill", "Add", List.of("kept", "fill"), List.of(layer), Attributes.empty()));
        } else {
          nodes.add(n);
        }
      }
      Map<String, Tensor> inits = new HashMap<>(g.initializers());
      inits.put("keep", Tensor.of(Shape.of(maskDims), keep));
      inits.put("fill", Tensor.of(Shape.of(maskDims), fill));
      CpuExecutor exec = new CpuExecutor(g.withNodes(nodes, inits));
      String output = g.outputs().get(0);
      int correct = 0;
      double loss = 0;
      for (int i = 0; i < images; i++) {
        Tensor x = norm.apply(data.slice(i, i + 1).images());
        float[] z = exec.forward(Map.of(g.input().name(), x), List.of(output)).get(output).data();
        int best = 0;
        for (int c = 1; c < z.length; c++) if (z[c] > z[best]) best = c;
        if (best == data.label(i)) correct++;
        double sum = 0;
        for (float v : z) sum += Math.exp(v);
        loss += Math.log(sum) - z[data.label(i)];
      }
      out.add(new Ablation.Score((double) correct / images, loss / images, images));
    }
    return out;
  }
}
