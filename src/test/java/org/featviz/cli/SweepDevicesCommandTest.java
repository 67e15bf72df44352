package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.backend.Backend;
import org.featviz.backend.DeviceSet;
import org.featviz.ir.ModelException;
import org.featviz.onnx.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featviz sweep --devices}: several workers give what one gives, and a bad device set is
 * refused in one line, exit 2, before the output folder is touched.
 */
class SweepDevicesCommandTest {
  @TempDir Path tmp;

  private String[] sweep(Path out, String... more) {
    Path model = TinyModels.convRelu(tmp.resolve("m.onnx"), 6, TinyModels.sines(4 * 9));
    List<String> args =
        new ArrayList<>(
            List.of(
                "sweep",
                "--model",
                model.toString(),
                "--layers",
                "relu1",
                "--batch",
                "1",
                "--steps",
                "3",
                "--math",
                "fp32",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void twoCpuWorkersWriteTheResultsOfOne() throws Exception {
    CliRunner one = CliRunner.run(sweep(tmp.resolve("one"), "--device", "cpu"));
    assertEquals(0, one.exitCode(), one.err());
    CliRunner two = CliRunner.run(sweep(tmp.resolve("two"), "--devices", "cpu:2"));
    assertEquals(0, two.exitCode(), two.err());
    assertTrue(two.out().contains("2 workers: 2 x cpu"), two.out());
    assertTrue(two.out().contains("4 units in [relu1]"), two.out());
    for (String file : List.of("results.jsonl", "results.csv", "relu1/unit_0003.png")) {
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("one").resolve(file)),
          Files.readAllBytes(tmp.resolve("two").resolve(file)),
          file);
    }
  }

  private void refused(String expected, String... devices) {
    Path out = tmp.resolve("refused");
    CliRunner r = CliRunner.run(sweep(out, devices));
    assertEquals(2, r.exitCode(), r.out() + r.err());
    List<String> lines = r.err().strip().lines().toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).startsWith("featviz: error: " + expected), lines.get(0));
    assertFalse(Files.exists(out), "refused before the output folder is made");
  }

  @Test
  void badDeviceSetsAreRefusedInOneLineBeforeAnyWork() {
    refused("--devices 0,2,0: GPU 0 is named twice", "--devices", "0,2,0");
    refused(
        "--devices emulated:0: the number of workers must be 1 to 64, not 0",
        "--devices",
        "emulated:0");
    refused("--devices cpu:two: expected cpu:N", "--devices", "cpu:two");
    refused("--devices tpu:2: expected all, GPU ordinals", "--devices", "tpu:2");
    refused("--devices : expected all", "--devices", "");
    refused("--devices 0,-1: GPU ordinals start at 0, not -1", "--devices", "0,-1");
    refused(
        "--devices cpu:2 runs on cpu but --device emulated asks for emulated",
        "--devices",
        "cpu:2",
        "--device",
        "emulated");
  }

  @Test
  void gpuOrdinalsAreCheckedAgainstTheHost() {
    assertEquals(
        new DeviceSet(Backend.GPU, List.of(0, 1, 2)),
        DevicesOption.parse("all", "auto", () -> 3, () -> null));
    assertEquals(
        new DeviceSet(Backend.GPU, List.of(2, 0)),
        DevicesOption.parse("gpu:2,0", "gpu", () -> 3, () -> null));
    assertEquals(
        DeviceSet.host(Backend.EMULATED, 3),
        DevicesOption.parse("emulated:3", "emulated", () -> 0, () -> "none"));
    ModelException range =
        assertThrows(
            ModelException.class, () -> DevicesOption.parse("0,5", "auto", () -> 4, () -> null));
    assertEquals(
        "--devices 0,5: there is no GPU 5; this host has 4 GPUs (0-3)", range.getMessage());
    ModelException none =
        assertThrows(
            ModelException.class,
            () ->
                DevicesOption.parse("all", "gpu", () -> 0, () -> "the CUDA driver reports no GPU"));
    assertEquals(
        "--devices all: no usable GPU (the CUDA driver reports no GPU)", none.getMessage());
    ModelException other =
        assertThrows(
            ModelException.class, () -> DevicesOption.parse("0,1", "cpu", () -> 2, () -> null));
    assertTrue(other.getMessage().startsWith("--devices 0,1 runs on GPUs but --device cpu"));
  }
}
