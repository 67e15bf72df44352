package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The device render loop on the host emulator against the CPU renderer (CI; not a GPU verification). */
class DeviceRendererEmuTest extends DeviceRendererCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
