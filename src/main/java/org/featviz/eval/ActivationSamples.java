package org.featviz.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;

/**
 * A layer's activation vectors over dataset images: the samples a {@link
 * org.featviz.objective.Whitening} is estimated from. A layer [N, U, ...spatial] gives one sample
 * of U values per spatial position of every image (a dense layer [N, U] one per image). Where there
 * are more than {@code cap} samples, a seeded reservoir keeps a uniform random {@code cap} of them,
 * so memory stays bounded (cap x U floats) and the same call gives the same samples, in the order
 * the images and positions came while nothing is dropped.
 *
 * <pre>{@code
 * ActivationSamples s = ActivationSamples.collect(cpu, graph, "relu2", data, norm, 1000, 64, 20_000, 0, n -> {});
 * Whitening w = Whitening.estimate(s.samples());
 * }</pre>
 *
 * @param samples the kept samples [kept][U] (not copied)
 * @param offered how many samples the images gave (before the cap)
 * @param images how many dataset images were run
 */
public record ActivationSamples(String layer, float[][] samples, long offered, int images) {
  /** Default cap on the number of samples kept. */
  public static final int DEFAULT_CAP = 20_000;

  /**
   * Runs {@code graph} (prepared with {@code layer} among its values, e.g. {@code
   * Model.prepare(List.of(layer))}) over the first {@code images} images of {@code data}, {@code
   * batch} at a time, each batch normalized by {@code norm}, and keeps at most {@code cap}
   * activation vectors of {@code layer}, chosen by a reservoir seeded with {@code seed}. {@code
   * onImages} is told how many images each finished batch held.
   */
  public static ActivationSamples collect(
      ForwardBackend backend,
      Graph graph,
      String layer,
      Dataset data,
      InputNormalization norm,
      int images,
      int batch,
      int cap,
      long seed,
      IntConsumer onImages) {
    if (images < 1) {
      throw new ModelException(
          "activation samples of '" + layer + "': need at least 1 image, got " + images);
    }
    if (batch < 1 || cap < 1) {
      throw new ModelException(
          "activation samples of '"
              + layer
              + "': batch ("
              + batch
              + ") and cap ("
              + cap
              + ") must be positive");
    }
    if (images > data.size()) {
      throw new ModelException(
          "activation samples of '"
              + layer
              + "': "
              + images
              + " images asked for, but "
              + data.name()
              + " has "
              + data.size());
    }
    String input =
        DatasetInput.check(
            graph, data, ": activation samples of '" + layer + "' need images the model takes");
    Reservoir kept = new Reservoir(cap, new SplittableRandom(seed));
    for (int from = 0; from < images; from += batch) {
      int to = Math.min(images, from + batch);
      Tensor x = norm.apply(data.slice(from, to).images());
      Tensor a = backend.forward(Map.of(input, x), List.of(layer)).get(layer);
      offerAll(kept, a, to - from, graph, layer);
      onImages.accept(to - from);
    }
    return new ActivationSamples(layer, kept.samples(), kept.seen, images);
  }

  /**
   * Every position of every image of one batch's activations a [n, U, ...spatial] as one U-vector.
   */
  private static void offerAll(Reservoir kept, Tensor a, int n, Graph graph, String layer) {
    Shape s = a.shape();
    DatasetInput.checkBatchShape(graph, layer, s, n);
    int units = s.dim(1);
    int positions = s.size(2, s.rank());
    float[] d = a.data();
    for (int b = 0; b < n; b++) {
      int base = b * units * positions;
      for (int p = 0; p < positions; p++) {
        if (!kept.wants()) continue;
        float[] v = new float[units];
        for (int u = 0; u < units; u++) v[u] = d[base + u * positions + p];
        kept.put(v);
      }
    }
  }

  /** Units per sample. */
  public int units() {
    return samples.length == 0 ? 0 : samples[0].length;
  }

  /**
   * Reservoir sampling (Algorithm R): the first cap offers fill the slots; offer k (0-based) then
   * replaces a uniformly chosen slot with probability cap / (k + 1), so after any number of offers
   * every one of them is kept with the same probability. {@link #wants} draws that choice before
   * the vector is built, so a dropped position costs no allocation.
   */
  private static final class Reservoir {
    private final float[][] slots;
    private final SplittableRandom rng;
    private long seen;
    private int slot;

    Reservoir(int cap, SplittableRandom rng) {
      this.slots = new float[cap][];
      this.rng = rng;
    }

    /** Counts one offer; true when it is kept (then {@link #put} must follow). */
    boolean wants() {
      long k = seen++;
      if (k < slots.length) {
        slot = (int) k;
        return true;
      }
      long j = rng.nextLong(k + 1);
      if (j >= slots.length) return false;
      slot = (int) j;
      return true;
    }

    void put(float[] v) {
      slots[slot] = v;
    }

    float[][] samples() {
      return seen < slots.length ? Arrays.copyOf(slots, (int) seen) : slots;
    }
  }
}
