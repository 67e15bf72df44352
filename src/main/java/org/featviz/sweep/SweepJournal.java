package org.featviz.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.ir.ModelException;

/**
 * The append-only record of a sweep: one JSON line per finished unit in {@code results.jsonl}, flushed as each
 * chunk finishes, so an interrupted sweep loses at most the chunk in flight and resumes where it stopped. A torn
 * last line (the process died mid-write) is ignored on reading. A CSV twin is rewritten from the journal.
 */
public final class SweepJournal implements AutoCloseable {
  public static final String FILE = "results.jsonl";
  public static final String CSV = "results.csv";
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .create();

  private final Path dir;
  private final Map<String, UnitResult> done = new LinkedHashMap<>();
  private final BufferedWriter out;

  public SweepJournal(Path dir) {
    this.dir = dir;
    Path file = dir.resolve(FILE);
    try {
      Files.createDirectories(dir);
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          if (line.isEmpty()) continue;
          try {
            UnitResult r = GSON.fromJson(line, UnitResult.class);
            if (r != null && r.layer() != null) done.put(r.key(), r);
          } catch (JsonParseException e) {
            if (i != lines.size() - 1) throw new ModelException(file + ": line " + (i + 1) + " is not a result: " + line);
          }
        }
        // Rewrite without a torn tail so that appends start on a clean line.
        Files.write(file, done.values().stream().map(GSON::toJson).toList(), StandardCharsets.UTF_8);
      }
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the sweep journal in " + dir, e);
    }
  }

  public boolean isDone(String layer, int unit) {
    return done.containsKey(layer + "#" + unit);
  }

  public List<UnitResult> results() {
    return new ArrayList<>(done.values());
  }

  /** Appends the results of one chunk and flushes them to disk. */
  public void append(List<UnitResult> results) {
    try {
      for (UnitResult r : results) {
        out.write(GSON.toJson(r));
        out.newLine();
        done.put(r.key(), r);
      }
      out.flush();
      writeCsv();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sweep journal in " + dir, e);
    }
  }

  private void writeCsv() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("layer,unit,objective,status,objective_value,activation,seed,steps,image,backend");
    for (UnitResult r : done.values()) {
      lines.add(String.join(",", csv(r.layer()), Integer.toString(r.unit()), csv(r.objective()), r.status(),
          Double.toString(r.objectiveValue()), Double.toString(r.activation()), Long.toString(r.seed()),
          Integer.toString(r.steps()), csv(r.image()), csv(r.backend())));
    }
    Path tmp = dir.resolve(CSV + ".tmp");
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(CSV), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String csv(String s) {
    if (s == null) return "";
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
