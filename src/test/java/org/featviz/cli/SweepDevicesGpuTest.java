package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.DeviceTesting;
import org.featviz.device.OnGpu;
import org.featviz.onnx.TinyModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featviz sweep --devices} on real GPUs: every GPU of the host gives the rows one GPU gives
 * (the same units, seeds and statuses, FP32 values to float rounding), each row naming its GPU; an
 * ordinal the host lacks is refused. Skipped without a GPU; the sharing itself needs two.
 */
@OnGpu
class SweepDevicesGpuTest {
  @TempDir Path tmp;

  @BeforeEach
  void gpu() {
    DeviceTesting.assumeGpu();
  }

  private CliRunner sweep(Path out, String... devices) {
    Path model = TinyModels.convRelu(tmp.resolve("m.onnx"), 8, TinyModels.sines(6 * 9));
    return CliRunner.line(
        "sweep --model {} --layers relu1 --batch 1 --steps 8 --math fp32 --out {} "
            + String.join(" ", devices),
        model,
        out);
  }

  private static List<JsonObject> rows(Path out) throws Exception {
    return Files.readAllLines(out.resolve("results.jsonl")).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject())
        .toList();
  }

  @Test
  void everyGpuGivesTheRowsOfOne() throws Exception {
    int gpus = CudaDevice.count();
    CliRunner beyond = sweep(tmp.resolve("beyond"), "--devices", "0," + gpus);
    assertEquals(2, beyond.exitCode(), beyond.err());
    assertTrue(beyond.err().contains("there is no GPU " + gpus), beyond.err());
    Assumptions.assumeTrue(gpus >= 2, "one GPU: nothing to share");

    CliRunner one = sweep(tmp.resolve("one"), "--device", "gpu");
    assertEquals(0, one.exitCode(), one.err());
    CliRunner all = sweep(tmp.resolve("all"), "--devices", "all");
    assertEquals(0, all.exitCode(), all.err());
    assertTrue(all.out().contains(gpus + " workers: "), all.out());
    List<JsonObject> a = rows(tmp.resolve("one"));
    List<JsonObject> b = rows(tmp.resolve("all"));
    assertEquals(6, a.size());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      for (String same : List.of("layer", "unit", "seed", "status", "steps"))
        assertEquals(a.get(i).get(same), b.get(i).get(same), same + " of row " + i);
      double x = a.get(i).get("objective_value").getAsDouble();
      double y = b.get(i).get("objective_value").getAsDouble();
      assertEquals(x, y, 1e-3 * Math.max(1, Math.abs(x)), "row " + i);
      assertTrue(
          b.get(i).get("backend").getAsString().contains("(CUDA device "), b.get(i).toString());
    }
  }
}
