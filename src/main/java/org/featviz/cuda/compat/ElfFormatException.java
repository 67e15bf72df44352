package org.featviz.cuda.compat;

import java.io.IOException;

/**
 * A file is not what {@link ElfSymbols} reads: not ELF, not ELF64 little-endian, not built for
 * x86-64, not a shared object, or truncated or inconsistent inside. The message names the file and
 * what is wrong with it.
 */
public class ElfFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public ElfFormatException(String source, String problem) {
    super(source + ": " + problem);
  }
}
