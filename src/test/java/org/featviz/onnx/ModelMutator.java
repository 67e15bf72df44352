package org.featviz.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of serialized models for fuzzing the importer. Byte-level ones (flipped bytes,
 * extreme bytes that turn varints and lengths huge or zero, truncations, splices that copy a byte
 * range of one model into another) mostly test the protobuf parser; structure-aware ones edit the
 * decoded {@link RawProto} tree (a value set to an extreme, a field deleted, duplicated, or
 * transplanted from another model) and re-encode it, so that the mutant parses and reaches the ONNX
 * checker, ONNX shape inference and featviz's conversion. Each mutant says what was done, so a
 * failing case can be read from its description and seed.
 */
final class ModelMutator {
  /** A mutated model and the steps that produced it. */
  record Mutant(byte[] bytes, String description) {}

  private final Random rng;
  private final List<byte[]> donors;

  ModelMutator(long seed, List<byte[]> donors) {
    this.rng = new Random(seed);
    this.donors = donors;
  }

  /**
   * One to three random mutations of {@code model}: byte-level or structure-aware, half and half.
   */
  Mutant mutate(byte[] model) {
    byte[] b = model;
    StringBuilder what = new StringBuilder();
    int steps = 1 + rng.nextInt(3);
    for (int s = 0; s < steps && b.length > 0; s++) {
      if (s > 0) what.append(", ");
      RawProto tree = rng.nextBoolean() ? RawProto.parse(b) : null;
      if (tree != null && !tree.fields.isEmpty()) {
        mutateTree(tree, what);
        b = tree.encode();
        continue;
      }
      switch (rng.nextInt(5)) {
        case 0 -> b = flip(b, what);
        case 1 -> b = extreme(b, what);
        case 2 -> b = truncate(b, what);
        case 3 -> b = splice(b, what, false);
        default -> b = splice(b, what, true);
      }
    }
    return new Mutant(b, what.toString());
  }

  /**
   * Values that break assumptions: zero, one, negative, just past int range, the int64 extremes.
   */
  private static final long[] EXTREME_VARINTS = {
    0,
    1,
    2,
    3,
    -1,
    -2,
    255,
    65536,
    Integer.MAX_VALUE,
    1L + Integer.MAX_VALUE,
    1L << 32,
    1L << 40,
    Long.MAX_VALUE,
    Long.MIN_VALUE
  };

  /** float32 bit patterns: NaN, infinities, -0, huge, tiny. */
  private static final int[] EXTREME_FLOATS = {
    0x7FC00000, 0x7F800000, 0xFF800000, 0x80000000, 0x7F7FFFFF, 1
  };

  /**
   * One edit of the decoded tree: a value, a deletion, a duplicate, or a field moved in from
   * another model.
   */
  private void mutateTree(RawProto tree, StringBuilder what) {
    List<RawProto.Field> fields = tree.allFields();
    RawProto.Field f = fields.get(rng.nextInt(fields.size()));
    switch (rng.nextInt(6)) {
      case 0, 1 -> setValue(f, what);
      case 2 -> {
        RawProto parent = parentOf(tree, f);
        parent.fields.remove(f);
        what.append("delete field ").append(f.number);
      }
      case 3 -> {
        RawProto parent = parentOf(tree, f);
        parent.fields.add(parent.fields.indexOf(f), f.copy());
        what.append("duplicate field ").append(f.number);
      }
      default -> {
        RawProto donor = RawProto.parse(donors.get(rng.nextInt(donors.size())));
        if (donor == null || donor.fields.isEmpty()) {
          setValue(f, what);
          return;
        }
        List<RawProto.Field> donorFields = donor.allFields();
        RawProto.Field moved = donorFields.get(rng.nextInt(donorFields.size()));
        List<RawProto> messages = tree.allMessages();
        RawProto into = messages.get(rng.nextInt(messages.size()));
        into.fields.add(rng.nextInt(into.fields.size() + 1), moved);
        what.append("transplant field ")
            .append(moved.number)
            .append(" into a message of ")
            .append(into.fields.size())
            .append(" fields");
      }
    }
  }

