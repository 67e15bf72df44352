package org.featviz.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * close() frees every buffer and runs every backend step even when some fail, then reports them all
 * at once.
 */
class AbstractDeviceCloseTest {
  /** A device of bookkeeping only: buffer 2's free fails, and one of its two closing steps does. */
  private static final class BrittleDevice extends AbstractDevice {
    final List<String> calls = new ArrayList<>();
    private long next = 1;

    @Override
    protected Allocation allocateMemory(long bytes) {
      return new Allocation(next++ * 4096, null);
    }

    @Override
    protected void freeMemory(long address, Object handle) {
      calls.add("free " + address / 4096);
      if (address == 2 * 4096)
        throw new DeviceException("cuMemFree failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)");
    }

    @Override
    protected void prepareClose(Teardown teardown) {
      calls.add("prepare");
      teardown.fail(
          "cuStreamSynchronize (at close)",
          new DeviceException("cuStreamSynchronize (at close) failed"));
    }

    @Override
    protected void closeDevice(Teardown teardown) {
      teardown.run(
          "cublasDestroy",
          () -> {
            calls.add("cublasDestroy");
            throw new DeviceException("cublasDestroy failed: CUBLAS_STATUS_INTERNAL_ERROR (14)");
          });
      teardown.run("cuDevicePrimaryCtxRelease", () -> calls.add("release"));
    }

    @Override
    protected void copyFloatsToDevice(
        float[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {}

    @Override
    protected void copyIntsToDevice(
        int[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {}

    @Override
    protected void copyFloatsToHost(
        DeviceBuffer src, long srcByte, float[] dst, int dstPos, int count) {}

    @Override
    protected void copyIntsToHost(
        DeviceBuffer src, long srcByte, int[] dst, int dstPos, int count) {}

    @Override
    protected void zeroBytes(DeviceBuffer buffer, long byteOffset, long bytes) {}

    @Override
    protected void copyBytes(
        DeviceBuffer src, long srcByte, DeviceBuffer dst, long dstByte, long bytes) {}

    @Override
    protected KernelSignature findKernel(String kernel) {
      return null;
    }

    @Override
    protected void launchKernel(
        String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {}

    @Override
    protected DeviceLibrary backendLibrary() {
      throw new UnsupportedOperationException();
    }

    @Override
    public String name() {
      return "brittle device";
    }

    @Override
    public List<String> kernelNames() {
      return List.of();
    }

    @Override
    public void synchronize() {}

    @Override
    public long freeMemoryBytes() {
      return 0;
    }
  }

  @Test
  void everyBufferAndStepIsTriedAndOneExceptionNamesEveryFailure() {
    BrittleDevice d = new BrittleDevice();
    for (int i = 0; i < 3; i++) d.allocate(16);
    DeviceException e = assertThrows(DeviceException.class, d::close);
    List<String> frees = d.calls.stream().filter(c -> c.startsWith("free")).sorted().toList();
    assertEquals(
        List.of("free 1", "free 2", "free 3"), frees, "every buffer is freed despite buffer 2");
    assertEquals("prepare", d.calls.get(0));
    assertTrue(d.calls.containsAll(List.of("cublasDestroy", "release")), d.calls.toString());
    String m = e.getMessage();
    assertTrue(
        m.startsWith("closing brittle device: 3 of 7 steps failed (every step was run):"), m);
    assertTrue(m.contains("cuStreamSynchronize (at close) failed"), m);
    assertTrue(m.contains("cuMemFree failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)"), m);
    assertTrue(m.contains("cublasDestroy failed: CUBLAS_STATUS_INTERNAL_ERROR (14)"), m);
    assertEquals(2, e.getSuppressed().length);
    assertTrue(d.isClosed());
    d.close(); // idempotent: nothing runs again
    assertEquals(1, d.calls.stream().filter("release"::equals).count());
    assertThrows(IllegalStateException.class, () -> d.allocate(4));
  }
}
