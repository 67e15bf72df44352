package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The render bookkeeping kernels on the host emulator (CI). */
class RenderKernelEmuTest extends RenderKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
