package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.DeviceBuffer;

/**
 * The memory of one value and of the values that alias it, and the interval of plan time during
 * which it must hold its contents: from its first write to its last read. Weights own a buffer for
 * the plan's life; everything else gets a {@link Slot} from {@link BufferPlanner}, shared with
 * storages whose intervals do not overlap.
 */
final class Storage {
  private final boolean permanent;
  private final List<DeviceValue> values = new ArrayList<>();
  private long bytes;
  private int first = Integer.MAX_VALUE;
  private int last = Integer.MIN_VALUE;
  private Slot slot;
  private DeviceBuffer ownBuffer;

  /**
   * @param permanent a weight: its own buffer, never shared
   */
  Storage(boolean permanent) {
    this.permanent = permanent;
  }

  void add(DeviceValue value) {
    values.add(value);
    bytes = Math.max(bytes, (long) value.count() * Float.BYTES);
  }

  List<DeviceValue> values() {
    return values;
  }

  boolean permanent() {
    return permanent;
  }

  long bytes() {
    return bytes;
  }

  /** Marks that the storage is written or read at plan time t. */
  void use(int t) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }

  boolean used() {
    return last >= first;
  }

  int first() {
    return first;
  }

  int last() {
    return last;
  }

  void assign(Slot slot) {
    this.slot = slot;
  }

  void own(DeviceBuffer buffer) {
    this.ownBuffer = buffer;
  }

  DeviceBuffer buffer() {
    if (ownBuffer != null) return ownBuffer;
    if (slot == null || slot.buffer() == null) {
      throw new IllegalStateException("no device memory planned for " + values);
    }
    return slot.buffer();
  }

  @Override
  public String toString() {
    return values + " [" + first + ", " + last + "] " + bytes + " bytes";
  }
}
