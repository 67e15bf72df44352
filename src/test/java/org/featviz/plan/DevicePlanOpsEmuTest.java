package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** Every op through the device plan on the host emulator, against the CPU executor (CI). */
class DevicePlanOpsEmuTest extends DevicePlanOpsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
