package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launchers of {@code cuda/render.cu}, the bookkeeping kernels of {@link DeviceRenderer}:
 * per-sample flags (is any seeded gradient element left, does any pass a ReLU), over whole samples
 * or over one range per sample (a target's unit), and moving the seeds of chosen samples, or of one
 * range per sample, between buffers. The CPU twins are the host loops of {@link
 * org.featviz.render.Renderer} (blockedByRelu, redirect, the all-zero input gradient that marks a
 * unit DEAD; the range variants are the same loops over one target unit's slice of each sample).
 * Shapes: x, a, src, dst [B, N]; flags, mask, keep int[B]; a {@link Ranges} holds begin and count
 * int[B], sample b's range being [begin[b], begin[b] + count[b]) of its N values.
 */
public final class RenderKernels {
  private RenderKernels() {}

  /** flags[b] = 1 where some x[b, i] != 0 (NaN counts), else 0. */
  public static void anyNonzero(
      Device device, DeviceBuffer x, DeviceBuffer flags, int batch, int per) {
    sampleAny(device, x, x, flags, batch, per, false);
  }

  /**
   * flags[b] = 1 where some i has x[b, i] != 0 and a[b, i] > 0 (a seeded element that passes a
   * ReLU), else 0.
   */
  public static void anyNonzeroWherePositive(
      Device device, DeviceBuffer x, DeviceBuffer a, DeviceBuffer flags, int batch, int per) {
    sampleAny(device, x, a, flags, batch, per, true);
  }

  private static void sampleAny(
      Device device,
      DeviceBuffer x,
      DeviceBuffer a,
      DeviceBuffer flags,
      int batch,
      int per,
      boolean positiveOnly) {
    Launches.requireBatch(batch);
    Launches.requireNonNegative(per, "values per sample");
    Launches.requireFloats(x, (long) batch * per, "x");
    Launches.requireFloats(a, (long) batch * per, "a");
    Launches.requireInts(flags, batch, "flags");
    if (batch == 0) return;
    device.launch(
        "render_sample_any",
        Dim3.of(batch),
        Dim3.of(Launches.threads(per)),
        0,
        new KernelArgs()
            .ptr(x)
            .ptr(a)
            .ptr(flags)
            .i32(batch)
            .i32(per)
            .i32(Launches.flag(positiveOnly)));
  }

  /**
   * For every sample b with mask[b] != 0: dst[b] += src[b], then src[b] = 0. src and dst must
   * differ.
   */
  public static void moveSamples(
      Device device, DeviceBuffer src, DeviceBuffer dst, DeviceBuffer mask, int batch, int per) {
    Launches.requireBatch(batch);
    Launches.requireNonNegative(per, "values per sample");
    Launches.requireFloats(src, (long) batch * per, "src");
    Launches.requireFloats(dst, (long) batch * per, "dst");
    Launches.requireInts(mask, batch, "mask");
    if (src == dst)
      throw new IllegalArgumentException("moveSamples: src and dst are the same buffer");
    if (batch == 0 || per == 0) return;
    int threads = Launches.threads(per);
    device.launch(
        "render_move_samples",
        Dim3.of(Launches.blocks(per, threads), batch),
        Dim3.of(threads),
        0,
        new KernelArgs().ptr(src).ptr(dst).ptr(mask).i32(batch).i32(per));
  }

  /**
   * One range of values per sample, [begin[b], begin[b] + count[b]) within [0, per), on the device
   * (two int[B] buffers, checked on the host when made). Closing frees them.
   */
  public static final class Ranges implements AutoCloseable {
    private final DeviceBuffer begin;
    private final DeviceBuffer count;
    private final int batch;
    private final int per;
    private final int longest;

    private Ranges(DeviceBuffer begin, DeviceBuffer count, int batch, int per, int longest) {
      this.begin = begin;
      this.count = count;
      this.batch = batch;
      this.per = per;
      this.longest = longest;
    }

    /** Uploads begin and count (each of length batch); every range must lie within [0, per). */
    public static Ranges of(Device device, int[] begin, int[] count, int per) {
      if (begin.length != count.length) {
        throw new IllegalArgumentException(
            "ranges: " + begin.length + " begins, " + count.length + " counts");
      }
      Launches.requireBatch(begin.length);
      Launches.requireNonNegative(per, "values per sample");
      int longest = 0;
      for (int b = 0; b < begin.length; b++) {
        if (begin[b] < 0 || count[b] < 0 || (long) begin[b] + count[b] > per) {
          throw new IllegalArgumentException(
              "range of sample "
                  + b
                  + ", ["
                  + begin[b]
                  + ", "
                  + begin[b]
                  + " + "
                  + count[b]
                  + "), is not within [0, "
                  + per
                  + ")");
        }
        longest = Math.max(longest, count[b]);
      }
      DeviceBuffer db = device.allocateInts(Math.max(1, begin.length));
      DeviceBuffer dc = null;
      try {
        dc = device.allocateInts(Math.max(1, count.length));
        if (begin.length > 0) {
          device.copyToDevice(begin, db);
          device.copyToDevice(count, dc);
        }
        return new Ranges(db, dc, begin.length, per, longest);
      } catch (RuntimeException e) {
        db.close();
        if (dc != null) dc.close();
        throw e;
      }
    }

    public int batch() {
      return batch;
    }

    public int per() {
      return per;
    }

    @Override
    public void close() {
      begin.close();
      count.close();
    }
  }

  /**
   * flags[b] = 1 where some i of sample b's range has x[b, i] != 0 and, with {@code positiveOnly},
   * a[b, i] > 0 (a seeded element of the range that passes a ReLU); else 0, an empty range
   * included.
   */
  public static void rangeAny(
      Device device,
      DeviceBuffer x,
      DeviceBuffer a,
      Ranges ranges,
      DeviceBuffer flags,
      boolean positiveOnly) {
    int batch = ranges.batch;
    int per = ranges.per;
    Launches.requireFloats(x, (long) batch * per, "x");
    Launches.requireFloats(a, (long) batch * per, "a");
    Launches.requireInts(flags, batch, "flags");
    if (batch == 0) return;
    device.launch(
        "render_range_any",
        Dim3.of(batch),
        Dim3.of(Launches.threads(ranges.longest)),
        0,
        new KernelArgs()
            .ptr(x)
            .ptr(a)
            .ptr(ranges.begin)
            .ptr(ranges.count)
            .ptr(flags)
            .i32(batch)
            .i32(per)
            .i32(Launches.flag(positiveOnly)));
  }

  /**
   * For every sample b with keep[b] == 0: dst += src over sample b's range, then src = 0 there. src
   * != dst.
   */
  public static void moveRanges(
      Device device, DeviceBuffer src, DeviceBuffer dst, Ranges ranges, DeviceBuffer keep) {
    int batch = ranges.batch;
    int per = ranges.per;
    Launches.requireFloats(src, (long) batch * per, "src");
    Launches.requireFloats(dst, (long) batch * per, "dst");
    Launches.requireInts(keep, batch, "keep");
    if (src == dst)
      throw new IllegalArgumentException("moveRanges: src and dst are the same buffer");
    if (batch == 0 || ranges.longest == 0) return;
    int threads = Launches.threads(ranges.longest);
    device.launch(
        "render_move_ranges",
        Dim3.of(Launches.blocks(ranges.longest, threads), batch),
        Dim3.of(threads),
        0,
        new KernelArgs()
            .ptr(src)
            .ptr(dst)
            .ptr(ranges.begin)
            .ptr(ranges.count)
            .ptr(keep)
            .i32(batch)
            .i32(per));
  }
}
