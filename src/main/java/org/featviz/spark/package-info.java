/**
 * Sweeps and analyses on an Apache Spark cluster: {@link org.featviz.spark.SparkSweep} and {@link
 * org.featviz.spark.SparkAnalyze}, the entry points for spark-submit, plan the work on the driver
 * and render its chunks as Spark tasks, on the GPU that Spark's resource scheduling gives each task
 * or else on the CPU. Spark is a provided dependency: the cluster brings it, featviz's jar and
 * bundle do not.
 */
package org.featviz.spark;
