package org.featviz.bench.kernels;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The registry: every kernel benchmark the suite runs, in order. Add new ones here. */
public final class KernelBenchmarks {
  private KernelBenchmarks() {}

  public static List<KernelBenchmark> all() {
    List<KernelBenchmark> all = new ArrayList<>();
    all.addAll(RenderKernelBenchmarks.all());
    all.addAll(PointwiseBenchmarks.all());
    all.addAll(DatasetBenchmarks.all());
    Set<String> names = new HashSet<>();
    for (KernelBenchmark b : all) {
      if (!names.add(b.name()))
        throw new IllegalStateException("two kernel benchmarks are named " + b.name());
    }
    return List.copyOf(all);
  }
}
