package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** Every op through the device plan on a GPU, against the CPU executor; skipped where there is none. */
@Tag("gpu")
class DevicePlanOpsGpuTest extends DevicePlanOpsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
