package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The objective seeds of the device render loop on a GPU against the CPU; skipped where there is none. */
@Tag("gpu")
class DeviceObjectivesGpuTest extends DeviceObjectivesCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
