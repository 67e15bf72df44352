package org.featviz.cpu;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Data parallelism for the CPU kernels: independent iterations (batch items, channels) on the
 * common pool.
 */
public final class Parallel {
  private Parallel() {}

  /** A range [from, to) of an elementwise loop. */
  @FunctionalInterface
  public interface Chunk {
    void run(int from, int to);
  }

  /** Elements per chunk of {@link #chunks}: below it, a loop runs on the calling thread alone. */
  static final int CHUNK = 1 << 16;

  /**
   * Runs body over [0, n) in chunks of {@link #CHUNK} elements, in parallel where there are
   * several: for elementwise kernels, whose results do not depend on the split.
   */
  public static void chunks(int n, Chunk body) {
    int count = (n + CHUNK - 1) / CHUNK;
    if (count <= 1) {
      body.run(0, n);
      return;
    }
    IntStream.range(0, count)
        .parallel()
        .forEach(c -> body.run(c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
  }

  /** Runs body(i) for i in [0, n); in parallel where n and the work per item make it worthwhile. */
  public static void range(int n, long workPerItem, IntConsumer body) {
    if (n <= 1 || (long) n * workPerItem < 32_768) {
      for (int i = 0; i < n; i++) body.accept(i);
    } else {
      IntStream.range(0, n).parallel().forEach(body);
    }
  }
}
