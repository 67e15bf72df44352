package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUresult;
import org.featviz.device.DeviceException;
import org.featviz.device.Teardown;
import org.junit.jupiter.api.Test;

/**
 * CudaDevice's close order, with steps that fail on demand: every handle is let go whatever fails
 * before it.
 */
class CudaTeardownTest {
  /**
   * Records each call; a step listed in {@code statuses} returns that status (or throws, for the
   * libraries).
   */
  private static final class FakeSteps implements CudaTeardown.Steps {
    final List<String> calls = new ArrayList<>();
    final Map<String, Integer> statuses = new HashMap<>();
    boolean librariesThrow;

    private int call(String name) {
      calls.add(name);
      return statuses.getOrDefault(name, CUresult.CUDA_SUCCESS);
    }

    @Override
    public int setCurrent() {
      return call("setCurrent");
    }

    @Override
    public int synchronize() {
      return call("synchronize");
    }

    @Override
    public void closeLibraries() {
      calls.add("closeLibraries");
      if (librariesThrow)
        throw new DeviceException(
            "cudnnDestroy failed: CUDNN_STATUS_EXECUTION_FAILED (5000, cuDNN 9)");
    }

    @Override
    public List<String> modules() {
      return List.of("adam", "reduce", "transform");
    }

    @Override
    public int unloadModule(String module) {
      return call("unload " + module);
    }

    @Override
    public int destroyStream() {
      return call("destroyStream");
    }

    @Override
    public int resetPrimaryContext() {
      return call("reset");
    }

    @Override
    public int releasePrimaryContext() {
      return call("release");
    }
  }

  private static DeviceException closeWith(FakeSteps steps) {
    Teardown t = new Teardown("closing the fake GPU");
    boolean sticky = CudaTeardown.prepare(steps, t);
    t.run("freeing buffers", () -> {});
    CudaTeardown.finish(steps, t, sticky);
    try {
      t.finish();
      return null;
    } catch (DeviceException e) {
      return e;
    }
  }

  @Test
  void aCleanCloseReleasesEverythingAndResetsNothing() {
    FakeSteps steps = new FakeSteps();
    assertEquals(null, closeWith(steps));
    assertEquals(
        List.of(
            "setCurrent",
            "synchronize",
            "closeLibraries",
            "unload adam",
            "unload reduce",
            "unload transform",
            "destroyStream",
            "release"),
        steps.calls);
  }

  @Test
  void afterAStickyFaultEveryStepStillRunsTheContextIsResetAndEveryErrorIsReported() {
    FakeSteps steps = new FakeSteps();
    steps.statuses.put("synchronize", CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
    steps.statuses.put("unload reduce", CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
    steps.statuses.put("destroyStream", CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
    steps.librariesThrow = true;
    DeviceException e = closeWith(steps);
    assertEquals(
        List.of(
            "setCurrent",
            "synchronize",
            "closeLibraries",
            "unload adam",
            "unload reduce",
            "unload transform",
            "destroyStream",
            "reset",
            "release"),
        steps.calls);
    String m = e.getMessage();
    assertTrue(m.startsWith("closing the fake GPU: 4 of "), m);
    assertTrue(
        m.contains(
            "cuStreamSynchronize (at close; a kernel or library call launched earlier failed) failed:"
                + " CUDA_ERROR_ILLEGAL_ADDRESS (700); the context is unusable"),
        m);
    assertTrue(m.contains("cudnnDestroy failed: CUDNN_STATUS_EXECUTION_FAILED"), m);
    assertTrue(m.contains("cuModuleUnload(ptx/reduce.ptx) failed"), m);
    assertTrue(m.contains("cuStreamDestroy failed"), m);
    assertFalse(m.contains("cuDevicePrimaryCtxReset"), "the reset itself succeeded: " + m);
    assertEquals(
        3,
        e.getSuppressed().length,
        "one cause and the other three failures as suppressed exceptions");
  }

  @Test
  void aStickyErrorSeenOnlyLaterStillResetsTheContext() {
    FakeSteps steps = new FakeSteps();
    steps.statuses.put("destroyStream", CUresult.CUDA_ERROR_LAUNCH_FAILED);
    DeviceException e = closeWith(steps);
    assertTrue(steps.calls.contains("reset"), steps.calls.toString());
    assertEquals("release", steps.calls.get(steps.calls.size() - 1));
    assertTrue(e.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED"), e.getMessage());
  }

  @Test
  void anOrdinaryErrorReleasesButDoesNotReset() {
    FakeSteps steps = new FakeSteps();
    steps.statuses.put("unload adam", CUresult.CUDA_ERROR_INVALID_HANDLE);
    steps.statuses.put("release", CUresult.CUDA_ERROR_INVALID_CONTEXT);
    DeviceException e = closeWith(steps);
    assertFalse(steps.calls.contains("reset"), steps.calls.toString());
    assertTrue(
        steps.calls.contains("unload transform"),
        "the modules after the failing one are unloaded too");
    assertTrue(
        e.getMessage().contains("cuDevicePrimaryCtxRelease failed: CUDA_ERROR_INVALID_CONTEXT"),
        e.getMessage());
  }

  @Test
  void stickyCodesAreThoseThatPoisonTheContext() {
    assertTrue(CudaException.isSticky(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS));
    assertTrue(CudaException.isSticky(CUresult.CUDA_ERROR_ASSERT));
    assertFalse(CudaException.isSticky(CUresult.CUDA_ERROR_OUT_OF_MEMORY));
    assertFalse(CudaException.isSticky(CUresult.CUDA_ERROR_INVALID_VALUE));
    assertThrows(
        CudaException.class,
        () -> CudaStatus.check(CUresult.CUDA_ERROR_INVALID_VALUE, "cuMemAlloc"));
  }
}
