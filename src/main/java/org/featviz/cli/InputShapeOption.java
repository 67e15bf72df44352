package org.featviz.cli;

import picocli.CommandLine.Option;

/** The {@code --input-shape} option of every command that opens a model: one declaration. */
final class InputShapeOption {
  @Option(
      names = "--input-shape",
      converter = ShapeOption.Converter.class,
      paramLabel = "SHAPE",
      description =
          "one input image's size where the model's is dynamic: C,H,W, e.g. 3,224,224 (N,C,H,W with N = 1"
              + " also works)")
  ShapeOption value;

  /** The dimensions given, or null for the model's own input shape. */
  long[] dims() {
    return ShapeOption.dims(value);
  }
}
