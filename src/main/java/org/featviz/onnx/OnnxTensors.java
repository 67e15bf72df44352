package org.featviz.onnx;

import static org.bytedeco.onnx.global.onnx.ParseProtoFromBytes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnx.TensorProto;
import org.featviz.ir.DType;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.UnsupportedException;

/** Converts ONNX TensorProtos (initializers, attributes, test data files) into featviz tensors. */
public final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * Reads a serialized TensorProto file, as the ONNX backend test data sets store inputs and
   * outputs.
   */
  public static Tensor readPb(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
    }
    try (TensorProto t = new TensorProto();
        BytePointer buffer = new BytePointer(bytes)) {
      if (!ParseProtoFromBytes(t, buffer, bytes.length)) {
        throw new ModelException(file + ": not a serialized ONNX TensorProto");
      }
      return toTensor(t, file.toString());
    }
  }

  static Tensor toTensor(TensorProto t, String where) {
    if (t.has_data_location() && t.data_location() == TensorProto.EXTERNAL) {
      throw new ModelException(where + ": tensors with external data are not supported");
    }
    long[] dims = new long[t.dims_size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.dims(i);
      if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
        throw new ModelException(where + ": invalid dimension " + dims[i]);
      }
    }
    Shape shape;
    try {
      shape = Shape.of(dims);
      shape.size();
    } catch (IllegalArgumentException e) {
      throw new ModelException(where + ": " + e.getMessage());
    }
    int n = shape.size();
    int type = t.data_type();
    byte[] raw = t.has_raw_data() ? bytes(t.raw_data()) : null;
    // Each branch checks the stored value count against the shape before allocating, so that
    // corrupt dims
    // (a few bytes in the file) cannot make featviz allocate gigabytes.
    if (type == TensorProto.FLOAT || type == TensorProto.DOUBLE) {
      if (type == TensorProto.DOUBLE) {
        throw new UnsupportedException(
            where + ": float64 tensors are not supported (featviz computes in float32)");
      }
      if (raw != null) {
        expect(raw.length, (long) n * 4, where);
        float[] v = new float[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Tensor.of(shape, v);
      }
      expect(t.float_data_size(), n, where);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) v[i] = t.float_data(i);
      return Tensor.of(shape, v);
    }
    if (type == TensorProto.INT64 || type == TensorProto.INT32) {
      int width = type == TensorProto.INT64 ? 8 : 4;
      expect(
          raw != null
              ? raw.length
              : type == TensorProto.INT64 ? t.int64_data_size() : t.int32_data_size(),
          raw != null ? (long) n * width : n,
          where);
      long[] v = new long[n];
      if (raw != null) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) v[i] = width == 8 ? b.getLong() : b.getInt();
      } else if (type == TensorProto.INT64) {
        for (int i = 0; i < n; i++) v[i] = t.int64_data(i);
      } else {
        for (int i = 0; i < n; i++) v[i] = t.int32_data(i);
      }
      return Tensor.ofLongs(shape, v);
    }
    if (type == TensorProto.BOOL) {
      // One byte per element in raw_data, else one int32_data entry each.
      expect(raw != null ? raw.length : t.int32_data_size(), n, where);
      long[] v = new long[n];
      for (int i = 0; i < n; i++) v[i] = (raw != null ? raw[i] : t.int32_data(i)) != 0 ? 1 : 0;
      return Tensor.ofInts(DType.BOOL, shape, v);
    }
    throw new UnsupportedException(
        where
            + ": "
            + DType.onnxName(type)
            + " tensors are not supported"
            + " (featviz computes in float32, with int64 for shapes)");
  }

  private static void expect(long actual, long expected, String where) {
    if (actual != expected) {
      throw new ModelException(
          where + ": holds " + actual + " values/bytes where its shape needs " + expected);
    }
  }

  private static byte[] bytes(BytePointer p) {
    if (p == null) return new byte[0]; // JavaCPP maps an empty std::string to null
    long len = p.limit() - p.position();
    if (len > Integer.MAX_VALUE) throw new ModelException("tensor data too large");
    byte[] b = new byte[(int) len];
    p.get(b);
    return b;
  }
}
