package org.featviz.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Device} must do, run against each implementation (EmulatedDeviceTest in CI,
 * CudaDeviceTest on a GPU host): copies with offsets, memset, device copies, buffer ownership and
 * close, and the checks that turn a wrong launch into an exception before anything runs. The kernel
 * used is row_sum of cuda/reduce.cu.
 */
public abstract class DeviceContractCases extends DeviceCases {
  /** These tests close their device and open a second one: a fresh device per test. */
  @Override
  protected boolean shareDevice() {
    return false;
  }

  @Test
  void floatsAndIntsRoundTripWithOffsets() {
    Random rng = new Random(11);
    float[] f = DeviceTesting.uniform(rng, 40, -5f, 5f);
    int[] k = new int[40];
    for (int i = 0; i < k.length; i++) k[i] = rng.nextInt();
    try (DeviceBuffer fb = device.allocateFloats(50);
        DeviceBuffer kb = device.allocateInts(50)) {
      device.memsetZero(fb);
      device.memsetZero(kb);
      device.copyToDevice(f, 5, fb, 10, 30); // f[5..35) -> fb[10..40)
      device.copyToDevice(k, 5, kb, 10, 30);
      float[] fBack = new float[60];
      int[] kBack = new int[60];
      device.copyToHost(fb, 0, fBack, 7, 50); // fb[0..50) -> fBack[7..57)
      device.copyToHost(kb, 0, kBack, 7, 50);
      for (int i = 0; i < 50; i++) {
        boolean copied = i >= 10 && i < 40;
        assertEquals(copied ? f[i - 5] : 0f, fBack[7 + i], "float at device position " + i);
        assertEquals(copied ? k[i - 5] : 0, kBack[7 + i], "int at device position " + i);
      }
    }
  }

  @Test
  void memsetZeroClearsOnlyItsRange() {
    float[] ones = new float[16];
    java.util.Arrays.fill(ones, 1f);
    try (DeviceBuffer b = device.toDevice(ones)) {
      device.memsetZero(b, 4 * Float.BYTES, 8 * Float.BYTES);
      float[] expected = ones.clone();
      java.util.Arrays.fill(expected, 4, 12, 0f);
      assertArrayEquals(expected, device.copyToHostFloats(b, 16));
    }
  }

  @Test
  void deviceToDeviceCopyMovesBytesBetweenBuffers() {
    float[] src = DeviceTesting.uniform(new Random(12), 20, 0f, 1f);
    try (DeviceBuffer a = device.toDevice(src);
        DeviceBuffer b = device.allocateFloats(20)) {
      device.memsetZero(b);
      device.copy(a, 3 * Float.BYTES, b, 10 * Float.BYTES, 5 * Float.BYTES);
      float[] expected = new float[20];
      System.arraycopy(src, 3, expected, 10, 5);
      assertArrayEquals(expected, device.copyToHostFloats(b, 20));
    }
  }

  @Test
  void outOfRangeCopiesThrowBeforeTouchingMemory() {
    try (DeviceBuffer b = device.allocateFloats(8)) {
      assertThrows(
          IndexOutOfBoundsException.class, () -> device.copyToDevice(new float[9], 0, b, 0, 9));
      assertThrows(
          IndexOutOfBoundsException.class, () -> device.copyToDevice(new float[4], 0, b, 5, 4));
      assertThrows(
          IndexOutOfBoundsException.class, () -> device.copyToDevice(new float[4], 2, b, 0, 3));
      assertThrows(
          IndexOutOfBoundsException.class, () -> device.copyToHost(b, -1, new float[8], 0, 1));
      assertThrows(IndexOutOfBoundsException.class, () -> device.memsetZero(b, 4, 32));
      assertThrows(IndexOutOfBoundsException.class, () -> device.copy(b, 0, b, 16, 20));
      assertThrows(
          IllegalArgumentException.class, () -> device.copy(b, 0, b, 8, 16)); // overlapping
    }
  }

