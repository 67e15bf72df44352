package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featviz sweep} with a whitened objective and a layer penalty: one whitening estimated per
 * layer and run (none when a resume finds nothing left to do), the whitening's images and the
 * penalties pinned in sweep.json so that a resume with other ones is refused, and an unknown
 * penalty layer named with its option.
 */
class WhitenedSweepCommandTest {
  @TempDir Path tmp;

  private static String[] sweep(Path out, String objective, String penalty) {
    return new String[] {
      "sweep",
      "--model",
      BundledModels.path("fashion-cnn").toString(),
      "--layers",
      "relu1,relu2",
      "--units",
      "0-1",
      "--objective",
      objective,
      "--penalty",
      penalty,
      "--steps",
      "2",
      "--batch",
      "3",
      "--transforms",
      "none",
      "--device",
      "cpu",
      "--out",
      out.toString()
    };
  }

  private static long count(String text, String part) {
    return text.lines().filter(l -> l.contains(part)).count();
  }

  @Test
  void aWhitenedSweepEstimatesOncePerLayerAndPinsItsSettings() throws Exception {
    TestData.require(FashionMnist.defaultDir(), FashionMnist.DEBIAN_PACKAGE);
    Path out = tmp.resolve("sweep");
    CliRunner first = CliRunner.run(sweep(out, "whitened-cosine:images=200", "relu1:l1:0.05"));
    assertEquals(0, first.exitCode(), first.err());
    assertEquals(
        1,
        count(
            first.err(),
            "whitening of relu1 estimated from 200 fashion-mnist/t10k images: 156800"
                + " samples of 64 units, 20000 kept"),
        first.err());
    assertEquals(1, count(first.err(), "whitening of relu2 estimated from 200"), first.err());
    List<String> rows = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(5, rows.size(), "a header and 2 units of 2 layers");
    assertTrue(
        rows.get(1).contains("whitenedCosine(relu1")
            && rows.get(1).contains("layerPenalty(relu1, L1, 0.05)"),
        rows.get(1));
    String objective =
        JsonParser.parseString(Files.readString(out.resolve("sweep.json")))
            .getAsJsonObject()
            .get("objective")
            .getAsString();
    assertEquals(
        "whitened-cosine:images=200 [whitening from the first 200 fashion-mnist test images] + penalty"
            + " relu1:l1:0.05",
        objective);

    CliRunner again = CliRunner.run(sweep(out, "whitened-cosine:images=200", "relu1:l1:0.05"));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().contains("resuming: 4 of 4 units already done"), again.out());
    assertFalse(
        again.err().contains("whitening of"),
        "nothing left to do, nothing estimated: " + again.err());

    CliRunner images = CliRunner.run(sweep(out, "whitened-cosine:images=300", "relu1:l1:0.05"));
    assertEquals(2, images.exitCode(), images.out());
    assertTrue(
        images.err().contains("other settings") && images.err().contains("images=300"),
        images.err());
    assertFalse(
        images.err().contains("whitening of"), "refused before estimating: " + images.err());

    CliRunner penalty = CliRunner.run(sweep(out, "whitened-cosine:images=200", "relu1:l2:0.05"));
    assertEquals(2, penalty.exitCode(), penalty.out());
    assertTrue(
        penalty.err().contains("penalty relu1:l1:0.05\" there")
            && penalty.err().contains("penalty relu1:l2:0.05\" now"),
        penalty.err());
    assertEquals(
        5, Files.readAllLines(out.resolve("results.csv")).size(), "a refused resume adds nothing");
  }

  @Test
  void anUnknownPenaltyLayerNamesTheOptionAndWritesNothing() {
    Path out = tmp.resolve("bad");
    CliRunner r = CliRunner.run(sweep(out, "channel", "relu9:l2:0.1"));
    assertEquals(2, r.exitCode(), r.out());
    assertTrue(
        r.err().contains("--penalty 'relu9:l2:0.1': ")
            && r.err().contains("unknown layer 'relu9'")
            && r.err().contains("relu1, conv2"),
        r.err());
    assertFalse(Files.exists(out.resolve("sweep.json")), "nothing written");
  }
}
