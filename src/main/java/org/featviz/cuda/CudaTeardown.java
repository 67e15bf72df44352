package org.featviz.cuda;

import java.util.List;
import jcuda.driver.CUresult;
import org.featviz.device.Teardown;

/**
 * The order in which {@link CudaDevice} lets go of the GPU, written against {@link Steps} so that a
 * test can make any step fail without a GPU (CudaTeardownTest). Every step runs whatever failed
 * before it:
 *
 * <ol>
 *   <li>{@link #prepare}: make the context current, wait for the stream once. After an asynchronous
 *       fault this is where the sticky error shows (CUDA_ERROR_ILLEGAL_ADDRESS, ...); from then on
 *       the buffers are not freed one by one (each cuMemFree would fail the same way), the context
 *       reset below frees them all;
 *   <li>(the device's buffers are freed by AbstractDevice);
 *   <li>{@link #finish}: the cuBLAS and cuDNN handles, every loaded module, the stream; then, if a
 *       sticky error was seen anywhere, {@code cuDevicePrimaryCtxReset} (which destroys every
 *       allocation and resets the context, so the next device opened in this JVM starts clean); and
 *       last {@code cuDevicePrimaryCtxRelease}, which a reset does not do.
 * </ol>
 */
final class CudaTeardown {
  /**
   * What the teardown calls; CudaDevice's implementation makes the driver calls, a test's records
   * them.
   */
  interface Steps {
    int setCurrent();

    int synchronize();

    /** Closes the cuBLAS and cuDNN handles (throws, listing what failed, after trying them all). */
    void closeLibraries();

    /** Names of the loaded PTX modules, in unload order. */
    List<String> modules();

    int unloadModule(String module);

    int destroyStream();

    int resetPrimaryContext();

    int releasePrimaryContext();
  }

  private CudaTeardown() {}

  /** Step 1; returns whether the stream reported a sticky error. */
  static boolean prepare(Steps steps, Teardown teardown) {
    status(teardown, "cuCtxSetCurrent (at close)", steps.setCurrent());
    int sync = steps.synchronize();
    status(
        teardown,
        "cuStreamSynchronize (at close; a kernel or library call launched earlier failed)",
        sync);
    return CudaException.isSticky(sync);
  }

  /** Step 3; {@code sticky} is what {@link #prepare} returned. */
  static void finish(Steps steps, Teardown teardown, boolean sticky) {
    teardown.run("closing the cuBLAS and cuDNN handles", steps::closeLibraries);
    for (String module : steps.modules()) {
      status(teardown, "cuModuleUnload(ptx/" + module + ".ptx)", steps.unloadModule(module));
    }
    status(teardown, "cuStreamDestroy", steps.destroyStream());
    boolean reset =
        sticky
            || teardown.failures().stream()
                .anyMatch(f -> f.error() instanceof CudaException c && c.sticky());
    if (reset)
      status(
          teardown, "cuDevicePrimaryCtxReset (after a sticky error)", steps.resetPrimaryContext());
    status(teardown, "cuDevicePrimaryCtxRelease", steps.releasePrimaryContext());
  }

  private static void status(Teardown teardown, String call, int status) {
    if (status != CUresult.CUDA_SUCCESS)
      teardown.fail(call, new CudaException(CudaStatus.describe(status, call), status));
  }
}
