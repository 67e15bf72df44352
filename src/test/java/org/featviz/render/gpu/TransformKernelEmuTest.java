package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The transform kernels on the host emulator (CI). */
class TransformKernelEmuTest extends TransformKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
