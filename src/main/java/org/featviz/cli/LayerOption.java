package org.featviz.cli;

import org.featviz.ir.ModelException;
import picocli.CommandLine.Model.CommandSpec;

/** render's {@code --layer}, also spelled {@code --layers} as in sweep: one layer all the same. */
final class LayerOption {
  private LayerOption() {}

  /** Refuses a list of layers ({@code --layers relu1,relu2}), naming the option as it was typed. */
  static void checkOne(CommandSpec spec, String layer) {
    if (!layer.contains(",")) return;
    String flag =
        spec.commandLine().getParseResult().originalArgs().stream()
                .anyMatch(a -> a.equals("--layers") || a.startsWith("--layers="))
            ? "--layers"
            : "--layer";
    throw new ModelException(
        flag + " " + layer + ": render takes one layer (featviz sweep takes several)");
  }
}
