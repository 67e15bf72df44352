package org.featviz.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.featviz.sweep.ChunkRunner;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;

/**
 * A sweep's chunks as one Spark job, a task per chunk. Chunks recorded as done by an earlier run
 * (whose driver stopped before journaling them) are journaled from their records and not rendered
 * again. Spark returns each partition's result once, whatever retries and speculative copies ran,
 * so every unit reaches the journal once. Where the output is remote ({@link ClusterOutput}), each
 * chunk's images are copied down before it is journaled, so the journal never lists a missing one.
 */
final class SparkChunkRunner implements ChunkRunner {
  private final JavaSparkContext spark;
  private final ChunkRender render;
  private final ClusterOutput output;
  private final PrintWriter log;

  SparkChunkRunner(
      JavaSparkContext spark, ChunkRender render, ClusterOutput output, PrintWriter log) {
    this.spark = spark;
    this.render = render;
    this.output = output;
    this.log = log;
  }

  @Override
  public void run(Path out, List<SweepChunk> chunks, Consumer<List<UnitResult>> journal) {
    SharedFolder shared = output.sharedFor(out);
    try {
      List<SweepChunk> todo = new ArrayList<>();
      int recorded = 0;
      for (SweepChunk c : chunks) {
        List<UnitResult> rows = shared.readRecord(c);
        if (rows == null) {
          todo.add(c);
        } else {
          take(shared, out, rows, journal);
          recorded++;
        }
      }
      if (recorded > 0)
        log.println(recorded + " chunks were already done: taken from " + ChunkFiles.FOLDER + "/");
      if (todo.isEmpty()) return;
      log.println(todo.size() + " chunks as Spark tasks (" + spark.master() + ")");
      log.flush();
      List<List<UnitResult>> results =
          spark.parallelize(todo, todo.size()).map(new ChunkTask(render, shared)).collect();
      for (List<UnitResult> rows : results) take(shared, out, rows, journal);
    } catch (IOException e) {
      throw new UncheckedIOException("cluster output " + shared + ": " + e.getMessage(), e);
    }
  }

  /** Journals a finished chunk's rows, its images copied down first. */
  private void take(
      SharedFolder shared, Path out, List<UnitResult> rows, Consumer<List<UnitResult>> journal)
      throws IOException {
    for (UnitResult r : rows) output.fetch(shared, r.image(), out);
    journal.accept(rows);
  }
}
