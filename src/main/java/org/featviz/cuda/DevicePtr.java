package org.featviz.cuda;

import java.util.Objects;
import org.featviz.device.DeviceBuffer;

/**
 * A device address as {@link CublasApi} and {@link CudnnApi} take it: a featviz buffer and a byte
 * offset into it. The JCuda implementations turn it into the buffer's device pointer plus the
 * offset; the binding fake of the tests reads and writes the buffer's host copy at that offset.
 * Keeping featviz's handle (not a raw address) lets the fake check every access against the
 * buffer's size, so a wrong leading dimension or stride shows as an out-of-bounds access instead of
 * reading a neighbour's memory.
 */
record DevicePtr(DeviceBuffer buffer, long byteOffset) {
  DevicePtr {
    Objects.requireNonNull(buffer, "device buffer");
    if (byteOffset < 0) throw new IllegalArgumentException("negative byte offset " + byteOffset);
  }

  /** The buffer's first byte. */
  static DevicePtr of(DeviceBuffer buffer) {
    return new DevicePtr(buffer, 0);
  }

  /** The buffer's byte {@code byteOffset}. */
  static DevicePtr at(DeviceBuffer buffer, long byteOffset) {
    return new DevicePtr(buffer, byteOffset);
  }

  @Override
  public String toString() {
    return buffer + " + " + byteOffset;
  }
}
