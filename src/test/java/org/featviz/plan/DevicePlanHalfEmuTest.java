package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** fashion-cnn in BF16 and FP16 through the device plan on the host emulator (CI). */
class DevicePlanHalfEmuTest extends DevicePlanHalfCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
