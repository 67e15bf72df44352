package org.featviz.device.emu;

import static org.featviz.Literals.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.DeviceException;
import org.featviz.device.DeviceTesting;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator keeps CUDA's execution model, and catches what breaks it: runs the self-test kernels
 * of src/test/cuda/emu_selftest.cu (built by Maven into a test-only kernel library). Most
 * important: a kernel that omits a needed __syncthreads gives a wrong result here, where its
 * correct twin gives the right one.
 */
class EmulatorSemanticsTest extends DeviceCases {
  static final String SELFTEST_LIBRARY = "/native/linux-x86_64/libfeatviz-emu-selftest.so";
  private static final int WARP = 32;

  @BeforeAll
  static void loadSelfTestKernels() {
    EmulatedDevice.loadKernelLibraryResource(SELFTEST_LIBRARY);
  }

  @Override
  protected Device openDevice() {
    return new EmulatedDevice();
  }

  /**
   * Runs a kernel with signature (const float* in, float* out) over blocks x threads and returns
   * out.
   */
  private float[] runInOut(String kernel, float[] in, int blocks, int threads, int sharedBytes) {
    try (DeviceBuffer x = device.toDevice(in);
        DeviceBuffer y = device.allocateFloats(in.length)) {
      device.launch(
          kernel, Dim3.of(blocks), Dim3.of(threads), sharedBytes, new KernelArgs().ptr(x).ptr(y));
      return device.copyToHostFloats(y, in.length);
    }
  }

  /** What selftest_rotate_* compute when every write happens before every read. */
  private static float[] rotatedWithinBlocks(float[] in, int threads, int by) {
    float[] out = new float[in.length];
    for (int g = 0; g < in.length; g++) {
      int base = g / threads * threads;
      out[g] = in[base + (g - base + by) % threads];
    }
    return out;
  }

  private static int mismatches(float[] expected, float[] actual) {
    int bad = 0;
    for (int i = 0; i < expected.length; i++) if (!(expected[i] == actual[i])) bad++;
    return bad;
  }

  @Test
  void barrierMakesSharedMemoryWritesVisibleToTheBlock() {
    float[] in = DeviceTesting.uniform(new Random(21), 2 * 128, -1f, 1f);
    assertArrayEquals(
        rotatedWithinBlocks(in, 128, 1), runInOut("selftest_rotate_synced", in, 2, 128, 0));
  }

  @Test
  void missingBarrierGivesAWrongResult() {
    float[] in = DeviceTesting.uniform(new Random(22), 2 * 128, -1f, 1f);
    float[] out = runInOut("selftest_rotate_unsynced", in, 2, 128, 0);
    // Threads run alone up to the end: all but the last thread of each block read a slot not yet
    // written.
    assertEquals(2 * 127, mismatches(rotatedWithinBlocks(in, 128, 1), out));
    assertTrue(Float.isNaN(out[0]), "an unwritten shared slot reads as NaN, got " + out[0]);
  }

  @Test
  void warpShuffleDoesNotSynchronizeTheWholeBlock() {
    float[] in = DeviceTesting.uniform(new Random(23), 64, -1f, 1f);
    float[] out = runInOut("selftest_rotate_warps_shuffle_only", in, 1, 64, 0);
    // Warp 0 finishes before warp 1 starts: its 32 threads read warp 1's slots unwritten.
    assertEquals(WARP, mismatches(rotatedWithinBlocks(in, 64, WARP), out));
  }

  @Test
  void threadExitingBeforeABarrierIsReported() {
    try (DeviceBuffer out = device.allocateFloats(64)) {
      device.launch(
          "selftest_exit_before_barrier",
          Dim3.of(1),
          Dim3.of(64),
          0,
          new KernelArgs().ptr(out).i32(64));
      var e =
          assertThrows(
              DeviceException.class,
              () ->
                  device.launch(
                      "selftest_exit_before_barrier",
                      Dim3.of(1),
                      Dim3.of(64),
                      0,
                      new KernelArgs().ptr(out).i32(40)));
      assertTrue(
          e.getMessage().contains("selftest_exit_before_barrier")
              && e.getMessage().contains("__syncthreads")
              && e.getMessage().contains("has exited"),
          e.getMessage());
    }
  }

