package org.featviz.cli;

import org.featviz.backend.Backend;
import org.featviz.ir.ModelException;

/** {@code --device auto|cpu|cpu-ref|gpu|emulated}, the backend a command runs on. */
final class DeviceOption {
  private DeviceOption() {}

  static Backend parse(String device) {
    try {
      return Backend.parse(device);
    } catch (ModelException e) {
      throw new ModelException("--device " + device + ": expected " + Backend.NAMES);
    }
  }
}
