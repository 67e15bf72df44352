package org.featviz.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.featviz.BundledModels;
import org.featviz.cpu.CpuExecutor;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.objective.Objectives;
import org.featviz.onnx.OnnxImporter;
import org.featviz.param.ImageParam;
import org.featviz.param.TransformConfig;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;

/**
 * The CPU renderer's Representative Substitution: every recorded step's counts and the final ones
 * against a count by hand (spatial means summed in double, units above and tied) on a forward of
 * the images the probe shows, without transforms so that the render's own forward sees the same
 * input.
 */
class RendererRsTest {
  private static final String LAYER = "relu2";

  private final Graph graph =
      Prepare.forRun(OnnxImporter.read(BundledModels.path("fashion-cnn")), null, List.of(LAYER));
  private final InputNormalization norm =
      InputNormalization.fromMetadata(graph.metadata(), "fashion-cnn");

  private final List<RenderTarget> targets =
      List.of(
          new RenderTarget(Objectives.channel(LAYER, 3), LAYER, 3),
          new RenderTarget(Objectives.iam(LAYER, 7), LAYER, 7),
          RenderTarget.of(Objectives.channel(LAYER, 5)));

  /** {above, ties} of unit u in each image's layer response, counted by hand. */
  private int[][] countByHand(float[][] images) {
    Shape image = RenderSteps.imageShape(graph);
    int batch = images.length;
    float[] x = new float[batch * image.size()];
    for (int b = 0; b < batch; b++)
      System.arraycopy(images[b], 0, x, b * image.size(), image.size());
    Tensor in = Tensor.of(Shape.of(batch, image.dim(0), image.dim(1), image.dim(2)), x);
    Tensor a =
        new CpuExecutor(graph)
            .forward(Map.of(graph.input().name(), norm.apply(in)), List.of(LAYER))
            .get(LAYER);
    int units = a.shape().dim(1);
    int positions = a.shape().size(2, 4);
    int[][] out = new int[batch][];
    for (int b = 0; b < batch; b++) {
      float[] mean = new float[units];
      for (int j = 0; j < units; j++) {
        double s = 0;
        for (int p = 0; p < positions; p++) s += a.data()[(b * units + j) * positions + p];
        mean[j] = (float) (s / positions);
      }
      RenderTarget t = targets.get(b);
      if (!t.hasUnit()) continue;
      int above = 0;
      int ties = 0;
      for (int j = 0; j < units; j++) {
        if (j == t.unit()) continue;
        if (mean[j] > mean[t.unit()]) above++;
        if (mean[j] == mean[t.unit()]) ties++;
      }
      out[b] = new int[] {above, ties};
    }
    return out;
  }

  @Test
  void everyRecordedStepAndTheFinalImageAreCountedAsByHand() {
    RenderOptions o =
        RenderOptions.defaults().withSteps(9).withTransforms(TransformConfig.none()).withRsEvery(4);
    List<float[][]> params = new ArrayList<>();
    List<RenderResult> results =
        new Renderer(graph, norm, o).render(targets, s -> {}, (s, p) -> params.add(p));
    ImageParam param = RenderSteps.imageParam(o, RenderSteps.imageShape(graph));
    int[] recorded = {0, 4, 8};
    for (int b = 0; b < 2; b++) {
      assertEquals(recorded.length, results.get(b).rsTrajectory().size(), "points of image " + b);
    }
    for (int k = 0; k < recorded.length; k++) {
      int step = recorded[k];
      float[][] images = new float[targets.size()][];
      for (int b = 0; b < images.length; b++) {
        images[b] = new float[RenderSteps.imageShape(graph).size()];
        param.toImage(params.get(step)[b], images[b]);
      }
      int[][] expected = countByHand(images);
      for (int b = 0; b < 2; b++) {
        RenderResult.RsPoint point = results.get(b).rsTrajectory().get(k);
        assertEquals(step, point.step(), "image " + b);
        assertEquals(
            expected[b][0], point.counts().above(), "above, image " + b + ", step " + step);
        assertEquals(expected[b][1], point.counts().ties(), "ties, image " + b + ", step " + step);
        assertEquals(64, point.counts().units());
      }
    }
    float[][] finals = new float[targets.size()][];
    for (int b = 0; b < finals.length; b++) finals[b] = results.get(b).image();
    int[][] expected = countByHand(finals);
    for (int b = 0; b < 2; b++) {
      RenderResult r = results.get(b);
      assertNotNull(r.rs(), "final RS of image " + b);
      assertEquals(expected[b][0], r.rs().above(), "final above, image " + b);
      assertEquals(expected[b][1], r.rs().ties(), "final ties, image " + b);
    }
    // A channel objective climbs above most units: its RS falls from the start.
    RenderResult channel = results.get(0);
    assertTrue(
        channel.rs().above() < channel.rsTrajectory().get(0).counts().above(),
        "channel 3: " + channel.rsTrajectoryText() + " then " + channel.rs());
    RenderResult noUnit = results.get(2);
    assertNull(noUnit.rs(), "a target without a unit has no RS");
    assertTrue(noUnit.rsTrajectory().isEmpty());
  }

  @Test
  void rsEveryZeroRecordsNoTrajectoryButTheFinalCount() {
    RenderOptions o =
        RenderOptions.defaults().withSteps(2).withTransforms(TransformConfig.none()).withRsEvery(0);
    List<RenderResult> results =
        new Renderer(graph, norm, o).render(targets.subList(0, 1), s -> {});
    assertTrue(results.get(0).rsTrajectory().isEmpty());
    assertEquals("", results.get(0).rsTrajectoryText());
    assertNotNull(results.get(0).rs());
    assertEquals(16, RenderOptions.defaults().rsEvery(), "the default");
    assertThrows(IllegalArgumentException.class, () -> RenderOptions.defaults().withRsEvery(-1));
  }

  @Test
  void theTrajectoryTextIsCompact() {
    RenderResult r =
        new RenderResult(
            targets.get(0),
            new float[1],
            Shape.of(1, 1, 1),
            RenderResult.Status.OK,
            1,
            1,
            0,
            32,
            new org.featviz.analysis.RepresentativeSubstitution(1, 0, 64),
            List.of(
                new RenderResult.RsPoint(
                    0, new org.featviz.analysis.RepresentativeSubstitution(34, 2, 64)),
                new RenderResult.RsPoint(
                    16, new org.featviz.analysis.RepresentativeSubstitution(1, 0, 3))));
    assertEquals("0:0.5313;16:0.3333", r.rsTrajectoryText());
  }
}
