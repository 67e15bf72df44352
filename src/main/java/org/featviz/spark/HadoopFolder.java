package org.featviz.spark;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;

/**
 * A shared folder behind Hadoop's FileSystem ({@code hdfs://nn/sweeps/m}, {@code s3a://bucket/m},
 * {@code file:/shared/m}, ...): the tasks render into a local staging folder and copy each file up
 * under a name of its own, then rename it into place; the driver copies down what it needs. The
 * Hadoop settings are the job's {@code spark.hadoop.*} (credentials, endpoints), carried as
 * strings.
 */
final class HadoopFolder implements SharedFolder {
  private static final long serialVersionUID = 1L;
  private static final Gson GSON = new Gson();

  private final String url;
  private final TreeMap<String, String> settings;
  private transient FileSystem fs;

  HadoopFolder(String url, Map<String, String> settings) {
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.settings = new TreeMap<>(settings);
  }

  /**
   * Whether {@code out} names a Hadoop FileSystem URL (a scheme and a colon) rather than a path.
   */
  static boolean isUrl(String out) {
    return out.matches("[A-Za-z][A-Za-z0-9+.-]*:.*");
  }

  String url() {
    return url;
  }

  private FileSystem fs() throws IOException {
    if (fs == null) {
      Configuration conf = new Configuration();
      settings.forEach(conf::set);
      fs = FileSystem.get(URI.create(url), conf);
    }
    return fs;
  }

  private org.apache.hadoop.fs.Path at(String relative) {
    return new org.apache.hadoop.fs.Path(url + "/" + relative);
  }

  private String record(SweepChunk chunk) {
    return ChunkFiles.FOLDER + "/" + chunk.fileName() + ".jsonl";
  }

  @Override
  public SharedFolder resolve(String child) {
    return new HadoopFolder(url + "/" + child, settings);
  }

  @Override
  public List<UnitResult> readRecord(SweepChunk chunk) throws IOException {
    org.apache.hadoop.fs.Path file = at(record(chunk));
    if (!fs().exists(file)) return null;
    String text;
    try (InputStream in = fs().open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<UnitResult> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) rows.add(GSON.fromJson(line, UnitResult.class));
    }
    return rows;
  }

  @Override
  public void writeRecord(SweepChunk chunk, List<UnitResult> rows, String attempt)
      throws IOException {
    StringBuilder text = new StringBuilder();
    for (UnitResult r : rows) text.append(GSON.toJson(r)).append('\n');
    org.apache.hadoop.fs.Path target = at(record(chunk));
    org.apache.hadoop.fs.Path aside =
        new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName() + "." + attempt);
    try (OutputStream out = fs().create(aside, true)) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    moveInPlace(aside, target);
  }

  @Override
  public Path staging(SweepChunk chunk, String attempt) throws IOException {
    return Files.createTempDirectory("featviz-" + chunk.fileName() + "-" + attempt + "-");
  }

  @Override
  public void put(Path staged, String relative) throws IOException {
    org.apache.hadoop.fs.Path target = at(relative);
    org.apache.hadoop.fs.Path aside =
        new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName() + ".part");
    fs().mkdirs(target.getParent());
    fs().copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(staged.toUri()), aside);
    moveInPlace(aside, target);
  }

  @Override
  public void fetch(String relative, Path local) throws IOException {
    Files.createDirectories(local.toAbsolutePath().getParent());
    Path part = local.resolveSibling("." + local.getFileName() + ".part");
    try (InputStream in = fs().open(at(relative))) {
      Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.move(part, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Renames {@code from} to {@code to}, replacing it: Hadoop's rename does not overwrite, so what
   * is there goes first (a reader between the two sees no file, never part of one).
   */
  private void moveInPlace(org.apache.hadoop.fs.Path from, org.apache.hadoop.fs.Path to)
      throws IOException {
    if (fs().exists(to)) fs().delete(to, false);
    if (!fs().rename(from, to)) throw new IOException("cannot rename " + from + " to " + to);
  }
}
