package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The kernels of cuda/pointwise.cu on the host emulator (CI). */
class PointwiseKernelEmuTest extends PointwiseKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
