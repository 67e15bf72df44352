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
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.featviz.ThisJvm;
import org.featviz.cli.Main;
import org.featviz.sweep.SweepChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * featviz sweep on Spark in local mode (two task threads, the CPU backend: local mode schedules no
 * GPUs) against the local command: the same files byte for byte (the cluster run adds only its
 * chunk records); a task that fails mid-chunk is retried and loses and duplicates nothing; a rerun
 * after the driver stopped takes finished chunks from their records; options the cluster decides
 * are refused in one line.
 */
class SparkSweepTest {
  @TempDir Path tmp;

  private static final String MODEL = "models/fashion-mlp.onnx";

  private static String[] sweepArgs(Path out) {
    return new String[] {
      "--model",
      MODEL,
      "--layers",
      "relu_fc1,relu_fc2",
      "--units",
      "0-4",
      "--batch",
      "2",
      "--steps",
      "6",
      "--transforms",
      "small",
      "--out",
      out.toString()
    };
  }

  static JavaSparkContext local(String master) {
    SparkConf conf =
        new SparkConf()
            .setMaster(master)
            .setAppName("featviz test")
            .set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1");
    JavaSparkContext spark = new JavaSparkContext(conf);
    spark.setLogLevel("ERROR");
    return spark;
  }

  private static int run(JavaSparkContext spark, String[] args, StringWriter err) {
    return SparkSweep.run(spark, args, new PrintWriter(new StringWriter()), new PrintWriter(err));
  }

