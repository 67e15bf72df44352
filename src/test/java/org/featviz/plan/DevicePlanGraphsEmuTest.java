package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** Whole small graphs through the device plan on the host emulator, against the CPU executor (CI). */
class DevicePlanGraphsEmuTest extends DevicePlanGraphsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
