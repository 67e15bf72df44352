package org.featviz.device;

/** Small helpers on dimension lists for the library descriptors. */
final class Dims {
  private Dims() {}

  static int[] concat(int[] a, int[] b) {
    int[] r = new int[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static long product(int[] dims) {
    long p = 1;
    for (int d : dims) p *= d;
    return p;
  }
}
