package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Assigns device buffers to storages by lifetime: storages in order of their first use, each into a
 * free buffer (one whose storages are all dead by then), the smallest free one that is large
 * enough, else the largest free one grown to fit, else a new one. This is the greedy interval
 * assignment of most inference runtimes; it keeps few buffers alive while letting each stay a
 * separate allocation that library calls address from its start.
 */
final class BufferPlanner {
  /** Buffers are sized in multiples of this (cuDNN and vectorized kernels like aligned sizes). */
  static final long ALIGNMENT = 256;

  private BufferPlanner() {}

  static List<Slot> assign(Collection<Storage> storages) {
    List<Storage> order = new ArrayList<>();
    for (Storage s : storages) if (!s.permanent() && s.used()) order.add(s);
    order.sort(
        Comparator.comparingInt(Storage::first)
            .thenComparing(Comparator.comparingLong(Storage::bytes).reversed()));
    List<Slot> slots = new ArrayList<>();
    for (Storage s : order) {
      Slot fit = null;
      Slot largest = null;
      for (Slot slot : slots) {
        if (slot.last() >= s.first()) continue; // still holds a live storage
        if (slot.bytes() >= s.bytes() && (fit == null || slot.bytes() < fit.bytes())) fit = slot;
        if (largest == null || slot.bytes() > largest.bytes()) largest = slot;
      }
      Slot chosen = fit != null ? fit : largest;
      if (chosen == null) {
        chosen = new Slot();
        slots.add(chosen);
      }
      chosen.add(s);
    }
    return slots;
  }

  /**
   * The bytes a buffer of a slot gets: its largest storage, rounded up to {@link #ALIGNMENT}, at
   * least that.
   */
  static long allocationBytes(long bytes) {
    return Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
  }
}
