package org.featviz.cuda;

import java.nio.ByteBuffer;

/**
 * How the binding fake reads and writes "device memory": elements of a data type from a {@link
 * DevicePtr} into the host bytes of a {@link FakeCudaDevice} buffer, every access checked against
 * the buffer's size. The 16-bit encodings are written here from the formats' definitions (IEEE
 * binary16; bfloat16 = the top half of a float), not taken from featviz's own conversions, so a
 * fault in those cannot hide in the fake.
 */
final class FakeMemory {
  private FakeMemory() {}

  /**
   * An illegal access by a library call: what a GPU would report as a fault or silently read as
   * garbage.
   */
  static final class Fault extends RuntimeException {
    Fault(String message) {
      super(message);
    }
  }

  /**
   * The element types featviz passes: cuDNN's FLOAT, HALF, BFLOAT16 and cuBLAS's CUDA_R_32F, _16F,
   * _16BF.
   */
  enum Type {
    F32(4),
    F16(2),
    BF16(2);

    final int bytes;

    Type(int bytes) {
      this.bytes = bytes;
    }

    static Type ofCudnn(int dataType) {
      return switch (dataType) {
        case jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT -> F32;
        case jcuda.jcudnn.cudnnDataType.CUDNN_DATA_HALF -> F16;
        case jcuda.jcudnn.cudnnDataType.CUDNN_DATA_BFLOAT16 -> BF16;
        default -> null;
      };
    }

    static Type ofCuda(int dataType) {
      return switch (dataType) {
        case jcuda.cudaDataType.CUDA_R_32F -> F32;
        case jcuda.cudaDataType.CUDA_R_16F -> F16;
        case jcuda.cudaDataType.CUDA_R_16BF -> BF16;
        default -> null;
      };
    }
  }

  /** {@code count} consecutive elements of one type from a device address. */
  static final class Elements {
    private final ByteBuffer bytes;
    private final long base;
    private final Type type;
    private final long count;

    private Elements(ByteBuffer bytes, long base, Type type, long count) {
      this.bytes = bytes;
      this.base = base;
      this.type = type;
      this.count = count;
    }

    float get(long i) {
      int at = at(i);
      return switch (type) {
        case F32 -> bytes.getFloat(at);
        case F16 -> halfToFloat(bytes.getShort(at) & 0xffff);
        case BF16 -> Float.intBitsToFloat((bytes.getShort(at) & 0xffff) << 16);
      };
    }

    void set(long i, float v) {
      int at = at(i);
      switch (type) {
        case F32 -> bytes.putFloat(at, v);
        case F16 -> bytes.putShort(at, (short) floatToHalf(v));
        case BF16 -> bytes.putShort(at, (short) floatToBf16(v));
      }
    }

    private int at(long i) {
      if (i < 0 || i >= count) throw new IndexOutOfBoundsException("element " + i + " of " + count);
      return (int) (base + i * type.bytes);
    }
  }

  /**
   * Elements [0, count) at p, or a Fault naming the call and operand where they do not lie in p's
   * buffer.
   */
  static Elements elements(String what, DevicePtr p, Type type, long count) {
    if (p == null) throw new Fault(what + ": null device pointer");
    ByteBuffer bytes = FakeCudaDevice.memory(p.buffer());
    long end = p.byteOffset() + count * type.bytes;
    if (count < 0 || end > bytes.capacity()) {
      throw new Fault(
          what
              + ": "
              + count
              + " elements of "
              + type
              + " from byte "
              + p.byteOffset()
              + " end at byte "
              + end
              + ", past the end of a buffer of "
              + bytes.capacity()
              + " bytes");
    }
    if (p.byteOffset() % type.bytes != 0)
      throw new Fault(what + ": misaligned " + type + " address " + p);
    return new Elements(bytes, p.byteOffset(), type, count);
  }

  /** p plus {@code elements} elements of a type. */
  static DevicePtr plus(DevicePtr p, long elements, Type type) {
    return new DevicePtr(p.buffer(), p.byteOffset() + elements * type.bytes);
  }

  // ---- 16-bit formats, from their definitions
  // ----------------------------------------------------------------------

  /**
   * IEEE binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits; exponent 0 is subnormal
   * (fraction x 2^-24).
   */
  static float halfToFloat(int h) {
    int sign = (h & 0x8000) != 0 ? -1 : 1;
    int exponent = (h >>> 10) & 0x1f;
    int fraction = h & 0x3ff;
    if (exponent == 0x1f) return fraction == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
    if (exponent == 0) return sign * (float) Math.scalb((double) fraction, -24);
    return sign * (float) Math.scalb((double) (1024 + fraction), exponent - 25);
  }

  /**
   * The binary16 nearest to v, ties to even (what cuDNN writes for HALF outputs); beyond 65504
   * infinity.
   */
  static int floatToHalf(float v) {
    if (Float.isNaN(v)) return 0x7e00;
    int sign = (Float.floatToRawIntBits(v) >>> 16) & 0x8000;
    double a = Math.abs((double) v);
    if (a >= 65520.0) return sign | 0x7c00; // rounds past the largest finite half (65504)
    if (a < 0x1p-14) {
      long m =
          (long) Math.rint(a / 0x1p-24); // subnormal multiples of 2^-24 (1024 reaches the normals)
      return sign | (int) m;
    }
    int e = Math.getExponent(a); // a = 1.f x 2^e, -14 <= e <= 15
    long m = (long) Math.rint(Math.scalb(a, 10 - e)); // 1024 .. 2048
    if (m == 2048) {
      m = 1024;
      e++;
    }
    return sign | ((e + 15) << 10) | (int) (m - 1024);
  }

  /** The bfloat16 nearest to v (float's top 16 bits, ties to even on the dropped 16). */
  static int floatToBf16(float v) {
    if (Float.isNaN(v)) return 0x7fc0;
    int bits = Float.floatToRawIntBits(v);
    int dropped = bits & 0xffff;
    int kept = bits >>> 16;
    if (dropped > 0x8000 || (dropped == 0x8000 && (kept & 1) == 1)) kept++;
    return kept & 0xffff;
  }
}
