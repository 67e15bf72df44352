package org.featviz.backend;

import java.util.List;

/**
 * The devices a sweep shares its work over, one worker each: GPUs by CUDA ordinal, or {@code
 * ordinals.size()} workers of a host backend (CPU, CPU_REF or EMULATED, whose "ordinals" only
 * number the workers: each worker opens a device of its own).
 *
 * @param backend GPU, CPU, CPU_REF or EMULATED
 * @param ordinals the GPUs' ordinals, distinct, or 0..n-1 for a host backend; never empty
 */
public record DeviceSet(Backend backend, List<Integer> ordinals) {
  public DeviceSet {
    if (backend == Backend.AUTO) throw new IllegalArgumentException("AUTO is not a device set");
    if (ordinals.isEmpty()) throw new IllegalArgumentException("a device set needs a device");
    if (ordinals.stream().distinct().count() != ordinals.size())
      throw new IllegalArgumentException("ordinals named twice: " + ordinals);
    ordinals = List.copyOf(ordinals);
  }

  /** {@code n} workers of a host backend. */
  public static DeviceSet host(Backend backend, int n) {
    if (backend == Backend.GPU) throw new IllegalArgumentException("GPUs are named by ordinal");
    return new DeviceSet(backend, java.util.stream.IntStream.range(0, n).boxed().toList());
  }

  public int size() {
    return ordinals.size();
  }

  /** "GPUs 0, 2" or "3 emulated workers": for messages. */
  public String describe() {
    if (backend == Backend.GPU) {
      return (size() == 1 ? "GPU " : "GPUs ")
          + String.join(", ", ordinals.stream().map(String::valueOf).toList());
    }
    return size() + " " + backend.label() + (size() == 1 ? " worker" : " workers");
  }
}
