package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The whitened objectives' kernels and GEMMs on the host emulator (CI). */
class WhitenedObjectiveEmuTest extends WhitenedObjectiveCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
