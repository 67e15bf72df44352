package org.featviz.cpu;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Data parallelism for the CPU kernels: independent iterations (batch items, channels) on the
 * common pool.
 */
public final class Parallel {
  private Parallel() {}

  /** Runs body(i) for i in [0, n); in parallel where n and the work per item make it worthwhile. */
  public static void range(int n, long workPerItem, IntConsumer body) {
    if (n <= 1 || (long) n * workPerItem < 32_768) {
      for (int i = 0; i < n; i++) body.accept(i);
    } else {
      IntStream.range(0, n).parallel().forEach(body);
    }
  }
}
