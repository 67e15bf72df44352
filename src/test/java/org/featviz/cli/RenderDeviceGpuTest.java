package org.featviz.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.featviz.cuda.CudaDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/** {@code featviz render/sweep --device gpu} against the CPU on a GPU; skipped where there is none. */
@Tag("gpu")
class RenderDeviceGpuTest extends RenderDeviceCases {
  @BeforeEach
  void needsAGpu() {
    assumeTrue(CudaDevice.isAvailable(), "no CUDA driver or GPU on this machine");
  }

  @Override
  protected String device() {
    return "gpu";
  }
}
