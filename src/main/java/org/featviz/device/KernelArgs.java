package org.featviz.device;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The arguments of one kernel launch, in the order of the kernel's parameters. Built fluently:
 *
 * <pre>
 * device.launch("row_sum", Dim3.of(rows), Dim3.of(256), 0,
 *     new KernelArgs().ptr(x).ptr(y).i32(rows).i32(cols));
 * </pre>
 *
 * A pointer argument keeps its buffer, not its address: the address is read at launch, so a buffer
 * closed in between is caught. Devices check the kinds against the kernel's parameters before
 * launching.
 */
public final class KernelArgs {
  /** The kind of one argument; {@code tag} is the emulator's one-letter code for it. */
  public enum Kind {
    PTR('p'),
    I32('i'),
    F32('f'),
    I64('l');

    private final char tag;

    Kind(char tag) {
      this.tag = tag;
    }

    public char tag() {
      return tag;
    }

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final List<Kind> kinds = new ArrayList<>();
  private final List<DeviceBuffer> buffers = new ArrayList<>();
  private final List<Long> values =
      new ArrayList<>(); // a scalar's bits, or a pointer's byte offset

  /** A pointer to the start of a buffer. */
  public KernelArgs ptr(DeviceBuffer buffer) {
    return ptr(buffer, 0);
  }

  /** A pointer {@code byteOffset} bytes into a buffer ({@code 0 <= byteOffset <= size}). */
  public KernelArgs ptr(DeviceBuffer buffer, long byteOffset) {
    if (buffer == null)
      throw new IllegalArgumentException("null buffer for kernel argument " + kinds.size());
    if (byteOffset < 0 || byteOffset > buffer.bytes()) {
      throw new IndexOutOfBoundsException(
          "byte offset "
              + byteOffset
              + " outside a buffer of "
              + buffer.bytes()
              + " bytes (argument "
              + kinds.size()
              + ")");
    }
    return add(Kind.PTR, buffer, byteOffset);
  }

  /** A 32-bit int (CUDA int or unsigned). */
  public KernelArgs i32(int value) {
    return add(Kind.I32, null, value);
  }

  /** A 32-bit float. */
  public KernelArgs f32(float value) {
    return add(Kind.F32, null, Float.floatToRawIntBits(value) & 0xffffffffL);
  }

  /** A 64-bit integer (CUDA long long, int64_t, size_t). */
  public KernelArgs i64(long value) {
    return add(Kind.I64, null, value);
  }

  private KernelArgs add(Kind kind, DeviceBuffer buffer, long value) {
    kinds.add(kind);
    buffers.add(buffer);
    values.add(value);
    return this;
  }

  public int size() {
    return kinds.size();
  }

  public Kind kind(int i) {
    return kinds.get(i);
  }

  /** The buffer of pointer argument i, or null for a scalar. */
  public DeviceBuffer buffer(int i) {
    return buffers.get(i);
  }

  /**
   * The 64 bits passed for argument i: a pointer's device address (read now; throws
   * IllegalStateException when its buffer is closed), an int or a float's raw bits in the low 32
   * bits, or a long.
   */
  public long bits(int i) {
    DeviceBuffer buffer = buffers.get(i);
    return buffer == null ? values.get(i) : buffer.address() + values.get(i);
  }

  /** The emulator's tag string, one letter per argument, e.g. "ppii". */
  public String tags() {
    StringBuilder out = new StringBuilder();
    for (Kind k : kinds) out.append(k.tag());
    return out.toString();
  }

  /** The kinds in parentheses, e.g. "(ptr, ptr, i32, i32)". */
  public String describeKinds() {
    StringJoiner out = new StringJoiner(", ", "(", ")");
    for (Kind k : kinds) out.add(k.toString());
    return out.toString();
  }
}
