package org.featviz.device.emu;

import static org.featviz.Literals.ints;
import static org.featviz.Literals.longs;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceContractCases;
import org.featviz.device.OnEmulator;
import org.junit.jupiter.api.Test;

/**
 * The device contract on the host emulator, plus the emulator's own last line of defence in native
 * code.
 */
@OnEmulator
class EmulatedDeviceTest extends DeviceContractCases {
  @Test
  void nativeLaunchChecksArgumentsEvenWhenJavaIsBypassed() {
    try (DeviceBuffer x = device.allocateFloats(64)) {
      int[] dims = {1, 1, 1, 32, 1, 1};
      var wrong =
          assertThrows(
              IllegalArgumentException.class,
              () -> EmuNative.launch("row_sum", dims, 0, "pi", longs(x.address(), 3)));
      assertTrue(
          wrong.getMessage().contains("'row_sum' takes 4 arguments (ptr, ptr, i32, i32)"),
          wrong.getMessage());
      var unknown =
          assertThrows(
              IllegalArgumentException.class,
              () -> EmuNative.launch("rowsum", dims, 0, "", new long[0]));
      assertTrue(
          unknown.getMessage().contains("known kernels:")
              && unknown.getMessage().contains("row_sum"),
          unknown.getMessage());
    }
  }

  @Test
  void nativeLaunchRejectsOversizedBlocksEvenWhenJavaIsBypassed() {
    var e =
        assertThrows(
            org.featviz.device.DeviceException.class,
            () ->
                EmuNative.launch(
                    "row_sum", ints(1, 1, 1, 2048, 1, 1), 0, "ppii", longs(0, 0, 0, 0)));
    assertTrue(e.getMessage().contains("at most 1024"), e.getMessage());
  }
}
