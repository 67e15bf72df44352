package org.featviz.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place CSV cells are written (RFC 4180): a cell holding a comma, a quote or a line break
 * is quoted, its quotes doubled; any other cell is written as it is, so plain numbers and names
 * read the same in a CSV and in the text they came from. Lines are joined by the caller (the files
 * are written with {@link java.nio.file.Files#write}).
 *
 * <pre>{@code
 * CsvWriter.line(List.of("relu2", "3", "a \"b\", c"))   // relu2,3,"a ""b"", c"
 * }</pre>
 */
public final class CsvWriter {
  private CsvWriter() {}

  /** One cell, quoted where it must be. */
  public static String cell(String s) {
    boolean quote = s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r");
    return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** One line of cells (without the line break). */
  public static String line(List<String> cells) {
    List<String> quoted = new ArrayList<>(cells.size());
    for (String c : cells) quoted.add(cell(c));
    return String.join(",", quoted);
  }
}
