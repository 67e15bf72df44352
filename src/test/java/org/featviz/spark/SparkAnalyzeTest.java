package org.featviz.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.cli.Main;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * featviz analyze on Spark in local mode (two task threads, the CPU backend) against the local
 * command: its AM and IAM renders as tasks, the dataset passes and ablations on the driver, and the
 * same tables, sweeps and images byte for byte at a Hadoop FileSystem URL; --devices, which the
 * cluster replaces, is refused.
 */
class SparkAnalyzeTest {
  @TempDir Path tmp;

  @BeforeEach
  void data() {
    TestData.require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
  }

  private static String[] analyzeArgs(Path out) {
    return new String[] {
      "--model",
      BundledModels.path("fashion-cnn").toString(),
      "--layers",
      "relu2",
      "--units",
      "0-4",
      "--batch",
      "2",
      "--steps",
      "6",
      "--images",
      "100",
      "--device",
      "cpu",
      "--out",
      out.toString()
    };
  }

  /**
   * Every file under a folder by relative path, but the cluster's chunk records and the sweeps'
   * lock files (they name the process that held them).
   */
  private static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> all = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = dir.relativize(p).toString();
        boolean record = rel.matches("(am|iam)/" + ChunkFiles.FOLDER + "/.*");
        String name = p.getFileName().toString();
        boolean checksum = name.startsWith(".") && name.endsWith(".crc"); // Hadoop's file: system
        if (!record && !checksum && !name.equals(".featviz-sweep.lock"))
          all.put(rel, Files.readAllBytes(p));
      }
    }
    return all;
  }

  @Test
  void aClusterAnalysisWritesWhatTheLocalCommandWrites() throws IOException {
    Path local = tmp.resolve("local");
    List<String> args = new ArrayList<>(List.of("analyze"));
    args.addAll(List.of(analyzeArgs(local)));
    StringWriter localErr = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(localErr),
            args.toArray(String[]::new));
    assertEquals(0, code, localErr.toString());

    // The output as a Hadoop FileSystem URL (the sweep tests take plain paths): the chunks of both
    // sweeps go through Hadoop, the driver's files are copied up at the end.
    Path cluster = tmp.resolve("cluster");
    String[] clusterArgs = analyzeArgs(cluster);
    clusterArgs[clusterArgs.length - 1] = cluster.toUri().toString();
    Path mirror =
        Path.of(System.getProperty("java.io.tmpdir"), "featviz-cluster")
            .resolve(clusterArgs[clusterArgs.length - 1].replaceAll("[^A-Za-z0-9._-]", "_"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (JavaSparkContext spark = SparkSweepTest.local("local[2]")) {
      code = SparkAnalyze.run(spark, clusterArgs, new PrintWriter(out), new PrintWriter(err));
    } finally {
      SparkSweepTest.deleteTree(mirror);
    }
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("3 chunks as Spark tasks"), out.toString());

    Map<String, byte[]> e = files(local);
    Map<String, byte[]> a = files(cluster);
    assertEquals(e.keySet(), a.keySet());
    for (String f : List.of("units.csv", "layers.csv", "am/results.jsonl", "iam/results.jsonl"))
      assertTrue(e.containsKey(f), f + " missing: " + e.keySet());
    for (String k : e.keySet()) assertArrayEquals(e.get(k), a.get(k), k + " differs");
    for (String kind : List.of("am", "iam")) {
      try (Stream<Path> records = Files.list(cluster.resolve(kind).resolve(ChunkFiles.FOLDER))) {
        // 5 units in chunks of 2
        assertEquals(3, records.filter(p -> p.toString().endsWith(".jsonl")).count(), kind);
      }
    }
  }

  @Test
  void devicesAreTheClustersToChoose() {
    String[] args = analyzeArgs(tmp.resolve("refused"));
    String[] withDevices = java.util.Arrays.copyOf(args, args.length + 2);
    withDevices[args.length] = "--devices";
    withDevices[args.length + 1] = "cpu:2";
    StringWriter err = new StringWriter();
    // refused before Spark is asked for anything: no context is needed
    int code =
        org.featviz.cli.AnalyzeJob.runDriver(
            withDevices,
            kind -> {
              throw new AssertionError("no chunk may be run");
            },
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(err.toString().contains("leave out --devices"), err.toString());
  }
}
