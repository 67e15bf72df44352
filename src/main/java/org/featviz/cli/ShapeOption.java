package org.featviz.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses --input-shape values such as "1,3,224,224" or "3x224x224". */
final class ShapeOption implements ITypeConverter<long[]> {
  @Override
  public long[] convert(String value) {
    String[] parts = value.trim().split("[,x ]+");
    long[] dims = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        dims[i] = Long.parseLong(parts[i]);
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a shape like 1,3,224,224");
      }
      if (dims[i] <= 0) throw new TypeConversionException("'" + value + "': dimensions must be positive");
    }
    return dims;
  }
}
