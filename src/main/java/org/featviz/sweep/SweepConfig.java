package org.featviz.sweep;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.featviz.Model;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.ImageRegularizer;
import org.featviz.render.RenderOptions;

/**
 * What a sweep does, stored as {@code sweep.json} in its output folder: resuming with different
 * settings would mix incomparable images, so a sweep refuses to resume into a folder made with
 * other ones. The settings are everything that changes a unit's image: the objective and
 * optimization, the input normalization, the math mode of the backend (FP32 results agree between
 * the CPU and a GPU to float rounding, so a sweep may move between them; TF32 or half precision
 * results do not), and the batch size only where a term couples the batch (diversity): otherwise
 * each unit's image is independent of its batch.
 *
 * <p>The model is the SHA-256 of its file's bytes: another network saved under the same name is
 * another model, a copy of the same file elsewhere or under another name the same one. The file
 * name is recorded too, for people and for sweep.json files of earlier versions, which lack the
 * hash: those resume with a model of the same file name, whose hash is then recorded.
 *
 * @param modelSha256 the SHA-256 of the model file in lower-case hex (null in sweep.json files of
 *     earlier versions)
 * @param math the math mode in lower case: fp32, tf32, ...
 * @param batch the units per launch where batch terms are present, else null
 * @param inputShape the input shape the model runs at where its own is dynamic (the user's
 *     --input-shape), else null: a resume at another size would mix image sizes
 */
public record SweepConfig(
    String model,
    String modelSha256,
    List<String> layers,
    String units,
    String objective,
    int steps,
    long seed,
    String param,
    double decay,
    double learningRate,
    String transforms,
    List<String> regularizers,
    List<String> batchTerms,
    Integer batch,
    List<Float> mean,
    List<Float> std,
    String math,
    List<Integer> inputShape) {

  /** The settings of a sweep of {@code model} with these options. */
  static SweepConfig of(
      Model model,
      List<String> layers,
      String units,
      String objective,
      RenderOptions options,
      int batch) {
    List<String> batchTerms = options.batchTerms().stream().map(BatchObjective::describe).toList();
    return new SweepConfig(
        model.file().getFileName().toString(),
        sha256(model.file()),
        layers,
        units,
        objective,
        options.steps(),
        options.seed(),
        options.param(),
        options.decay(),
        options.learningRate(),
        options.transforms().describe(),
        options.regularizers().stream().map(ImageRegularizer::describe).toList(),
        batchTerms,
        batchTerms.isEmpty() ? null : batch,
        boxed(model.normalization().mean()),
        boxed(model.normalization().std()),
        model.mathMode().name().toLowerCase(Locale.ROOT),
        dynamicInput(model));
  }

  /**
   * The shape the model runs at, where its declared input has a dynamic dimension other than the
   * batch; else null.
   */
  private static List<Integer> dynamicInput(Model model) {
    long[] declared = model.graph().input().dims();
    for (int i = 1; i < declared.length; i++) {
      if (declared[i] < 0)
        return java.util.Arrays.stream(model.inputShape().dims()).boxed().toList();
    }
    return null;
  }

  /** The SHA-256 of a file's bytes in lower-case hex. */
  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java has no SHA-256", e);
    }
  }

  private static List<Float> boxed(float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) boxed[i] = values[i];
    return List.of(boxed);
  }
}
