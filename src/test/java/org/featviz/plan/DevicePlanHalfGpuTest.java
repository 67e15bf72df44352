package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** fashion-cnn in BF16 and FP16 through the device plan on a GPU, against the CPU; skipped where there is none. */
@Tag("gpu")
class DevicePlanHalfGpuTest extends DevicePlanHalfCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
