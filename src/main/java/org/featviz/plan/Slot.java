package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.DeviceBuffer;

/** One device buffer of a plan, holding in turn the storages whose lifetimes do not overlap. */
final class Slot {
  private final List<Storage> storages = new ArrayList<>();
  private long bytes;
  private DeviceBuffer buffer;

  void add(Storage storage) {
    storages.add(storage);
    bytes = Math.max(bytes, storage.bytes());
    storage.assign(this);
  }

  List<Storage> storages() {
    return storages;
  }

  /** The last plan time any of its storages is live. */
  int last() {
    int last = Integer.MIN_VALUE;
    for (Storage s : storages) last = Math.max(last, s.last());
    return last;
  }

  long bytes() {
    return bytes;
  }

  DeviceBuffer buffer() {
    return buffer;
  }

  void allocate(DeviceBuffer buffer) {
    this.buffer = buffer;
  }
}
