package org.featviz.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A cluster job's output folder ({@code --out}): a path every executor mounts, written by the
 * driver and the tasks alike; or a Hadoop FileSystem URL, which the tasks write through Hadoop and
 * the driver mirrors in a local folder ({@code java.io.tmpdir}/featviz-cluster/...), copying the
 * images it needs down as chunks finish and, at the end, what it wrote itself up.
 */
final class ClusterOutput {
  private final String[] driverArgs;
  private final Path driverFolder;
  private final HadoopFolder remote;
  private final Set<String> fromRemote = ConcurrentHashMap.newKeySet();

  private ClusterOutput(String[] driverArgs, Path driverFolder, HadoopFolder remote) {
    this.driverArgs = driverArgs;
    this.driverFolder = driverFolder;
    this.remote = remote;
  }

  /**
   * The output of the job {@code args} describe; {@code hadoop}: the job's Hadoop settings. Without
   * --out, the command's own error follows.
   */
  static ClusterOutput of(String[] args, Map<String, String> hadoop) {
    String[] driver = args.clone();
    for (int i = 0; i < driver.length; i++) {
      String out = null;
      boolean inline = driver[i].startsWith("--out=");
      if (inline) out = driver[i].substring("--out=".length());
      else if (driver[i].equals("--out") && i + 1 < driver.length) out = driver[++i];
      if (out == null) continue;
      if (!HadoopFolder.isUrl(out)) return new ClusterOutput(driver, Path.of(out), null);
      Path mirror =
          Path.of(System.getProperty("java.io.tmpdir"), "featviz-cluster")
              .resolve(out.replaceAll("[^A-Za-z0-9._-]", "_"));
      driver[i] = inline ? "--out=" + mirror : mirror.toString();
      return new ClusterOutput(driver, mirror, new HadoopFolder(out, hadoop));
    }
    return new ClusterOutput(driver, null, null);
  }

  /** The job's options with --out the driver's folder. */
  String[] driverArgs() {
    return driverArgs.clone();
  }

  /** Where the tasks put the chunks of the sweep the driver writes at {@code out}. */
  SharedFolder sharedFor(Path out) {
    if (remote == null) return new SharedFolder.Local(out.toString());
    Path relative = driverFolder.toAbsolutePath().relativize(out.toAbsolutePath());
    return relative.toString().isEmpty() ? remote : remote.resolve(relative.toString());
  }

  /**
   * The driver's copy at {@code out} of the shared file {@code relative} below {@code shared};
   * where it is a remote file, it is not copied back up at the end.
   */
  void fetch(SharedFolder shared, String relative, Path out) throws IOException {
    Path local = out.resolve(relative);
    shared.fetch(relative, local);
    if (remote != null)
      fromRemote.add(driverFolder.toAbsolutePath().relativize(local.toAbsolutePath()).toString());
  }

  /**
   * Copies what the driver wrote (journals, tables, contact sheets, plots, reports) up to a remote
   * output, every file but the chunk records and the images that came down from there; returns how
   * many, or -1 for a local output.
   */
  int upload() throws IOException {
    if (remote == null) return -1;
    int copied = 0;
    try (Stream<Path> all = Files.walk(driverFolder)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        Path rel = driverFolder.relativize(p);
        boolean record = false;
        for (Path part : rel) record |= part.toString().equals(ChunkFiles.FOLDER);
        String name = p.getFileName().toString();
        if (record || name.startsWith(".") || fromRemote.contains(rel.toString())) continue;
        remote.put(p, rel.toString().replace(java.io.File.separatorChar, '/'));
        copied++;
      }
    }
    return copied;
  }

  /** The remote output's URL, or null. */
  String url() {
    return remote == null ? null : remote.url();
  }
}
