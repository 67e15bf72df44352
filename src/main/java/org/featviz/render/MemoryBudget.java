package org.featviz.render;

import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Whether a batch fits in memory on the CPU backend, checked before anything is allocated: a render
 * keeps every activation of the truncated graph for the backward pass, plus about as much again for
 * gradients and scratch.
 */
public final class MemoryBudget {
  /** Activations and their gradients, with room for the executor's scratch tensors. */
  private static final double OVERHEAD = 3.0;

  private MemoryBudget() {}

  /**
   * Bytes one image of the batch needs through the graph (whose shapes are for batch size
   * graphBatch).
   */
  public static long bytesPerImage(Graph graph) {
    int batch = graph.shape(graph.input().name()).dim(0);
    long floats = 0;
    for (var e : graph.shapes().entrySet()) {
      if (graph.isInitializer(e.getKey())) continue;
      Shape s = e.getValue();
      floats += s.rank() == 0 ? 1 : (long) s.size() / Math.max(1, batch);
    }
    return (long) (floats * Float.BYTES * OVERHEAD);
  }

  /**
   * Throws a clear error naming what the batch needs, what is free and the batch that would fit.
   */
  public static void check(Graph graph, int batch, long availableBytes) {
    long perImage = bytesPerImage(graph);
    long needed = perImage * batch;
    if (needed > availableBytes) {
      long fits = availableBytes / Math.max(1, perImage);
      throw new ModelException(
          String.format(
              "a batch of %d images needs about %d MiB on the CPU backend (%d KiB per"
                  + " image through %s), but only %d MiB are free; a batch of at most %d fits (or raise the JVM's -Xmx)",
              batch, needed >> 20, perImage >> 10, graph.source(), availableBytes >> 20, fits));
    }
  }

  /** The heap the JVM can still give: its maximum minus what is in use now. */
  public static long availableHeap() {
    Runtime r = Runtime.getRuntime();
    return r.maxMemory() - (r.totalMemory() - r.freeMemory());
  }
}
