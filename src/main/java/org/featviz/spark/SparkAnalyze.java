package org.featviz.spark;

import java.io.PrintWriter;
import org.apache.spark.api.java.JavaSparkContext;
import org.featviz.cli.AnalyzeJob;

/**
 * {@code featviz analyze} on a Spark cluster:
 *
 * <pre>
 * spark-submit --class org.featviz.spark.SparkAnalyze featviz.jar \
 *     --model m.onnx --layers relu2 --out /shared/analysis [any other option of featviz analyze]
 * </pre>
 *
 * The renders, most of an analysis's time, are Spark tasks, a chunk of units each (AM's sweep, then
 * IAM's), on a GPU where {@code spark.task.resource.gpu.amount} is set, else on the CPU; the driver
 * runs the dataset passes, the ablations and the tables on its own device ({@code --device}) and
 * writes the same files as the local command. The model, the dataset and the output folder must be
 * paths every executor can read (the output: write) on a shared filesystem. Exit codes as the
 * CLI's.
 */
public final class SparkAnalyze {
  private SparkAnalyze() {}

  public static void main(String[] args) {
    SparkJob.main("featviz analyze", args, SparkAnalyze::run);
  }

  /**
   * The analysis {@code args} describe (featviz analyze's options) with its renders on {@code
   * spark}.
   */
  public static int run(JavaSparkContext spark, String[] args, PrintWriter out, PrintWriter err) {
    return SparkJob.run(
        spark,
        args,
        out,
        err,
        (job, driver) ->
            AnalyzeJob.runDriver(
                driver,
                kind ->
                    new SparkChunkRunner(spark, new ChunkRender.Analysis(driver, kind), job, out),
                out,
                err));
  }
}
