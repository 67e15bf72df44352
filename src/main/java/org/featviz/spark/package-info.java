/**
 * Sweeps on an Apache Spark cluster: {@link org.featviz.spark.SparkSweep}, the entry point for
 * spark-submit, plans a sweep on the driver and renders its chunks as Spark tasks, on the GPU that
 * Spark's resource scheduling gives each task or else on the CPU. Spark is a provided dependency:
 * the cluster brings it, featviz's jar and bundle do not.
 */
package org.featviz.spark;
