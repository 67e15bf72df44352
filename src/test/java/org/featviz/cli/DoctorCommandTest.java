package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.featviz.cuda.CudaDevice;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code featviz doctor}: says clearly that there is no GPU and exits 1; on a GPU host (tag gpu) it
 * passes.
 */
class DoctorCommandTest {
  @Test
  void withoutAGpuItSaysSoAndExitsOne() {
    assumeFalse(CudaDevice.isAvailable(), "this machine has a GPU");
    CliRunner r = CliRunner.run("doctor");
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("GPU: none usable"), r.out());
    assertTrue(r.out().contains(CudaDevice.unavailableReason()), r.out());
  }

  @Test
  @Tag("gpu")
  void onAGpuItReportsTheStackAndPassesTheConvolutionCheck() {
    org.featviz.device.DeviceTesting.assumeGpu();
    CliRunner r = CliRunner.run("doctor");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    for (String line :
        new String[] {
          "GPU:", "compute capability:", "memory:", "driver:", "cuBLAS:", "cuDNN:", "conv check:"
        }) {
      assertTrue(r.out().contains(line), "missing '" + line + "' in:\n" + r.out());
    }
    assertTrue(r.out().contains(": ok"), r.out());
  }
}
