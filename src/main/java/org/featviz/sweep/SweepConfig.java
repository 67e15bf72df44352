package org.featviz.sweep;

import java.util.List;
import java.util.Locale;
import org.featviz.Model;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.ImageRegularizer;
import org.featviz.render.RenderOptions;

/**
 * What a sweep does, stored as {@code sweep.json} in its output folder: resuming with different settings would mix
 * incomparable images, so a sweep refuses to resume into a folder made with other ones. The settings are everything
 * that changes a unit's image: the objective and optimization, the input normalization, the math mode of the
 * backend (FP32 results agree between the CPU and a GPU to float rounding, so a sweep may move between them; TF32 or
 * half precision results do not), and the batch size only where a term couples the batch (diversity): otherwise
 * each unit's image is independent of its batch.
 *
 * @param math the math mode in lower case: fp32, tf32, ...
 * @param batch the units per launch where batch terms are present, else null
 */
public record SweepConfig(String model, List<String> layers, String units, String objective, int steps, long seed,
    String param, double decay, double learningRate, String transforms, List<String> regularizers,
    List<String> batchTerms, Integer batch, List<Float> mean, List<Float> std, String math) {

  /** The settings of a sweep of {@code model} with these options. */
  static SweepConfig of(Model model, List<String> layers, String units, String objective, RenderOptions options,
      int batch) {
    List<String> batchTerms = options.batchTerms().stream().map(BatchObjective::describe).toList();
    return new SweepConfig(model.file().getFileName().toString(), layers, units, objective, options.steps(),
        options.seed(), options.param(), options.decay(), options.learningRate(), options.transforms().describe(),
        options.regularizers().stream().map(ImageRegularizer::describe).toList(), batchTerms,
        batchTerms.isEmpty() ? null : batch, boxed(model.normalization().mean()),
        boxed(model.normalization().std()), model.mathMode().name().toLowerCase(Locale.ROOT));
  }

  private static List<Float> boxed(float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) boxed[i] = values[i];
    return List.of(boxed);
  }
}
