package org.featviz.spark;

import java.io.PrintWriter;
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
 * so every unit reaches the journal once.
 */
final class SparkChunkRunner implements ChunkRunner {
  private final JavaSparkContext spark;
  private final ChunkRender render;
  private final PrintWriter log;

  SparkChunkRunner(JavaSparkContext spark, ChunkRender render, PrintWriter log) {
    this.spark = spark;
    this.render = render;
    this.log = log;
  }

  @Override
  public void run(Path out, List<SweepChunk> chunks, Consumer<List<UnitResult>> journal) {
    List<SweepChunk> todo = new ArrayList<>();
    int recorded = 0;
    for (SweepChunk c : chunks) {
      List<UnitResult> rows = ChunkFiles.read(out, c);
      if (rows == null) {
        todo.add(c);
      } else {
        journal.accept(rows);
        recorded++;
      }
    }
    if (recorded > 0)
      log.println(recorded + " chunks were already done: taken from " + ChunkFiles.FOLDER + "/");
    if (todo.isEmpty()) return;
    log.println(todo.size() + " chunks as Spark tasks (" + spark.master() + ")");
    log.flush();
    List<List<UnitResult>> results =
        spark.parallelize(todo, todo.size()).map(new ChunkTask(render, out)).collect();
    for (List<UnitResult> rows : results) journal.accept(rows);
  }
}
