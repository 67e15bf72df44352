package org.featviz;

/**
 * Array literals that fit on one line: {@code ints(1, 3, 3)} for {@code new int[] {1, 3, 3}}, so
 * that the formatter keeps shape and attribute arguments together instead of one to a line.
 */
public final class Literals {
  private Literals() {}

  /** {@code v} itself. */
  public static int[] ints(int... v) {
    return v;
  }

  /** {@code v} itself. */
  public static long[] longs(long... v) {
    return v;
  }
}
