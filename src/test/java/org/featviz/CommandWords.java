package org.featviz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command lines in tests written as one string, {@code "render --layer relu1 --out {}"}, instead of
 * one argument a line: the words are split at white space, and each {@code {}} word takes the next
 * value whole, so a path with a space stays one argument.
 */
public final class CommandWords {
  private CommandWords() {}

  /** The arguments of {@code line}, with each {@code {}} word replaced by the next of values. */
  public static String[] of(String line, Object... values) {
    List<String> args = new ArrayList<>();
    int next = 0;
    for (String word : line.strip().split("\\s+")) {
      if (!word.equals("{}")) {
        args.add(word);
      } else if (next < values.length) {
        args.add(String.valueOf(values[next++]));
      } else {
        throw new IllegalArgumentException("more {} than values in: " + line);
      }
    }
    if (next != values.length) {
      throw new IllegalArgumentException("more values than {} in: " + line);
    }
    return args.toArray(String[]::new);
  }

  /** {@code a} followed by {@code b}. */
  public static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
