package org.featviz.spark;

import java.io.PrintWriter;
import org.apache.spark.api.java.JavaSparkContext;
import org.featviz.cli.SweepJob;

/**
 * {@code featviz sweep} on a Spark cluster:
 *
 * <pre>
 * spark-submit --class org.featviz.spark.SparkSweep featviz.jar \
 *     --model m.onnx --layers relu2 --out /shared/sweep [any other option of featviz sweep]
 * </pre>
 *
 * The driver plans the sweep and writes its journal, sweep.json and contact sheets, the same files
 * as the local command; each chunk is a Spark task on a GPU where {@code
 * spark.task.resource.gpu.amount} is set, else on the CPU. The model and the output folder must be
 * paths every executor can read and write (a shared filesystem). Exit codes as the CLI's.
 */
public final class SparkSweep {
  private SparkSweep() {}

  public static void main(String[] args) {
    SparkJob.main("featviz sweep", args, SparkSweep::run);
  }

  /** The sweep {@code args} describe (featviz sweep's options) with its chunks on {@code spark}. */
  public static int run(JavaSparkContext spark, String[] args, PrintWriter out, PrintWriter err) {
    return SparkJob.run(
        spark,
        args,
        out,
        err,
        (job, driver) ->
            SweepJob.runDriver(
                driver,
                new SparkChunkRunner(spark, new ChunkRender.Sweep(driver), job, out),
                out,
                err));
  }
}
