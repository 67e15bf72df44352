package org.featviz.bench.kernels;

/**
 * The input sizes of a kernel benchmark run: FULL is what a render on a GPU sees (batch 256, the
 * activations of GoogLeNet inception4a and VGG16 conv5_3, 224x224 images); SMALL is a few samples
 * of small shapes, for the host emulator, which runs kernels thread by thread.
 */
public enum BenchSize {
  SMALL,
  FULL;

  /** {@code small} or {@code full}. */
  public static BenchSize parse(String name) {
    for (BenchSize s : values()) if (s.name().equalsIgnoreCase(name)) return s;
    throw new IllegalArgumentException("--sizes " + name + ": expected small or full");
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
