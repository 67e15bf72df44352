package org.featviz.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.featviz.ir.ModelException;

/**
 * Checks an {@code --out} folder before any work starts: it is created if missing, and must be a
 * folder that this process can write, so that a render or sweep never fails on its first write
 * after minutes of optimization.
 */
final class OutputFolder {
  private OutputFolder() {}

  /**
   * Creates {@code out} where missing and checks that files can be written there; the flag names
   * the option.
   */
  static Path prepare(String flag, Path out) {
    for (Path p = out.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p) && !Files.isDirectory(p)) {
        throw new ModelException(
            flag
                + " "
                + out
                + ": "
                + (p.equals(out.toAbsolutePath())
                    ? "is a file, not a folder"
                    : p + " is a file, not a folder"));
      }
      if (Files.isDirectory(p)) break;
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new ModelException(
          flag + " " + out + ": cannot create the folder (" + Main.describe(e) + ")");
    }
    // Files.isWritable answers from permission bits; a probe file also catches read-only file
    // systems and ACLs.
    Path probe = null;
    try {
      if (!Files.isWritable(out)) throw new IOException("permission denied");
      probe = Files.createTempFile(out, ".featviz-write-check", ".tmp");
    } catch (IOException e) {
      throw new ModelException(
          flag + " " + out + ": cannot write files there (" + Main.describe(e) + ")");
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException ignored) {
          // a leftover empty probe file is harmless
        }
      }
    }
    return out;
  }
}
