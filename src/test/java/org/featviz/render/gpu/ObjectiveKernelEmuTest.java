package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The objective kernels on the host emulator (CI). */
class ObjectiveKernelEmuTest extends ObjectiveKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
