package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The device render loop on a GPU against the CPU renderer; skipped where there is none. */
@Tag("gpu")
class DeviceRendererGpuTest extends DeviceRendererCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
