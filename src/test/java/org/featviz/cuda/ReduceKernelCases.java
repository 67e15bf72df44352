package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.DeviceTesting;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.junit.jupiter.api.Test;

/**
 * row_sum of cuda/reduce.cu against a float64 reference on fresh random inputs, for row lengths
 * below, at and above the block size and for block sizes from one warp to 1024 threads. Run on the
 * emulator (EmuTest$ReduceKernel) and on a GPU (GpuTest$ReduceKernel). Shape legend: R rows, C
 * columns; x [R, C], y [R].
 */
public abstract class ReduceKernelCases extends DeviceCases {
  /**
   * Runs row_sum with `blocks` blocks (at least R; extra blocks must leave y alone) of `threads`
   * threads.
   */
  private float[] rowSum(float[] x, int rows, int cols, int blocks, int threads) {
    try (DeviceBuffer xb = device.toDevice(x);
        DeviceBuffer yb = device.allocateFloats(rows)) {
      device.launch(
          "row_sum",
          Dim3.of(blocks),
          Dim3.of(threads),
          0,
          new KernelArgs().ptr(xb).ptr(yb).i32(rows).i32(cols));
      return device.copyToHostFloats(yb, rows);
    }
  }

  /** |y - sum| <= 1e-6 * sum of |x| per row (float rounding of a tree sum); NaN fails. */
  private static void assertRowSums(float[] x, int rows, int cols, float[] y, String what) {
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      double abs = 0;
      for (int c = 0; c < cols; c++) {
        sum += x[r * cols + c];
        abs += Math.abs(x[r * cols + c]);
      }
      double error = Math.abs(y[r] - sum);
      if (!(error <= 1e-6 * abs + 1e-30)) {
        fail(
            what
                + ": row "
                + r
                + " sums to "
                + y[r]
                + ", expected "
                + sum
                + " (error "
                + error
                + ")");
      }
    }
  }

  @Test
  void rowSumMatchesFloat64Reference() {
    Random rng = new Random(31);
    int[][] cases = { // rows, cols, threads per block
      {1, 1, 32},
      {3, 31, 32},
      {2, 33, 32},
      {4, 300, 64},
      {5, 1000, 256},
      {3, 2500, 1024},
      {6, 97, 96}
    };
    for (int[] c : cases) {
      int rows = c[0];
      int cols = c[1];
      float[] x = DeviceTesting.uniform(rng, rows * cols, -1f, 1f);
      assertRowSums(
          x,
          rows,
          cols,
          rowSum(x, rows, cols, rows, c[2]),
          "R=" + rows + " C=" + cols + " B=" + c[2]);
    }
  }

  @Test
  void rowSumOfLargeOffsetValuesKeepsRelativeAccuracy() {
    Random rng = new Random(32);
    int rows = 3;
    int cols = 777;
    float[] x = DeviceTesting.uniform(rng, rows * cols, 1000f, 1001f);
    assertRowSums(x, rows, cols, rowSum(x, rows, cols, rows, 128), "offset values");
  }

  @Test
  void extraBlocksBeyondTheRowsWriteNothing() {
    Random rng = new Random(33);
    int rows = 2;
    int cols = 50;
    float[] x = DeviceTesting.uniform(rng, rows * cols, -1f, 1f);
    assertRowSums(x, rows, cols, rowSum(x, rows, cols, rows + 3, 64), "grid larger than R");
  }

  @Test
  void emptyRowsSumToZero() {
    float[] y = rowSum(new float[1], 4, 0, 4, 32);
    for (float v : y) assertTrue(v == 0f, "sum of an empty row: " + v);
  }
}
