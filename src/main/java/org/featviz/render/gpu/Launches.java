package org.featviz.render.gpu;

import org.featviz.device.DeviceBuffer;

/**
 * Launch geometry and argument checks shared by the launchers of this package. Element-wise loops
 * get blocks of a multiple of 32 threads, small blocks for small sizes (the emulator runs every
 * thread it is given); buffers are checked to hold what a kernel will touch, so a wrong size fails
 * in Java with the argument's name rather than as an out-of-bounds access on the device.
 */
final class Launches {
  /** Threads per block of the element-wise and per-sample kernels. */
  static final int BLOCK = 256;

  /** The most blocks along x of a grid-stride launch. */
  static final int MAX_BLOCKS = 4096;

  /** CUDA's limit on gridDim.y, where the kernels of this package put the batch. */
  static final int MAX_GRID_Y = 65535;

  private Launches() {}

  /** A multiple of 32 between 32 and {@link #BLOCK}, enough for n elements where n is small. */
  static int threads(long n) {
    return (int) Math.min(BLOCK, Math.max(32, (n + 31) / 32 * 32));
  }

  /**
   * Blocks of {@code threads} threads for n elements, at most {@link #MAX_BLOCKS} (kernels stride
   * beyond).
   */
  static int blocks(long n, int threads) {
    return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + threads - 1) / threads));
  }

  static void requireFloats(DeviceBuffer buffer, long count, String what) {
    require(buffer, count * Float.BYTES, count + " floats", what);
  }

  static void requireInts(DeviceBuffer buffer, long count, String what) {
    require(buffer, count * Integer.BYTES, count + " ints", what);
  }

  private static void require(DeviceBuffer buffer, long bytes, String needs, String what) {
    if (buffer == null) throw new IllegalArgumentException(what + ": no buffer given");
    if (buffer.bytes() < bytes) {
      throw new IllegalArgumentException(
          what
              + " needs "
              + needs
              + " ("
              + bytes
              + " bytes), the buffer has "
              + buffer.bytes()
              + " bytes");
    }
  }

  static void requireNonNegative(long value, String what) {
    if (value < 0) throw new IllegalArgumentException(what + " must be >= 0, got " + value);
  }

  static void requireBatch(int batch) {
    requireNonNegative(batch, "batch");
    if (batch > MAX_GRID_Y) {
      throw new IllegalArgumentException(
          "batch " + batch + " is over " + MAX_GRID_Y + " (CUDA's gridDim.y)");
    }
  }

  static int flag(boolean b) {
    return b ? 1 : 0;
  }
}