  /** The local command's folder: --device cpu, so that it matches the tasks' CPU backend. */
  private Path localSweep() {
    Path out = tmp.resolve("local");
    List<String> args = new ArrayList<>(List.of("sweep"));
    args.addAll(List.of(sweepArgs(out)));
    args.addAll(List.of("--device", "cpu"));
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(new StringWriter()), new PrintWriter(err), args.toArray(String[]::new));
    assertEquals(0, code, err.toString());
    return out;
  }

  /**
   * Every file under a folder by relative path, but the cluster's chunk records and the lock file
   * (it names the process that held it).
   */
  private static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> all = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = dir.relativize(p).toString();
        String name = p.getFileName().toString();
        boolean checksum = name.startsWith(".") && name.endsWith(".crc"); // Hadoop's file: system
        if (!rel.startsWith(ChunkFiles.FOLDER + "/")
            && !rel.equals(".featviz-sweep.lock")
            && !checksum) all.put(rel, Files.readAllBytes(p));
      }
    }
    return all;
  }

  private static void assertSameFolder(Path expected, Path actual) throws IOException {
    Map<String, byte[]> e = files(expected);
    Map<String, byte[]> a = files(actual);
    assertEquals(e.keySet(), a.keySet());
    assertTrue(e.keySet().stream().anyMatch(k -> k.endsWith(".png")), "no images: " + e.keySet());
    for (String k : e.keySet()) assertArrayEquals(e.get(k), a.get(k), k + " differs");
  }

  @Test
  void aClusterSweepWritesWhatTheLocalCommandWrites() throws IOException {
    Path local = localSweep();
    Path cluster = tmp.resolve("cluster");
    StringWriter err = new StringWriter();
    try (JavaSparkContext spark = local("local[2]")) {
      assertEquals(0, run(spark, sweepArgs(cluster), err), err.toString());
    }
    assertSameFolder(local, cluster);
    try (Stream<Path> records = Files.list(cluster.resolve(ChunkFiles.FOLDER))) {
      // 10 units in chunks of 2; no staging folder left
      assertEquals(5, records.filter(p -> p.toString().endsWith(".jsonl")).count());
    }
  }

  @Test
  void aTaskFailingMidChunkIsRetriedAndLosesNothing() throws IOException {
    Path local = localSweep();
    Path cluster = tmp.resolve("retried");
    StringWriter err = new StringWriter();
    // relu_fc1 units 2-3 fail on their first attempt after writing their images; two attempts
    // allowed
    System.setProperty(ChunkTask.FAIL_FIRST_ATTEMPT, "relu_fc1_0002-0003");
    try (JavaSparkContext spark = local("local[2,2]")) {
      assertEquals(0, run(spark, sweepArgs(cluster), err), err.toString());
    } finally {
      System.clearProperty(ChunkTask.FAIL_FIRST_ATTEMPT);
    }
    assertSameFolder(local, cluster);
  }

  @Test
  void aRerunTakesRecordedChunksWithoutRenderingThem() throws IOException {
    Path cluster = tmp.resolve("rerun");
    String[] args = sweepArgs(cluster);
    // One chunk rendered and recorded by a task of an earlier run whose driver then stopped.
    SweepChunk first =
        new SweepChunk(
            List.of(
                new SweepChunk.Unit("relu_fc1", 0, 128), new SweepChunk.Unit("relu_fc1", 1, 128)));
    new ChunkTask(new ChunkRender.Sweep(args), new SharedFolder.Local(cluster.toString()))
        .call(first);
    Path record = ChunkFiles.of(cluster, first);
    long written = Files.getLastModifiedTime(record).toMillis();
    Files.setLastModifiedTime(
        record, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    try (JavaSparkContext spark = local("local[2]")) {
      int code = SparkSweep.run(spark, args, new PrintWriter(out), new PrintWriter(err));
      assertEquals(0, code, err.toString());
    }
    assertTrue(out.toString().contains("1 chunks were already done"), out.toString());
    assertEquals(written - 60_000, Files.getLastModifiedTime(record).toMillis(), "rewritten");
    assertSameFolder(localSweep(), cluster);
  }

  /**
   * An output given as a Hadoop FileSystem URL (file: here; hdfs: and s3a: take the same path
   * through Hadoop): the tasks put their chunks there through Hadoop, the driver works in a local
   * mirror and copies its files up at the end, and the URL's folder holds the local command's
   * files. A rerun from a driver without that mirror (another host) takes every chunk from its
   * record.
   */
  @Test
  void aHadoopUrlOutputHoldsWhatTheLocalCommandWrites() throws IOException {
    Path remote = tmp.resolve("remote");
    String url = remote.toUri().toString();
    assertTrue(url.startsWith("file:"), url);
    String[] args = sweepArgs(tmp.resolve("unused"));
    args[args.length - 1] = url;
    Path mirror =
        Path.of(System.getProperty("java.io.tmpdir"), "featviz-cluster")
            .resolve(url.replaceAll("[^A-Za-z0-9._-]", "_"));
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    try (JavaSparkContext spark = local("local[2]")) {
      assertEquals(
          0,
          SparkSweep.run(spark, args, new PrintWriter(out), new PrintWriter(err)),
          err.toString());
      assertTrue(out.toString().contains("files of the driver's to " + url), out.toString());
      Path local = localSweep();
      assertSameFolder(local, remote);
      assertTrue(Files.isDirectory(mirror), "the driver's mirror " + mirror);

      deleteTree(mirror);
      out = new StringWriter();
      assertEquals(
          0,
          SparkSweep.run(spark, args, new PrintWriter(out), new PrintWriter(err)),
          err.toString());
      assertTrue(out.toString().contains("5 chunks were already done"), out.toString());
      assertSameFolder(local, remote);
    } finally {
      deleteTree(mirror);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /**
   * The entry point spark-submit calls, in a JVM of its own (Spark's configuration from system
   * properties, as spark-submit passes it): exit 0 and the local command's files.
   */
  @Test
  void theSparkSubmitEntryPointRunsASweep() throws Exception {
    Path cluster = tmp.resolve("submitted");
    List<String> command = ThisJvm.withClassPath();
    command.addAll(
        List.of(
            "-Dspark.master=local[2]",
            "-Dspark.ui.enabled=false",
            "-Dspark.driver.host=127.0.0.1",
            "-Dspark.driver.bindAddress=127.0.0.1"));
    command.addAll(List.of(System.getProperty("spark.opens.list", "").split(" ")));
    command.removeIf(String::isEmpty);
    command.add(SparkSweep.class.getName());
    command.addAll(List.of(sweepArgs(cluster)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), output);
    assertSameFolder(localSweep(), cluster);
  }

  @Test
  void devicesAreTheClustersToChoose() {
    String[] args = sweepArgs(tmp.resolve("refused"));
    String[] withDevice = java.util.Arrays.copyOf(args, args.length + 2);
    withDevice[args.length] = "--device";
    withDevice[args.length + 1] = "gpu";
    StringWriter err = new StringWriter();
    // refused before Spark is asked for anything: no context is needed
    int code =
        org.featviz.cli.SweepJob.runDriver(
            withDevice,
            (out, chunks, journal) -> {
              throw new AssertionError("rendered");
            },
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(
        err.toString().startsWith("featviz: error: a cluster sweep takes its devices"),
        err.toString());
    assertTrue(!Files.exists(tmp.resolve("refused")), "the output folder was created");
  }
}
