package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The objective seeds of the device render loop on the host emulator against the CPU (CI). */
class DeviceObjectivesEmuTest extends DeviceObjectivesCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
