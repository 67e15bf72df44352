package org.featviz.analyze;

import java.nio.file.Path;
import java.util.List;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.UnitResult;

/**
 * Told what {@link UnitAnalysis#run} is doing, in order: the dataset passes, then per image
 * objective a sweep, then each layer statistic, the tables, each ablation curve, the plots and the
 * report. Every method does nothing by default.
 */
public interface AnalysisListener {
  /** The dataset passes measured {@code units} units over {@code images} images. */
  default void datasetPassesDone(int units, int images, String dataset, double seconds) {}

  /**
   * The dataset passes and the ablations run on {@code where}: "cpu", or "gpu (NAME, fp32)" or
   * "emulated (NAME, fp32)" (told before they start).
   */
  default void evaluatedOn(String where) {}

  /**
   * A stage took {@code seconds} of wall time (renders: once per image objective, skipped units of
   * a resumed sweep cost nothing).
   */
  default void timed(AnalysisStage stage, double seconds) {}

  /**
   * The renders of {@code kind} start in {@code folder}: the returned listener follows the sweep.
   */
  default Sweep.Listener rendering(ImageObjective kind, List<String> layers, Path folder) {
    return new Sweep.Listener() {};
  }

  /** The sweep of {@code kind} is complete; {@code results} holds all its units. */
  default void rendered(ImageObjective kind, List<String> layers, List<UnitResult> results) {}

  /** One row of layers.csv is known. */
  default void correlation(LayerRow row) {}

  default void tablesWritten(Path units, Path layers) {}

  /** One cumulative ablation curve is measured. */
  default void ablationCurve(AblationArea area) {}

  default void plotsWritten(Path folder) {}

  default void reportWritten(Path file) {}
}
