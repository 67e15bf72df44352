package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * CudaDevice.isAvailable answers on every machine, and never throws: CI machines have no driver.
 */
class CudaAvailabilityTest {
  @Test
  void isAvailableNeverThrowsAndIsStable() {
    boolean first = assertDoesNotThrow(CudaDevice::isAvailable);
    assertEquals(first, CudaDevice.isAvailable());
    if (!Files.exists(Path.of("/dev/nvidiactl")))
      assertFalse(first, "no NVIDIA device node, yet CUDA is available");
  }
}
