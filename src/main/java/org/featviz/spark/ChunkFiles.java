package org.featviz.spark;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;

/**
 * The record of finished chunks in a cluster sweep's folder: {@code chunks/NAME.jsonl}, the rows of
 * chunk NAME ({@link SweepChunk#fileName}), written by the task that rendered it after its images
 * are in place, and only ever whole (written aside, then renamed). A chunk with such a file is
 * done: a retried or speculative task, or a rerun after the driver died, takes its rows from there
 * instead of rendering it again.
 */
final class ChunkFiles {
  static final String FOLDER = "chunks";
  private static final Gson GSON = new Gson();

  private ChunkFiles() {}

  static Path of(Path out, SweepChunk chunk) {
    return out.resolve(FOLDER).resolve(chunk.fileName() + ".jsonl");
  }

  /** The rows of a finished chunk, or null where it has no file yet. */
  static List<UnitResult> read(Path out, SweepChunk chunk) {
    Path file = of(out, chunk);
    if (!Files.exists(file)) return null;
    try {
      List<UnitResult> rows = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) rows.add(GSON.fromJson(line, UnitResult.class));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Writes a chunk's rows, whole or not at all. */
  static void write(Path out, SweepChunk chunk, List<UnitResult> rows, String attempt) {
    Path file = of(out, chunk);
    StringBuilder text = new StringBuilder();
    for (UnitResult r : rows) text.append(GSON.toJson(r)).append('\n');
    try {
      Files.createDirectories(file.getParent());
      Path aside = file.resolveSibling("." + file.getFileName() + "." + attempt);
      Files.writeString(aside, text, StandardCharsets.UTF_8);
      moveInPlace(aside, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Renames {@code from} to {@code to} in one step, replacing what is there. */
  static void moveInPlace(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
