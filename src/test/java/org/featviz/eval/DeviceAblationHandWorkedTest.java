package org.featviz.eval;

import java.nio.file.Path;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.model.InputNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeviceAblation} on the emulated device against answers worked out by hand ({@link
 * HandWorkedAblation}, as {@link AblationTest} and {@link AblationReferenceTest} check the CPU's):
 * two pixels through identity weights and a ReLU, units zeroed or set to a mean; a skip connection
 * past the ablated layer that reads the graph input (the frontier holds the input beside the
 * layer).
 */
class DeviceAblationHandWorkedTest {
  @TempDir Path tmp;

  private static final InputNormalization ID = InputNormalization.identity();

  @Test
  void twoPixelsGiveTheHandWorkedAccuracyAndLoss() {
    try (EmulatedDevice device = new EmulatedDevice()) {
      for (int perForward : new int[] {1, 3, 0}) {
        HandWorkedAblation.assertTwoPixels(
            tmp,
            (g, sets, data, r, means, batch) ->
                DeviceAblation.run(
                    device, g, "h", sets, data, ID, r, means, 4, batch, perForward, n -> {}),
            perForward + " sets per forward");
      }
    }
  }

  @Test
  void aSkipThatReadsTheInputIsFedBesideTheLayer() {
    try (EmulatedDevice device = new EmulatedDevice()) {
      HandWorkedAblation.assertSkip(
          tmp,
          (g, sets, data, r, means, batch) ->
              DeviceAblation.run(device, g, "h", sets, data, ID, r, means, 4, batch, 2, n -> {}),
          "skip model");
    }
  }
}
