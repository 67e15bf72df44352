package org.featviz.device;

import java.util.Arrays;

/** The float values every conversion test starts from: zeros, ones, the extremes, infinities. */
public final class FloatEdges {
  private FloatEdges() {}

  private static final float[] EDGES = {
    0f,
    -0f,
    1f,
    -1f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.MIN_NORMAL,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY
  };

  /** The edge values followed by more. */
  public static float[] and(float... more) {
    float[] all = Arrays.copyOf(EDGES, EDGES.length + more.length);
    System.arraycopy(more, 0, all, EDGES.length, more.length);
    return all;
  }
}
