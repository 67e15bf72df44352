package org.featviz.objective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.featviz.ir.ModelException;

/**
 * Where direction vectors come from: basis vectors (a single neuron seen as a direction), random
 * unit-norm Gaussian directions (the baseline that basis directions are compared with), and files:
 * text with whitespace- or comma-separated numbers, or a NumPy .npy file holding a 1-D float32 or
 * float64 array.
 */
public final class Directions {
  private static final Pattern NPY_DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern NPY_SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Directions() {}

  /** e_i of length units. */
  public static float[] basis(int units, int i) {
    if (units <= 0)
      throw new ModelException("basis direction: units must be positive, got " + units);
    if (i < 0 || i >= units) {
      throw new ModelException("basis direction: index " + i + " out of range 0.." + (units - 1));
    }
    float[] v = new float[units];
    v[i] = 1;
    return v;
  }

  /**
   * A random direction, uniform on the unit sphere: i.i.d. standard normal values divided by their
   * norm.
   */
  public static float[] random(int units, long seed) {
    if (units <= 0)
      throw new ModelException("random direction: units must be positive, got " + units);
    Random rng = new Random(seed);
    double[] g = new double[units];
    double norm = 0;
    while (norm == 0) {
      for (int i = 0; i < units; i++) g[i] = rng.nextGaussian();
      norm = Math.sqrt(VectorMath.dot(g, g));
    }
    float[] v = new float[units];
    for (int i = 0; i < units; i++) v[i] = (float) (g[i] / norm);
    return v;
  }

  /**
   * Reads a direction: a .npy file (by its magic bytes) or text; non-finite values and empty files
   * are errors.
   */
  public static float[] read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new ModelException("direction file " + path + " does not exist");
    } catch (IOException e) {
      throw new ModelException("cannot read direction file " + path + ": " + e.getMessage(), e);
    }
    boolean npy =
        bytes.length >= 6
            && (bytes[0] & 0xff) == 0x93
            && new String(bytes, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY");
    float[] v =
        npy ? readNpy(path, bytes) : readText(path, new String(bytes, StandardCharsets.UTF_8));
    if (v.length == 0) throw new ModelException("direction file " + path + " holds no values");
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i]))
        throw new ModelException("direction file " + path + ": value " + i + " is " + v[i]);
    }
    return v;
  }

  private static float[] readText(Path path, String text) {
    List<Float> values = new ArrayList<>();
    String[] lines = text.split("\\R", -1);
    for (int line = 0; line < lines.length; line++) {
      for (String token : lines[line].trim().split("[\\s,]+")) {
        if (token.isEmpty()) continue;
        try {
          values.add(Float.parseFloat(token));
        } catch (NumberFormatException e) {
          throw new ModelException(
              "direction file "
                  + path
                  + ", line "
                  + (line + 1)
                  + ": '"
                  + token
                  + "' is not a number");
        }
      }
    }
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) v[i] = values.get(i);
    return v;
  }

  /**
   * NumPy format 1.0-3.0: magic, version, header length (2 or 4 bytes, little-endian), a Python
   * dict, data.
   */
  private static float[] readNpy(Path path, byte[] bytes) {
    String where = "direction file " + path + " (.npy)";
    if (bytes.length < 10) throw new ModelException(where + ": truncated header");
    int major = bytes[6] & 0xff;
    if (major < 1 || major > 3)
      throw new ModelException(where + ": unsupported format version " + major);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerStart = major == 1 ? 10 : 12;
    long headerLength =
        bytes.length < headerStart
            ? Long.MAX_VALUE
            : major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8) & 0xffffffffL;
    if (headerStart + headerLength > bytes.length)
      throw new ModelException(where + ": truncated header");
    String header = new String(bytes, headerStart, (int) headerLength, StandardCharsets.ISO_8859_1);
    String descr = group(NPY_DESCR, header, where, "descr");
    String shape = group(NPY_SHAPE, header, where, "shape").replace(" ", "");
    // A 1-D array's shape reads "(n,)"; its memory order (fortran_order) does not matter then.
    if (!shape.matches("\\d{1,9},")) {
      throw new ModelException(where + ": expected a 1-D array, got shape (" + shape + ")");
    }
    int n = Integer.parseInt(shape.substring(0, shape.length() - 1));
    int itemSize =
        switch (descr) {
          case "<f4", "=f4" -> 4;
          case "<f8", "=f8" -> 8;
          default ->
              throw new ModelException(
                  where + ": dtype " + descr + " is not little-endian float32 or float64");
        };
    int dataStart = headerStart + (int) headerLength;
    if (bytes.length - dataStart < (long) n * itemSize) {
      throw new ModelException(
          where
              + ": "
              + n
              + " values announced, "
              + (bytes.length - dataStart) / itemSize
              + " present");
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] =
          itemSize == 4
              ? buf.getFloat(dataStart + 4 * i)
              : (float) buf.getDouble(dataStart + 8 * i);
    }
    return v;
  }

  private static String group(Pattern pattern, String header, String where, String key) {
    Matcher m = pattern.matcher(header);
    if (!m.find())
      throw new ModelException(where + ": header has no '" + key + "': " + header.trim());
    return m.group(1).trim();
  }
}
