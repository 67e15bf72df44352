package org.featviz.spark;

import java.io.PrintWriter;
import org.apache.spark.SparkConf;
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
    SparkConf conf = new SparkConf().setAppName("featviz sweep");
    int code;
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      code = run(spark, args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }
    System.exit(code);
  }

  /** The sweep {@code args} describe (featviz sweep's options) with its chunks on {@code spark}. */
  public static int run(JavaSparkContext spark, String[] args, PrintWriter out, PrintWriter err) {
    ClusterOutput job =
        ClusterOutput.of(args, SharedFolder.hadoopSettings(spark.getConf().getAll()));
    int code =
        SweepJob.runDriver(
            job.driverArgs(),
            new SparkChunkRunner(spark, new ChunkRender.Sweep(job.driverArgs()), job, out),
            out,
            err);
    return upload(job, code, out, err);
  }

  /**
   * After a finished job with a remote output, copies up what the driver wrote; the job's exit
   * code, or 1 where the copy failed.
   */
  static int upload(ClusterOutput job, int code, PrintWriter out, PrintWriter err) {
    if (code != 0 || job.url() == null) return code;
    try {
      int files = job.upload();
      out.println("copied " + files + " files of the driver's to " + job.url());
      return code;
    } catch (java.io.IOException e) {
      err.println(
          "featviz: error: cannot copy the results to " + job.url() + ": " + e.getMessage());
      return 1;
    }
  }
}
