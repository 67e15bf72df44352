package org.featviz.cli;


import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/** {@code featviz render/sweep --device gpu} against the CPU on a GPU; skipped where there is none. */
@Tag("gpu")
class RenderDeviceGpuTest extends RenderDeviceCases {
  @BeforeEach
  void needsAGpu() {
    org.featviz.device.DeviceTesting.assumeGpu();
  }

  @Override
  protected String device() {
    return "gpu";
  }
}