  private void setValue(RawProto.Field f, StringBuilder what) {
    what.append("set field ").append(f.number).append(" = ");
    switch (f.wireType) {
      case RawProto.VARINT, RawProto.FIXED64 -> {
        f.value =
            rng.nextInt(3) == 0
                ? rng.nextInt(1000) - 10
                : EXTREME_VARINTS[rng.nextInt(EXTREME_VARINTS.length)];
        what.append(f.value);
      }
      case RawProto.FIXED32 -> {
        f.value = EXTREME_FLOATS[rng.nextInt(EXTREME_FLOATS.length)] & 0xFFFFFFFFL;
        what.append(String.format("0x%08X", f.value));
      }
      default -> {
        // A string or message: empty it, cut it, or flip one of its bytes (a nested message becomes
        // plain bytes).
        byte[] b = f.message != null ? f.message.encode() : f.bytes;
        f.message = null;
        int kind = b.length == 0 ? 0 : rng.nextInt(3);
        if (kind == 0) f.bytes = new byte[0];
        else if (kind == 1) f.bytes = Arrays.copyOf(b, rng.nextInt(b.length));
        else {
          f.bytes = b.clone();
          f.bytes[rng.nextInt(b.length)] ^= (byte) (1 + rng.nextInt(255));
        }
        what.append(kind == 0 ? "empty" : kind == 1 ? "cut bytes" : "flipped bytes");
      }
    }
  }

  /** The message in {@code tree} whose own field list holds {@code f}. */
  private static RawProto parentOf(RawProto tree, RawProto.Field f) {
    for (RawProto m : tree.allMessages()) {
      for (RawProto.Field g : m.fields) if (g == f) return m;
    }
    throw new IllegalStateException("field not in tree");
  }

  /** XOR one to four bytes with random non-zero values. */
  private byte[] flip(byte[] in, StringBuilder what) {
    byte[] b = in.clone();
    int n = 1 + rng.nextInt(4);
    what.append("flip");
    for (int i = 0; i < n; i++) {
      int at = rng.nextInt(b.length);
      int mask = 1 + rng.nextInt(255);
      b[at] ^= (byte) mask;
      what.append(' ').append(at).append('^').append(mask);
    }
    return b;
  }

  /** Sets one byte to 0x00, 0x7F, 0x80 or 0xFF: lengths and varints jump to their extremes. */
  private byte[] extreme(byte[] in, StringBuilder what) {
    byte[] b = in.clone();
    int at = rng.nextInt(b.length);
    int[] values = {0x00, 0x7F, 0x80, 0xFF};
    int v = values[rng.nextInt(values.length)];
    b[at] = (byte) v;
    what.append("set ").append(at).append('=').append(v);
    return b;
  }

  /** Keeps a random prefix. */
  private byte[] truncate(byte[] in, StringBuilder what) {
    int len = rng.nextInt(in.length);
    what.append("truncate to ").append(len);
    return Arrays.copyOf(in, len);
  }

  /** Copies a random range of a donor model over (or into) a random position. */
  private byte[] splice(byte[] in, StringBuilder what, boolean insert) {
    int donorIndex = rng.nextInt(donors.size());
    byte[] donor = donors.get(donorIndex);
    int from = rng.nextInt(donor.length);
    int len = 1 + rng.nextInt(Math.min(64, donor.length - from));
    int at = rng.nextInt(in.length + 1);
    what.append(insert ? "insert " : "overwrite ")
        .append("donor ")
        .append(donorIndex)
        .append('[')
        .append(from)
        .append("..")
        .append(from + len)
        .append(") at ")
        .append(at);
    if (insert) {
      byte[] b = new byte[in.length + len];
      System.arraycopy(in, 0, b, 0, at);
      System.arraycopy(donor, from, b, at, len);
      System.arraycopy(in, at, b, at + len, in.length - at);
      return b;
    }
    byte[] b = Arrays.copyOf(in, Math.max(in.length, at + len));
    System.arraycopy(donor, from, b, at, len);
    return b;
  }
}
