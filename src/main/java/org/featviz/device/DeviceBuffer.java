package org.featviz.device;

/**
 * A block of device memory: a device address and a size in bytes, owned by the device that
 * allocated it. Closing it frees the memory; close is idempotent, and closing the device closes
 * every buffer it still owns. Any use after close (its address, a copy, a launch argument) throws
 * IllegalStateException.
 *
 * <pre>
 * try (DeviceBuffer x = device.allocateFloats(n)) {
 *   device.copyToDevice(host, x);
 *   ...
 * }
 * </pre>
 */
public final class DeviceBuffer implements AutoCloseable {
  private final AbstractDevice owner;
  private final long address;
  private final long bytes;
  final Object
      handle; // the backend's own view of the allocation, if it needs one (AbstractDevice.handle)
  private volatile boolean closed;

  DeviceBuffer(AbstractDevice owner, long address, long bytes, Object handle) {
    this.owner = owner;
    this.address = address;
    this.bytes = bytes;
    this.handle = handle;
  }

  /** The device address of the first byte. */
  public long address() {
    checkOpen();
    return address;
  }

  /** The size in bytes (also readable after close). */
  public long bytes() {
    return bytes;
  }

  public Device device() {
    return owner;
  }

  public boolean isClosed() {
    return closed;
  }

  /** The address without the open check, for freeing. */
  long rawAddress() {
    return address;
  }

  void checkOpen() {
    if (closed)
      throw new IllegalStateException("device buffer of " + bytes + " bytes used after close");
  }

  /** Marks the buffer closed; true only for the first call, whose caller frees the memory. */
  synchronized boolean markClosed() {
    if (closed) return false;
    closed = true;
    return true;
  }

  @Override
  public void close() {
    owner.release(this);
  }

  @Override
  public String toString() {
    return "DeviceBuffer["
        + bytes
        + " bytes at 0x"
        + Long.toHexString(address)
        + (closed ? ", closed]" : "]");
  }
}
