package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.OnEmulator;
import org.junit.jupiter.api.Test;

/**
 * {@code --device} of render and sweep in CI: the emulated device render loop against the CPU (the
 * cases), a clear error for {@code gpu} without a GPU, the CPU fallback note for {@code auto}, and
 * an unknown device name.
 */
@OnEmulator
class RenderDeviceOptionTest extends RenderDeviceCases {
  @Test
  void gpuWithoutAGpuFailsClearly() {
    assumeFalse(CudaDevice.isAvailable(), "this machine has a GPU");
    Path out = tmp.resolve("gpu");
    CliRunner r =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --steps 1 --device gpu --out {}",
            model(),
            out);
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("--device gpu: no usable GPU"), r.err());
    assertTrue(!Files.exists(out.resolve("results.json")), "nothing written");
  }

  @Test
  void autoFallsBackToTheCpuWithANote() {
    assumeFalse(CudaDevice.isAvailable(), "this machine has a GPU");
    Path out = tmp.resolve("auto");
    CliRunner r =
        CliRunner.ok("render --model {} --layer relu1 --unit 0 --steps 1 --out {}", model(), out);
    assertTrue(r.err().contains("no usable GPU") && r.err().contains("CPU backend"), r.err());
    assertTrue(Files.exists(out.resolve("results.json")));
  }

  @Test
  void anUnknownDeviceIsAClearError() {
    CliRunner r =
        CliRunner.line(
            "sweep --model {} --layers relu1 --device tpu --out {}", model(), tmp.resolve("x"));
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(
        r.err().contains("--device tpu") && r.err().contains("auto, cpu, cpu-ref, gpu, emulated"),
        r.err());
  }
}
