package org.featviz.device;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of test classes that run one set of cases on each {@link Device}: a subclass per device says which (an
 * emulator subclass for CI, a {@code @Tag("gpu")} subclass that skips without a GPU), and gets a fresh device per
 * test, closed after it.
 */
public abstract class DeviceCases {
  protected Device device;

  protected abstract Device openDevice();

  @BeforeEach
  void openTheDevice() {
    device = openDevice();
  }

  @AfterEach
  void closeTheDevice() {
    if (device != null) device.close();
  }
}
