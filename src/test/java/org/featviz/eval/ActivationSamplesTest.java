package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.TestData;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.cpu.CpuExecutor;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.Whitening;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Activation samples against a plain reference: the CPU executor run here on the same images, its
 * [N, U, H, W] output read position by position with index loops; the whitening estimated from them
 * against one estimated from the reference; the seeded cap (a deterministic, uniform subset:
 * checked on a backend that numbers its samples); and the errors (image shape, unknown layer, too
 * few samples, bad counts).
 */
class ActivationSamplesTest {
  private static Dataset data;

  @BeforeAll
  static void load() {
    TestData.require(FashionMnist.defaultDir(), FashionMnist.DEBIAN_PACKAGE);
    data = FashionMnist.load(FashionMnist.Split.TEST).slice(0, 200);
  }

  /**
   * The reference: layer [N, U, ...] of images 0..n-1 in one forward pass, as rows (image,
   * position) of U.
   */
  private static float[][] reference(Model m, String layer, int n) {
    Graph g = m.prepare(List.of(layer));
    Tensor x = m.normalization().apply(data.slice(0, n).images());
    Tensor a =
        new CpuExecutor(g).forward(Map.of(g.input().name(), x), List.of(layer)).values().get(layer);
    Shape s = a.shape();
    int units = s.dim(1);
    int positions = s.rank() == 4 ? s.dim(2) * s.dim(3) : 1;
    float[][] rows = new float[n * positions][units];
    for (int b = 0; b < n; b++) {
      for (int u = 0; u < units; u++) {
        for (int p = 0; p < positions; p++)
          rows[b * positions + p][u] = a.data()[(b * units + u) * positions + p];
      }
    }
    return rows;
  }

  private static ActivationSamples collect(
      Model m, String layer, int images, int batch, int cap, long seed) {
    Graph g = m.prepare(List.of(layer));
    try (ForwardBackend cpu = Backends.open(org.featviz.backend.Backend.CPU, g)) {
      return ActivationSamples.collect(
          cpu, g, layer, data, m.normalization(), images, batch, cap, seed, n -> {});
    }
  }

  private static void assertClose(float[][] expected, float[][] actual) {
    assertEquals(expected.length, actual.length, "samples");
    for (int i = 0; i < expected.length; i++) {
      for (int u = 0; u < expected[i].length; u++) {
        double e = expected[i][u];
        assertTrue(
            Math.abs(actual[i][u] - e) <= 1e-5 * (1 + Math.abs(e)),
            "sample " + i + ", unit " + u + ": " + actual[i][u] + " vs " + e);
      }
    }
  }

  @Test
  void convLayerGivesEveryPositionOfEveryImageInOrder() {
    try (Model m = Model.open(BundledModels.path("fashion-cnn"))) {
      float[][] expected = reference(m, "relu1", 3);
      int[] progress = new int[1];
      Graph g = m.prepare(List.of("relu1"));
      ActivationSamples s;
      try (ForwardBackend cpu = Backends.open(org.featviz.backend.Backend.CPU, g)) {
        // Batches of 2 (2 + 1 images): the batching must not show in the samples.
        s =
            ActivationSamples.collect(
                cpu, g, "relu1", data, m.normalization(), 3, 2, 100_000, 0, n -> progress[0] += n);
      }
      assertEquals(3 * 28 * 28, s.offered());
      assertEquals(64, s.units());
      assertEquals(3, progress[0], "every image reported");
      assertClose(expected, s.samples());

      // The whitening the model estimates (cap 20,000 > 2,352: every sample) against one from the
      // reference.
      Whitening ours = m.whitening("relu1", data, 3);
      Whitening ref = Whitening.estimate(expected);
      Random rnd = new Random(11);
      double[] a = new double[64];
      for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian();
      double[] z = new double[64];
      double[] zRef = new double[64];
      ours.whiten(a, z);
      ref.whiten(a, zRef);
      double norm = 0;
      double err = 0;
      for (int i = 0; i < z.length; i++) {
        assertTrue(Double.isFinite(z[i]), "z[" + i + "] = " + z[i]);
        norm = Math.max(norm, Math.abs(zRef[i]));
        err = Math.max(err, Math.abs(z[i] - zRef[i]));
      }
      assertTrue(err <= 1e-4 * norm, "whitened vector: max error " + err + " of " + norm);
    }
  }

  @Test
  void denseLayerGivesOneSamplePerImage() {
    try (Model m = Model.open(BundledModels.path("fashion-mlp"))) {
      ActivationSamples s = collect(m, "fc1", 7, 3, 20_000, 0);
      assertEquals(7, s.offered());
      assertClose(reference(m, "fc1", 7), s.samples());
    }
  }

