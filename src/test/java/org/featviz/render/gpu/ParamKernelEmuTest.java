package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The param kernels on the host emulator (CI). */
class ParamKernelEmuTest extends ParamKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
