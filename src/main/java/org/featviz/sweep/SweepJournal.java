package org.featviz.sweep;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.featviz.ir.ModelException;
import org.featviz.report.CsvWriter;

/**
 * The append-only record of a sweep: one JSON line per finished unit in {@code results.jsonl},
 * flushed as each chunk finishes, so an interrupted sweep loses at most the chunk in flight and
 * resumes where it stopped. A torn last line (the process died mid-write) is ignored on reading. A
 * CSV twin is rewritten from the same records: the same rows, the same field names ({@link
 * #FIELDS}, snake_case as in render's results.json) and the same values, written as the JSON writes
 * them. Journals of older versions, whose names were camelCase ({@code objectiveValue}), are read
 * too and rewritten in today's names. A unit whose image file has gone missing is not done: its
 * line is dropped on opening, so that the sweep does it again.
 */
public final class SweepJournal implements AutoCloseable {
  public static final String FILE = "results.jsonl";
  public static final String CSV = "results.csv";
  private static final FieldNamingPolicy NAMING = FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES;

  /**
   * Every field of every line is written, a missing value as null, so that each line has all the
   * CSV's columns.
   */
  private static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(NAMING)
          .disableHtmlEscaping()
          .serializeSpecialFloatingPointValues()
          .serializeNulls()
          .create();

  /** The field names of results.jsonl and the columns of results.csv, in order. */
  public static final List<String> FIELDS =
      Arrays.stream(UnitResult.class.getRecordComponents())
          .map(c -> NAMING.translateName(field(c.getName())))
          .toList();

  private final Path dir;
  private final Map<String, UnitResult> done = new LinkedHashMap<>();
  private final List<UnitResult> lostImages = new ArrayList<>();
  private final BufferedWriter out;
  private boolean finished;

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
            UnitResult r = parse(line);
            if (r != null && r.layer() != null) done.put(r.key(), r);
          } catch (JsonParseException e) {
            if (i != lines.size() - 1)
              throw new ModelException(file + ": line " + (i + 1) + " is not a result: " + line);
          }
        }
        for (var it = done.values().iterator(); it.hasNext(); ) {
          UnitResult r = it.next();
          if (r.image() == null || !Files.isRegularFile(dir.resolve(r.image()))) {
            lostImages.add(r);
            it.remove();
          }
        }
        // Rewrite without a torn tail (so that appends start on a clean line), a unit's older
        // lines, old names or
        // lost images; the CSV from the same rows.
        replace(file, done.values().stream().map(r -> GSON.toJson(tree(r))).toList());
        writeCsv();
      }
      out =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the sweep journal in " + dir, e);
    }
  }

  /**
   * One line's result, its field names read in today's snake_case where an older version wrote
   * camelCase.
   */
  private static UnitResult parse(String line) {
    JsonElement e = JsonParser.parseString(line);
    if (!e.isJsonObject()) throw new JsonParseException("not a JSON object");
    JsonObject o = new JsonObject();
    for (Map.Entry<String, JsonElement> field : e.getAsJsonObject().entrySet()) {
      String name =
          field.getKey().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
      if (!o.has(name) || name.equals(field.getKey())) o.add(name, field.getValue());
    }
    return GSON.fromJson(o, UnitResult.class);
  }

  private static java.lang.reflect.Field field(String name) {
    try {
      return UnitResult.class.getDeclaredField(name);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A result as the journal writes it: every field, in {@link #FIELDS} order. */
  private static JsonObject tree(UnitResult r) {
    return GSON.toJsonTree(r).getAsJsonObject();
  }

  public boolean isDone(String layer, int unit) {
    return done.containsKey(layer + "#" + unit);
  }

  /** The units the journal held whose image files are missing: they are no longer done. */
  public List<UnitResult> lostImages() {
    return List.copyOf(lostImages);
  }

  public List<UnitResult> results() {
    return new ArrayList<>(done.values());
  }

  /** Appends the results of one chunk and flushes them to disk. */
  public void append(List<UnitResult> results) {
    if (finished) throw new IllegalStateException("the sweep journal in " + dir + " is finished");
    try {
      for (UnitResult r : results) {
        out.write(GSON.toJson(tree(r)));
        out.newLine();
        done.put(r.key(), r);
      }
      out.flush();
      writeCsv();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sweep journal in " + dir, e);
    }
  }

  /**
   * Ends the journal's appends and rewrites both files with the rows in {@code order} (unit keys,
   * "layer#unit"; rows of units not in it after those, as they were): chunks finish in any order
   * where several workers render them, and a sweep's files list its units in the sweep's order.
   */
  public void finish(List<String> order) {
    Map<String, UnitResult> sorted = new LinkedHashMap<>();
    for (String key : order) {
      UnitResult r = done.get(key);
      if (r != null) sorted.put(key, r);
    }
    for (UnitResult r : done.values()) sorted.putIfAbsent(r.key(), r);
    done.clear();
    done.putAll(sorted);
    try {
      finished = true;
      out.close(); // the rewrite replaces the file this writer appends to
      replace(dir.resolve(FILE), done.values().stream().map(r -> GSON.toJson(tree(r))).toList());
      writeCsv();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sweep journal in " + dir, e);
    }
  }

  /**
   * results.csv from the journal's rows: each cell is the text of the JSON value (null as an empty
   * cell).
   */
  private void writeCsv() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(String.join(",", FIELDS));
    for (UnitResult r : done.values()) {
      JsonObject o = tree(r);
      List<String> cells = new ArrayList<>();
      for (String name : FIELDS) {
        JsonElement v = o.get(name);
        cells.add(v == null || v.isJsonNull() ? "" : v.getAsString());
      }
      lines.add(CsvWriter.line(cells));
    }
    replace(dir.resolve(CSV), lines);
  }

  /** Writes a file whole or not at all: a sweep killed mid-write keeps the previous version. */
  private void replace(Path file, List<String> lines) throws IOException {
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