  @Test
  void bufferCloseIsIdempotentAndUseAfterCloseThrows() {
    DeviceBuffer b = device.allocateFloats(4);
    b.close();
    assertDoesNotThrow(b::close);
    assertTrue(b.isClosed());
    assertThrows(IllegalStateException.class, b::address);
    assertThrows(IllegalStateException.class, () -> device.copyToDevice(new float[4], b));
    assertThrows(IllegalStateException.class, () -> device.copyToHostFloats(b, 4));
    assertThrows(IllegalStateException.class, () -> device.memsetZero(b));
  }

  @Test
  void closingTheDeviceClosesItsBuffers() {
    DeviceBuffer a = device.allocateFloats(4);
    DeviceBuffer b = device.allocateInts(4);
    b.close();
    device.close();
    assertTrue(a.isClosed());
    assertDoesNotThrow(device::close);
    assertThrows(IllegalStateException.class, () -> device.allocate(4));
  }

  @Test
  void unknownKernelIsRejectedWithTheKnownNames() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> device.launch("no_such_kernel", Dim3.of(1), Dim3.of(32), 0, new KernelArgs()));
    assertTrue(
        e.getMessage().contains("no_such_kernel") && e.getMessage().contains("row_sum"),
        e.getMessage());
  }

  /** row_sum on one block of 32 threads, no dynamic shared memory. */
  private void launchRowSum(KernelArgs args) {
    device.launch("row_sum", Dim3.of(1), Dim3.of(32), 0, args);
  }

  @Test
  void wrongArgumentsAreRejectedNamingTheKernel() {
    try (DeviceBuffer x = device.allocateFloats(64);
        DeviceBuffer y = device.allocateFloats(1)) {
      var tooFew =
          assertThrows(
              IllegalArgumentException.class,
              () -> launchRowSum(new KernelArgs().ptr(x).ptr(y).i32(1)));
      assertTrue(
          tooFew.getMessage().contains("row_sum")
              && tooFew.getMessage().contains("takes 4 arguments"),
          tooFew.getMessage());
      var wrongKind =
          assertThrows(
              IllegalArgumentException.class,
              () -> launchRowSum(new KernelArgs().ptr(x).ptr(y).i32(1).f32(64f)));
      assertTrue(wrongKind.getMessage().contains("row_sum"), wrongKind.getMessage());
    }
  }

  @Test
  void blocksOverTheThreadLimitAreRejected() {
    try (DeviceBuffer x = device.allocateFloats(64);
        DeviceBuffer y = device.allocateFloats(1)) {
      KernelArgs args = new KernelArgs().ptr(x).ptr(y).i32(1).i32(64);
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> device.launch("row_sum", Dim3.of(1), Dim3.of(1056), 0, args));
      assertTrue(e.getMessage().contains("1024"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> device.launch("row_sum", Dim3.of(1), Dim3.of(64, 32), 0, args));
      assertThrows(
          IllegalArgumentException.class,
          () ->
              device.launch(
                  "row_sum", Dim3.of(1), Dim3.of(32), Device.MAX_DYNAMIC_SHARED_BYTES + 1, args));
    }
  }

  @Test
  void closedOrForeignBufferArgumentsAreRejected() {
    DeviceBuffer x = device.allocateFloats(64);
    try (DeviceBuffer y = device.allocateFloats(1)) {
      KernelArgs args = new KernelArgs().ptr(x).ptr(y).i32(1).i32(64);
      x.close();
      assertThrows(IllegalStateException.class, () -> launchRowSum(args));
    }
    try (Device other = openDevice();
        DeviceBuffer foreign = other.allocateFloats(64);
        DeviceBuffer y = device.allocateFloats(1)) {
      KernelArgs args = new KernelArgs().ptr(foreign).ptr(y).i32(1).i32(64);
      assertThrows(IllegalArgumentException.class, () -> launchRowSum(args));
      assertThrows(IllegalArgumentException.class, () -> device.copyToHostFloats(foreign, 1));
    }
  }

  @Test
  void listsTheKernelsOfCudaSources() {
    assertTrue(
        device.kernelNames().containsAll(java.util.List.of("row_sum", "broadcast_binary")),
        device.kernelNames().toString());
  }
}
