package org.featviz.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.featviz.BundledModels;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;

/**
 * A plan that does not fit in device memory is refused before allocating, naming the batch that
 * would fit.
 */
class DeviceMemoryTest {
  private static Graph cnn(int batch) {
    return Prepare.forRun(
        OnnxImporter.read(BundledModels.path("fashion-cnn")),
        new long[] {batch, 1, 28, 28},
        List.of("relu4"));
  }

  @Test
  void aBatchTooLargeForTheDeviceIsAClearError() {
    long needOne;
    try (EmulatedDevice roomy = new EmulatedDevice();
        DevicePlan one = DevicePlan.lower(roomy, cnn(1), List.of("relu4"), List.of("input"))) {
      needOne = one.peakDeviceBytes();
    }
    long limit = needOne * 6;
    try (EmulatedDevice small = new EmulatedDevice(limit)) {
      ModelException e =
          assertThrows(
              ModelException.class,
              () -> DevicePlan.lower(small, cnn(64), List.of("relu4"), List.of("input")));
      assertTrue(e.getMessage().contains("a batch of 64 needs"), e.getMessage());
      Matcher m = Pattern.compile("a batch of at most (\\d+) fits").matcher(e.getMessage());
      assertTrue(m.find(), e.getMessage());
      int fits = Integer.parseInt(m.group(1));
      assertTrue(fits >= 1 && fits < 64, e.getMessage());
      assertEquals(limit, small.freeMemoryBytes(), "nothing stays allocated after the refusal");
      // The batch the message names does fit.
      try (DevicePlan ok = DevicePlan.lower(small, cnn(fits), List.of("relu4"), List.of("input"))) {
        assertTrue(ok.peakDeviceBytes() <= limit);
      }
    }
  }
}
