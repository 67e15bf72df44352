package org.featviz.spark;

import java.io.IOException;
import java.io.PrintWriter;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * What {@link SparkSweep} and {@link SparkAnalyze} share: the spark-submit entry point around a
 * job, and the job's output ({@link ClusterOutput}): the driver runs on the driver's folder, then
 * what it wrote goes up where the output is a remote URL.
 */
final class SparkJob {
  private SparkJob() {}

  /** A featviz command's driver on the job's output, its exit code. */
  interface Driver {
    int run(ClusterOutput job, String[] driverArgs);
  }

  /** A job as its entry point's run method takes it. */
  interface Job {
    int run(JavaSparkContext spark, String[] args, PrintWriter out, PrintWriter err);
  }

  /**
   * spark-submit's call: the context from Spark's settings, the job, its exit code as the JVM's.
   */
  static void main(String appName, String[] args, Job job) {
    SparkConf conf = new SparkConf().setAppName(appName);
    int code;
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      code =
          job.run(
              spark, args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }
    System.exit(code);
  }

  /**
   * Runs {@code driver} on the output {@code args} name; after a finished job with a remote output,
   * copies up what the driver wrote. The driver's exit code, or 1 where the copy failed.
   */
  static int run(
      JavaSparkContext spark, String[] args, PrintWriter out, PrintWriter err, Driver driver) {
    ClusterOutput job =
        ClusterOutput.of(args, SharedFolder.hadoopSettings(spark.getConf().getAll()));
    int code = driver.run(job, job.driverArgs());
    if (code != 0 || job.url() == null) return code;
    try {
      int files = job.upload();
      out.println("copied " + files + " files of the driver's to " + job.url());
      return code;
    } catch (IOException e) {
      err.println(
          "featviz: error: cannot copy the results to " + job.url() + ": " + e.getMessage());
      return 1;
    }
  }
}
