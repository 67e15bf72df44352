package org.featviz.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers encoder for test models: varint, length-delimited and fixed32 fields,
 * and packed repeated fields. Just enough of the wire format
 * (developers.google.com/protocol-buffers/docs/encoding) to write ONNX messages by hand; fields are
 * written in the order the caller writes them.
 */
public final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An int32/int64/enum/bool field; negative values take ten bytes, as protobuf encodes them. */
  public ProtoWriter varint(int field, long value) {
    tag(field, VARINT);
    rawVarint(value);
    return this;
  }

  public ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  public ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** An embedded message: its serialized bytes, length-delimited. */
  public ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toByteArray());
  }

  public ProtoWriter float32(int field, float value) {
    tag(field, FIXED32);
    rawFixed32(Float.floatToRawIntBits(value));
    return this;
  }

  public ProtoWriter float64(int field, double value) {
    tag(field, FIXED64);
    long bits = Double.doubleToRawLongBits(value);
    rawFixed32((int) bits);
    rawFixed32((int) (bits >>> 32));
    return this;
  }

  /** A packed repeated float field. */
  public ProtoWriter packedFloats(int field, float... values) {
    ProtoWriter body = new ProtoWriter();
    for (float v : values) body.rawFixed32(Float.floatToRawIntBits(v));
    return bytes(field, body.toByteArray());
  }

  /** A packed repeated varint field (int32, int64). */
  public ProtoWriter packedVarints(int field, long... values) {
    ProtoWriter body = new ProtoWriter();
    for (long v : values) body.rawVarint(v);
    return bytes(field, body.toByteArray());
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    rawVarint((long) field << 3 | wireType);
  }

  private void rawVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
  }

  private void rawFixed32(int bits) {
    for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i) & 0xFF);
  }
}
