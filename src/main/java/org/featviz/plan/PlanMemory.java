package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import org.featviz.ir.Tensor;

/**
 * The device memory of a {@link DevicePlan}, planned by lifetime. Every storage gets its interval
 * on the plan's {@link Timeline}: the forward uses are marked here (inputs at upload, each step's
 * inputs and output at its forward, targets when they are read), the backward ones by {@link
 * BackwardWiring} (gradients, the activations a backward step reads, its scratch). {@link
 * BufferPlanner} then packs the storages into few buffers; weights get buffers of their own,
 * uploaded once. In the BF16 and FP16 math modes the plan's 16-bit staging arena (its {@link
 * MixedPrecision}) is reserved for the largest step's need ({@link Step#stagingBytes}) and counted.
 * Allocation happens in {@link #allocate}, after {@link #checkFits}; running a plan allocates
 * nothing.
 */
final class PlanMemory implements AutoCloseable {
  private final Map<DeviceValue, Tensor> weights;
  private final List<Slot> slots;
  private final long weightBytes;

  /** The 16-bit staging of BF16/FP16 products: the largest step's need, 0 in FP32 and TF32. */
  private final long stagingBytes;

  private final MixedPrecision mixed;
  private final List<DeviceBuffer> buffers = new ArrayList<>();

  /**
   * Plans (does not allocate) the memory of {@code program} for a device in math mode {@code mode},
   * with the staging of {@code mixed}, the plan's (closed with this).
   */
  PlanMemory(StepProgram program, MathMode mode, MixedPrecision mixed) {
    this.mixed = mixed;
    Lowering.Result lowered = program.lowered();
    Timeline time = program.time();
    List<Step> steps = lowered.steps();
    for (DeviceValue in : lowered.inputs()) in.storage().use(time.upload());
    for (int k = 0; k < steps.size(); k++) {
      Step s = steps.get(k);
      for (DeviceValue in : s.inputs()) in.storage().use(time.forward(k));
      s.output().storage().use(time.forward(k));
    }
    for (DeviceValue t : program.targets()) t.storage().use(time.readForward());
    List<Storage> storages = new ArrayList<>();
    Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (DeviceValue v : lowered.values().values())
      if (seen.add(v.storage())) storages.add(v.storage());
    for (Step s : steps) if (seen.add(s.output().storage())) storages.add(s.output().storage());
    BackwardWiring wiring = program.wiring();
    if (wiring != null) {
      storages.addAll(wiring.gradientStorages());
      storages.addAll(wiring.scratchStorages());
    }
    slots = BufferPlanner.assign(storages);
    weights = lowered.weights();
    long w = 0;
    for (Tensor t : weights.values())
      w += BufferPlanner.allocationBytes((long) t.size() * Float.BYTES);
    weightBytes = w;
    long staging = 0;
    if (mode.isSixteenBit()) for (Step s : steps) staging = Math.max(staging, s.stagingBytes());
    stagingBytes = staging;
  }

  /**
   * Refuses a plan that needs more device memory than is free, naming what it needs, what is free
   * and the batch that would fit (activations and gradients scale with the batch; weights do not).
   *
   * @param source the model, for the message
   * @param inputs the plan's graph inputs (the first one's leading dim is the batch)
   */
  void checkFits(Device device, String source, List<DeviceValue> inputs) {
    long needed = peakBytes();
    long free = device.freeMemoryBytes();
    if (needed <= free) return;
    int batch = inputs.isEmpty() ? 1 : Math.max(1, inputs.get(0).shape().dim(0));
    long perImage = Math.max(1, (needed - weightBytes) / batch);
    long fits = Math.max(0, (free - weightBytes) / perImage);
    throw new ModelException(
        String.format(
            "%s: a batch of %d needs %d MiB of device memory (%d MiB of weights, %d"
                + " KiB per image), but %s has %d MiB free; a batch of at most %d fits",
            source,
            batch,
            needed >> 20,
            weightBytes >> 20,
            perImage >> 10,
            device.name(),
            free >> 20,
            fits));
  }

  /**
   * Allocates every planned buffer and uploads the weights; on failure frees what it allocated and
   * rethrows.
   */
  void allocate(Device device) {
    try {
      mixed.reserve(stagingBytes);
      for (Slot slot : slots) {
        DeviceBuffer b = device.allocate(BufferPlanner.allocationBytes(slot.bytes()));
        buffers.add(b);
        slot.allocate(b);
      }
      for (Map.Entry<DeviceValue, Tensor> w : weights.entrySet()) {
        float[] data = w.getValue().data();
        DeviceBuffer b =
            device.allocate(BufferPlanner.allocationBytes((long) data.length * Float.BYTES));
        buffers.add(b);
        device.copyToDevice(data, 0, b, 0, data.length);
        w.getKey().storage().own(b);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Buffers plus weights plus, in BF16/FP16, the 16-bit staging; the device's shared convolution
   * workspace is not counted.
   */
  long peakBytes() {
    long b = weightBytes + stagingBytes;
    for (Slot s : slots) b += BufferPlanner.allocationBytes(s.bytes());
    return b;
  }

  /**
   * What the activations and gradients would take with a buffer each, plus the weights: the
   * planner's baseline.
   */
  long unplannedBytes() {
    long b = weightBytes;
    for (Slot s : slots)
      for (Storage st : s.storages()) b += BufferPlanner.allocationBytes(st.bytes());
    return b;
  }

  /** The activation and gradient buffers (weights not counted). */
  int bufferCount() {
    return slots.size();
  }

  /** Bytes of the staging arena now. */
  long stagingArenaBytes() {
    return mixed.arenaBytes();
  }

  /** Frees every buffer and the staging arena; idempotent (a buffer's close is). */
  @Override
  public void close() {
    for (DeviceBuffer b : buffers) b.close();
    mixed.close();
  }
}
