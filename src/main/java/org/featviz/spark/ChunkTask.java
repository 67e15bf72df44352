package org.featviz.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;

/**
 * What one Spark task does with one chunk: render it on the task's GPU (the first address of its
 * "gpu" resource) or, where the task has none, on the CPU, into a folder of its own; then put the
 * images in the sweep's shared folder ({@link SharedFolder}), each in one rename, and last record
 * the chunk as done ({@link ChunkFiles}). A task that dies part-way leaves at most whole images,
 * which the next attempt replaces, and no record; an attempt that finds the record (a retry or a
 * speculative copy that lost the race) returns the rows recorded there. Holds only strings: it
 * travels to the executors.
 */
final class ChunkTask implements Function<SweepChunk, List<UnitResult>> {
  private static final long serialVersionUID = 1L;

  /**
   * Test hook: a chunk ({@link SweepChunk#fileName}) whose first attempt fails after its images are
   * written, before it is recorded, as a task killed mid-chunk would.
   */
  static final String FAIL_FIRST_ATTEMPT = "featviz.spark.failFirstAttemptOf";

  private final ChunkRender render;
  private final SharedFolder shared;

  /** Renders chunks as {@code render} says and puts them in {@code shared}. */
  ChunkTask(ChunkRender render, SharedFolder shared) {
    this.render = render;
    this.shared = shared;
  }

  @Override
  public List<UnitResult> call(SweepChunk chunk) throws IOException {
    List<UnitResult> done = shared.readRecord(chunk);
    if (done != null) return done;
    TaskContext task = TaskContext.get();
    String attempt = task == null ? "local" : "attempt-" + task.taskAttemptId();
    Path staging = shared.staging(chunk, attempt);
    List<UnitResult> rows = render.render(chunk, device(task), staging);
    for (UnitResult r : rows) shared.put(staging.resolve(r.image()), r.image());
    if (task != null
        && task.attemptNumber() == 0
        && chunk.fileName().equals(System.getProperty(FAIL_FIRST_ATTEMPT))) {
      throw new IllegalStateException("injected failure of " + chunk.describe() + " (test)");
    }
    shared.writeRecord(chunk, rows, attempt);
    deleteTree(staging);
    return rows;
  }

  /** The task's GPU ordinal, or "cpu" where Spark gave it no GPU. */
  static String device(TaskContext task) {
    if (task == null) return "cpu";
    Map<String, ResourceInformation> resources = task.resourcesJMap();
    ResourceInformation gpu = resources.get("gpu");
    if (gpu == null || gpu.addresses().length == 0) return "cpu";
    return gpu.addresses()[0].strip();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
