package org.featviz.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An --input-shape value: the size of one image, C,H,W such as "3,224,224" (or "3x224x224"), or
 * N,C,H,W with the batch first. One value holding all dimensions: picocli would read an array-typed
 * option as several values and convert each on its own.
 */
record ShapeOption(long[] dims) {
  /** The dimensions of an option that may be absent (null: the model's own input shape). */
  static long[] dims(ShapeOption option) {
    return option == null ? null : option.dims().clone();
  }

  /** Parses the option's text; picocli reports a failure as a usage error naming the value. */
  static final class Converter implements ITypeConverter<ShapeOption> {
    @Override
    public ShapeOption convert(String value) {
      String[] parts = value.trim().split("[,x ]+");
      long[] dims = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          dims[i] = Long.parseLong(parts[i]);
        } catch (NumberFormatException e) {
          throw new TypeConversionException(
              "'" + value + "' is not a shape like 3,224,224 (C,H,W)");
        }
        if (dims[i] <= 0)
          throw new TypeConversionException("'" + value + "': dimensions must be positive");
      }
      return new ShapeOption(dims);
    }
  }
}