  @Test
  void shuffleWithAnExitedLaneIsReported() {
    try (DeviceBuffer out = device.allocateFloats(32)) {
      var e =
          assertThrows(
              DeviceException.class,
              () ->
                  device.launch(
                      "selftest_shuffle_after_exit",
                      Dim3.of(1),
                      Dim3.of(32),
                      0,
                      new KernelArgs().ptr(out)));
      assertTrue(
          e.getMessage().contains("__shfl_down_sync") && e.getMessage().contains("lane 0"),
          e.getMessage());
    }
  }

  @Test
  void shufflesAndVotesFollowCudaSemantics() {
    int threads = 64;
    float[] in = DeviceTesting.uniform(new Random(24), threads, -1f, 1f);
    float[][] expected = new float[5][threads];
    int[] ballot = new int[threads];
    int[] allAny = new int[threads];
    for (int t = 0; t < threads; t++) {
      int lane = t % WARP;
      int base = t - lane;
      expected[0][t] = in[lane + 3 < WARP ? t + 3 : t]; // down 3
      expected[1][t] = in[lane >= 5 ? t - 5 : t]; // up 5
      expected[2][t] = in[base + (lane ^ 6)]; // xor 6
      expected[3][t] = in[base + 7]; // from lane 7
      expected[4][t] = in[lane % 8 + 3 < 8 ? t + 3 : t]; // down 3 within groups of 8
      boolean all = true;
      boolean any = false;
      for (int l = 0; l < WARP; l++) {
        if (in[base + l] > 0) ballot[t] |= 1 << l;
        all &= in[base + l] > -10f;
        any |= in[base + l] > 0;
      }
      allAny[t] = (all ? 2 : 0) + (any ? 1 : 0);
    }
    DeviceBuffer x = device.toDevice(in);
    DeviceBuffer[] outs = new DeviceBuffer[5];
    KernelArgs args = new KernelArgs().ptr(x);
    for (int i = 0; i < outs.length; i++) args.ptr(outs[i] = device.allocateFloats(threads));
    DeviceBuffer ballotOut = device.allocateInts(threads);
    DeviceBuffer allAnyOut = device.allocateInts(threads);
    device.launch(
        "selftest_shuffles", Dim3.of(1), Dim3.of(threads), 0, args.ptr(ballotOut).ptr(allAnyOut));
    String[] names = {
      "__shfl_down_sync", "__shfl_up_sync", "__shfl_xor_sync", "__shfl_sync", "width 8"
    };
    for (int i = 0; i < outs.length; i++) {
      assertArrayEquals(expected[i], device.copyToHostFloats(outs[i], threads), names[i]);
    }
    assertArrayEquals(ballot, device.copyToHostInts(ballotOut, threads), "__ballot_sync");
    assertArrayEquals(
        allAny, device.copyToHostInts(allAnyOut, threads), "__all_sync and __any_sync");
  }

