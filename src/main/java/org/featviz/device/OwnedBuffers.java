package org.featviz.device;

import java.util.ArrayList;
import java.util.List;

/**
 * The device buffers one owner allocates and frees together (a render's state, an objective's
 * targets): closing it closes them all, in allocation order. Sizes of zero allocate one element, so
 * that an empty batch still gets a valid address for its launch arguments.
 *
 * <pre>
 * try (OwnedBuffers buffers = new OwnedBuffers(device)) {
 *   DeviceBuffer units = buffers.upload(new int[] {3, 7});
 *   DeviceBuffer value = buffers.floats(2);
 *   ...
 * }
 * </pre>
 */
public final class OwnedBuffers implements AutoCloseable {
  private final Device device;
  private final List<DeviceBuffer> buffers = new ArrayList<>();

  public OwnedBuffers(Device device) {
    this.device = device;
  }

  /** {@code count} floats (at least one), contents undefined. */
  public DeviceBuffer floats(long count) {
    return keep(device.allocateFloats(Math.max(1, count)));
  }

  /** {@code count} ints (at least one), contents undefined. */
  public DeviceBuffer ints(long count) {
    return keep(device.allocateInts(Math.max(1, count)));
  }

  /** A copy of {@code host} (one undefined element where it is empty). */
  public DeviceBuffer upload(float[] host) {
    DeviceBuffer b = floats(host.length);
    if (host.length > 0) device.copyToDevice(host, b);
    return b;
  }

  /** A copy of {@code host} (one undefined element where it is empty). */
  public DeviceBuffer upload(int[] host) {
    DeviceBuffer b = ints(host.length);
    if (host.length > 0) device.copyToDevice(host, b);
    return b;
  }

  /** Takes {@code b} over: it is closed with the others. */
  public DeviceBuffer keep(DeviceBuffer b) {
    buffers.add(b);
    return b;
  }

  @Override
  public void close() {
    for (DeviceBuffer b : buffers) b.close();
    buffers.clear();
  }
}