  @Test
  void theCapKeepsSomeOfTheLayersVectorsDeterministically() {
    try (Model m = Model.open(BundledModels.path("fashion-cnn"))) {
      Map<String, Integer> left =
          new HashMap<>(); // a multiset: background positions repeat one vector
      for (float[] v : reference(m, "relu1", 3)) left.merge(Arrays.toString(v), 1, Integer::sum);
      ActivationSamples s = collect(m, "relu1", 3, 2, 600, 5);
      assertEquals(3 * 784, s.offered());
      assertEquals(600, s.samples().length);
      for (float[] v : s.samples()) {
        Integer n = left.merge(Arrays.toString(v), -1, Integer::sum);
        assertTrue(
            n != null && n >= 0,
            "a kept sample is one of the layer's activation vectors, kept once");
      }
      // The same seed keeps the same samples whatever the batch size; another seed keeps others.
      ActivationSamples again = collect(m, "relu1", 3, 3, 600, 5);
      for (int i = 0; i < 600; i++)
        assertArrayEquals(s.samples()[i], again.samples()[i], "sample " + i);
      ActivationSamples other = collect(m, "relu1", 3, 2, 600, 6);
      int same = 0;
      for (int i = 0; i < 600; i++) if (Arrays.equals(s.samples()[i], other.samples()[i])) same++;
      assertTrue(same < 300, same + " of 600 slots equal with another seed");
    }
  }

  @Test
  void theCapKeepsAUniformSubsetOfAllPositions() {
    try (Model m = Model.open(BundledModels.path("fashion-cnn"))) {
      Graph g = m.prepare(List.of("relu1"));
      // A backend whose layer numbers its samples: unit 0 of sample k (image-major, then position)
      // holds k.
      ForwardBackend numbered =
          new ForwardBackend() {
            private int next;

            @Override
            public Map<String, Tensor> forward(
                Map<String, Tensor> feeds, java.util.Collection<String> targets) {
              int n = feeds.values().iterator().next().shape().dim(0);
              float[] a = new float[n * 2 * 784];
              for (int b = 0; b < n; b++) {
                for (int p = 0; p < 784; p++) a[b * 2 * 784 + p] = next++;
              }
              return Map.of("relu1", Tensor.of(Shape.of(n, 2, 28, 28), a));
            }

            @Override
            public String describe() {
              return "numbered";
            }

            @Override
            public void close() {}
          };
      ActivationSamples s =
          ActivationSamples.collect(
              numbered, g, "relu1", data, m.normalization(), 30, 7, 3000, 1, n -> {});
      assertEquals(30 * 784, s.offered());
      boolean[] seen = new boolean[30 * 784];
      int[] perThird = new int[3];
      for (float[] v : s.samples()) {
        int k = (int) v[0];
        assertEquals(0f, v[1], "unit 1");
        assertFalse(seen[k], "sample " + k + " kept twice");
        seen[k] = true;
        perThird[k / (10 * 784)]++;
      }
      // Uniform over all offers: about 1000 per third (binomial sd ~ 26); a reservoir must not
      // favour either end.
      for (int t = 0; t < 3; t++)
        assertTrue(Math.abs(perThird[t] - 1000) < 130, Arrays.toString(perThird));
    }
  }

  @Test
  void badRequestsAreClearErrors() {
    try (Model m = Model.open(BundledModels.path("fashion-cnn"))) {
      Dataset small =
          new Dataset(
              "tiny", Tensor.of(Shape.of(4, 1, 8, 8), new float[4 * 64]), new int[4], List.of("a"));
      ModelException shape =
          assertThrows(ModelException.class, () -> m.whitening("relu1", small, 4));
      assertTrue(shape.getMessage().contains("tiny images are [1, 8, 8]"), shape.getMessage());

      ModelException layer =
          assertThrows(ModelException.class, () -> m.whitening("relu9", data, 4));
      assertTrue(layer.getMessage().contains("unknown layer 'relu9'"), layer.getMessage());

      ModelException few = assertThrows(ModelException.class, () -> m.whitening("fc1", data, 20));
      assertTrue(
          few.getMessage().contains("needs at least 129 activation samples")
              && few.getMessage().contains("use at least 129 images"),
          few.getMessage());

      ModelException none = assertThrows(ModelException.class, () -> m.whitening("relu1", data, 0));
      assertTrue(none.getMessage().contains("at least 1 image"), none.getMessage());

      ModelException many =
          assertThrows(ModelException.class, () -> m.whitening("relu1", data, 201));
      assertTrue(
          many.getMessage().contains("201 images asked for")
              && many.getMessage().contains("has 200"),
          many.getMessage());
    }
  }
}
