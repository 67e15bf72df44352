package org.featviz.onnx;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf message decoded without its schema, for structure-aware fuzzing: a list of fields,
 * each a varint, a fixed-width value, a byte string, or (where a byte string itself decodes
 * cleanly) a nested message. Editing the tree and re-encoding it keeps every length prefix right,
 * so mutants get past the protobuf parser and reach the ONNX checker, ONNX shape inference and
 * featviz's own conversion. A string that happens to decode as a message is treated as one; that
 * only changes which bytes a mutation touches.
 */
final class RawProto {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;
  private static final int MAX_DEPTH = 32;

  /**
   * One field; {@code message} is non-null for a length-delimited field that decodes as a message.
   */
  static final class Field {
    final int number;
    final int wireType;
    long value; // VARINT, FIXED64, FIXED32 (low 32 bits)
    byte[] bytes; // LENGTH_DELIMITED
    RawProto message; // LENGTH_DELIMITED that decodes as a message, else null

    Field(int number, int wireType) {
      this.number = number;
      this.wireType = wireType;
    }

    Field copy() {
      Field f = new Field(number, wireType);
      f.value = value;
      f.bytes = bytes == null ? null : bytes.clone();
      f.message = message == null ? null : message.copy();
      return f;
    }
  }

  final List<Field> fields = new ArrayList<>();

  /**
   * Decodes a message, or returns null where the bytes are not one (malformed, or groups, or field
   * number 0).
   */
  static RawProto parse(byte[] b) {
    return parse(b, 0, b.length, 0);
  }

  private static RawProto parse(byte[] b, int from, int to, int depth) {
    RawProto m = new RawProto();
    int[] pos = {from};
    while (pos[0] < to) {
      long tag = readVarint(b, pos, to);
      if (tag < 0) return null;
      int number = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (number <= 0 || tag >>> 3 > 0x1FFFFFFF) return null;
      Field f = new Field(number, wireType);
      switch (wireType) {
        case VARINT -> {
          int before = pos[0];
          f.value = readVarint(b, pos, to);
          if (pos[0] == before) return null;
        }
        case FIXED64, FIXED32 -> {
          int width = wireType == FIXED64 ? 8 : 4;
          if (to - pos[0] < width) return null;
          for (int i = width - 1; i >= 0; i--) f.value = f.value << 8 | (b[pos[0] + i] & 0xFF);
          pos[0] += width;
        }
        case LENGTH_DELIMITED -> {
          long len = readVarint(b, pos, to);
          if (len < 0 || len > to - pos[0]) return null;
          f.bytes = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + (int) len);
          if (len > 0 && depth < MAX_DEPTH)
            f.message = parse(b, pos[0], pos[0] + (int) len, depth + 1);
          pos[0] += (int) len;
        }
        default -> {
          return null;
        }
      }
      m.fields.add(f);
    }
    return m;
  }

  /**
   * Reads a varint at pos[0] and moves pos past it; where it is malformed, returns -1 and leaves
   * pos unchanged. (A well-formed ten-byte -1 also returns -1; for tags and lengths, the only
   * places that test for -1, it is invalid.)
   */
  private static long readVarint(byte[] b, int[] pos, int to) {
    long v = 0;
    for (int i = 0, p = pos[0]; i < 10 && p < to; i++, p++) {
      v |= (long) (b[p] & 0x7F) << (7 * i);
      if ((b[p] & 0x80) == 0) {
        pos[0] = p + 1;
        return v;
      }
    }
    return -1;
  }

  RawProto copy() {
    RawProto m = new RawProto();
    for (Field f : fields) m.fields.add(f.copy());
    return m;
  }

  /** Every field of this message and of its nested messages, depth first. */
  List<Field> allFields() {
    List<Field> all = new ArrayList<>();
    collect(all);
    return all;
  }

  private void collect(List<Field> all) {
    for (Field f : fields) {
      all.add(f);
      if (f.message != null) f.message.collect(all);
    }
  }

  /** This message and every nested message. */
  List<RawProto> allMessages() {
    List<RawProto> all = new ArrayList<>();
    all.add(this);
    for (Field f : allFields()) if (f.message != null) all.add(f.message);
    return all;
  }

  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Field f : fields) {
      writeVarint(out, (long) f.number << 3 | f.wireType);
      switch (f.wireType) {
        case VARINT -> writeVarint(out, f.value);
        case FIXED64 -> writeLittleEndian(out, f.value, 8);
        case FIXED32 -> writeLittleEndian(out, f.value, 4);
        default -> {
          byte[] payload = f.message != null ? f.message.encode() : f.bytes;
          writeVarint(out, payload.length);
          out.writeBytes(payload);
        }
      }
    }
    return out.toByteArray();
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static void writeLittleEndian(ByteArrayOutputStream out, long v, int width) {
    for (int i = 0; i < width; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
  }
}
