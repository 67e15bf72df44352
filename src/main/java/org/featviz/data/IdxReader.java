package org.featviz.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number (two zero bytes, an
 * element type code, the number of dimensions), one big-endian 32-bit size per dimension, then the
 * values in row-major order. Files may be gzip-compressed; that is detected from the gzip magic
 * bytes, not from the file name. Only unsigned byte elements (type 0x08) are read, the type every
 * MNIST-style dataset uses.
 *
 * <p>The whole (decompressed) content is read before the header is trusted, so a corrupt header
 * cannot make the reader allocate more than the file holds.
 */
public final class IdxReader {
  /** Element type code of unsigned bytes. */
  public static final int UNSIGNED_BYTE = 0x08;

  /** Largest element count accepted: a Java array must hold it. */
  private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  private IdxReader() {}

  /** An IDX array of unsigned bytes: dimensions outermost first, values row-major. */
  public record IdxArray(int[] dims, byte[] data) {
    public IdxArray {
      dims = dims.clone();
    }

    @Override
    public int[] dims() {
      return dims.clone();
    }

    public int rank() {
      return dims.length;
    }

    public int dim(int axis) {
      return dims[axis];
    }

    /** The value at flat index i, 0..255. */
    public int unsigned(int i) {
      return data[i] & 0xFF;
    }
  }

  /** Reads an IDX file, gzip-compressed or plain. */
  public static IdxArray read(Path file) {
    byte[] content;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      content = (isGzip(in) ? new GZIPInputStream(in) : in).readAllBytes();
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + ": no such file");
    } catch (EOFException | ZipException e) {
      throw new DatasetException(
          file + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(content, file.toString());
  }

  /**
   * Parses the (already decompressed) content of an IDX file; {@code source} names it in messages.
   */
  public static IdxArray parse(byte[] content, String source) {
    if (content.length < 4) {
      throw new DatasetException(
          source
              + ": truncated: "
              + content.length
              + " bytes, shorter than the 4-byte IDX"
              + " magic number");
    }
    int magic = readInt(content, 0);
    int type = content[2] & 0xFF;
    int rank = content[3] & 0xFF;
    if (content[0] != 0 || content[1] != 0 || typeName(type) == null) {
      throw new DatasetException(
          source
              + ": wrong magic number "
              + String.format("0x%08X", magic)
              + "; an IDX file"
              + " starts with 00 00, an element type code (08 to 0E) and the number of dimensions");
    }
    if (type != UNSIGNED_BYTE) {
      throw new DatasetException(
          source
              + ": IDX element type "
              + typeName(type)
              + String.format(" (0x%02X)", type)
              + " is not supported; only unsigned bytes (0x08) are read");
    }
    if (rank == 0) throw new DatasetException(source + ": IDX header declares 0 dimensions");
    int header = 4 + 4 * rank;
    if (content.length < header) {
      throw new DatasetException(
          source
              + ": truncated: the header declares "
              + rank
              + " dimensions but the file"
              + " ends after "
              + content.length
              + " bytes");
    }
    int[] dims = new int[rank];
    long count = 1;
    for (int d = 0; d < rank; d++) {
      long size = readInt(content, 4 + 4 * d) & 0xFFFFFFFFL;
      if (size > MAX_VALUES || count * size > MAX_VALUES) {
        throw new DatasetException(
            source
                + ": absurd IDX dimensions "
                + describeDims(content, rank)
                + ": more values than a file of this kind can hold");
      }
      dims[d] = (int) size;
      count *= size;
    }
    long available = content.length - header;
    if (available < count) {
      throw new DatasetException(
          source
              + ": truncated: dimensions "
              + Arrays.toString(dims)
              + " need "
              + count
              + " bytes of data but only "
              + available
              + " follow the header");
    }
    if (available > count) {
      throw new DatasetException(
          source
              + ": "
              + (available - count)
              + " unexpected bytes after the "
              + count
              + " values that dimensions "
              + Arrays.toString(dims)
              + " declare");
    }
    return new IdxArray(dims, Arrays.copyOfRange(content, header, content.length));
  }

  private static boolean isGzip(InputStream in) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1F && b1 == 0x8B;
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | (b[at + 3] & 0xFF);
  }

  /** The dimensions as the header states them (unsigned), for messages. */
  private static String describeDims(byte[] content, int rank) {
    StringBuilder b = new StringBuilder("[");
    for (int d = 0; d < rank; d++) {
      if (d > 0) b.append(", ");
      b.append(readInt(content, 4 + 4 * d) & 0xFFFFFFFFL);
    }
    return b.append(']').toString();
  }

  /** IDX element type names by code, or null for a code IDX does not define. */
  private static String typeName(int type) {
    return switch (type) {
      case 0x08 -> "unsigned byte";
      case 0x09 -> "signed byte";
      case 0x0B -> "int16";
      case 0x0C -> "int32";
      case 0x0D -> "float32";
      case 0x0E -> "float64";
      default -> null;
    };
  }
}