  @Test
  void atomicsAccumulateOverTheWholeGrid() {
    Random rng = new Random(25);
    int n = 1000;
    float[] x = new float[n];
    int[] k = new int[n];
    double sum = 0;
    int isum = 0;
    int imax = Integer.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextInt(100) / 4f; // quarters: every partial sum is exact in float
      k[i] = rng.nextInt(2000) - 1000;
      sum += x[i];
      isum += k[i];
      imax = Math.max(imax, k[i]);
    }
    try (DeviceBuffer xb = device.toDevice(x);
        DeviceBuffer kb = device.toDevice(k);
        DeviceBuffer fsum = device.toDevice(new float[] {0f});
        DeviceBuffer isumb = device.toDevice(ints(0));
        DeviceBuffer imaxb = device.toDevice(ints(Integer.MIN_VALUE))) {
      device.launch(
          "selftest_atomics",
          Dim3.of(3),
          Dim3.of(96),
          0,
          new KernelArgs().ptr(xb).ptr(kb).i32(n).ptr(fsum).ptr(isumb).ptr(imaxb));
      assertEquals((float) sum, device.copyToHostFloats(fsum, 1)[0]);
      assertEquals(isum, device.copyToHostInts(isumb, 1)[0]);
      assertEquals(imax, device.copyToHostInts(imaxb, 1)[0]);
    }
  }

  @Test
  void sharedMemoryStartsUnwrittenInEveryBlock() {
    int threads = 64;
    try (DeviceBuffer out = device.allocateFloats(3 * threads)) {
      device.launch(
          "selftest_shared_per_block", Dim3.of(3), Dim3.of(threads), 0, new KernelArgs().ptr(out));
      float[] values = device.copyToHostFloats(out, 3 * threads);
      for (int i = 0; i < values.length; i++) {
        if (i < threads) assertEquals(7f, values[i], "block 0 reads what it wrote");
        else
          assertTrue(
              Float.isNaN(values[i]),
              "block " + i / threads + " reads block 0's shared data: " + values[i]);
      }
    }
  }

  @Test
  void dynamicSharedMemoryHasTheLaunchSize() {
    int threads = 96;
    float[] in = DeviceTesting.uniform(new Random(26), 2 * threads, -1f, 1f);
    float[] out = runInOut("selftest_dynamic_shared", in, 2, threads, threads * Float.BYTES);
    for (int g = 0; g < in.length; g++) {
      int base = g / threads * threads;
      assertEquals(in[base + threads - 1 - (g - base)], out[g], "position " + g);
    }
  }

  @Test
  void threeDimensionalIndicesFollowCuda() {
    Dim3 grid = Dim3.of(2, 2, 2);
    Dim3 block = Dim3.of(3, 2, 2);
    int threads = (int) (grid.volume() * block.volume());
    try (DeviceBuffer out = device.allocateInts(12L * threads)) {
      device.launch("selftest_indices", grid, block, 0, new KernelArgs().ptr(out));
      int[] values = device.copyToHostInts(out, 12 * threads);
      int i = 0;
      for (int bz = 0; bz < 2; bz++) {
        for (int by = 0; by < 2; by++) {
          for (int bx = 0; bx < 2; bx++) {
            for (int tz = 0; tz < 2; tz++) {
              for (int ty = 0; ty < 2; ty++) {
                for (int tx = 0; tx < 3; tx++, i++) {
                  int[] expected = {tx, ty, tz, bx, by, bz, 3, 2, 2, 2, 2, 2};
                  int[] actual = java.util.Arrays.copyOfRange(values, 12 * i, 12 * i + 12);
                  assertArrayEquals(expected, actual, "thread " + i);
                }
              }
            }
          }
        }
      }
    }
  }

  @Test
  void scalarArgumentsArePassedBitExact() {
    long a = 0x89abcdef01234567L;
    try (DeviceBuffer ints = device.allocateInts(3);
        DeviceBuffer floats = device.allocateFloats(1)) {
      device.launch(
          "selftest_scalars",
          Dim3.of(1),
          Dim3.of(1),
          0,
          new KernelArgs().i64(a).f32(-2.5e-3f).i32(-7).ptr(ints).ptr(floats));
      assertArrayEquals(ints((int) (a >> 32), (int) a, -7), device.copyToHostInts(ints, 3));
      assertEquals(-2.5e-3f, device.copyToHostFloats(floats, 1)[0]);
    }
  }

  @Test
  void loadingTheSameKernelLibraryAgainChangesNothing() {
    List<String> names = EmulatedDevice.loadKernelLibraryResource(SELFTEST_LIBRARY);
    assertTrue(names.contains("selftest_rotate_synced"), names.toString());
    assertTrue(device.kernelNames().containsAll(names));
  }
}
