package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The Conv + bias + ReLU fusion on the host emulator. */
class ConvReluFusionEmuTest extends ConvReluFusionCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
