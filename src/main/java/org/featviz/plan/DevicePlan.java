package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceException;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;

/**
 * A graph lowered for one {@link Device} at fixed shapes: the ordered {@link Step}s that compute the targets, the
 * backward wiring to the gradient inputs (input gradients only; weights are frozen), and every buffer planned by
 * lifetime ({@link Timeline}, {@link BufferPlanner}) and allocated when the plan is built. Weights are uploaded
 * once; running the plan allocates nothing. The activations a backward step reads are kept until it has run, so a
 * {@link #backward} must follow a {@link #forward} (once: the backward reuses their memory afterwards). The same
 * run without host round trips (the render loop's): write {@link #inputBuffer}, {@link #runForward}, read
 * {@link #activationBuffer} and write {@link #seedBuffer} in place, {@link #runBackward}, read
 * {@link #inputGradientBuffer}.
 *
 * <pre>
 * try (DevicePlan plan = DevicePlan.lower(device, prepared, List.of("conv3"), List.of("input"))) {
 *   Map&lt;String, Tensor&gt; acts = plan.forward(Map.of("input", x));
 *   Map&lt;String, Tensor&gt; grads = plan.backward(Map.of("conv3", seed));
 * }
 * </pre>
 */
public final class DevicePlan implements AutoCloseable {
  private final Device device;
  private final Graph graph;
  private final List<String> targets;
  private final List<String> gradientInputs;
  private final Lowering.Result lowered;
  private final BackwardWiring wiring;
  private final List<Slot> slots;
  private final List<DeviceBuffer> buffers = new ArrayList<>();
  private final long weightBytes;
  private boolean forwardDone;
  private boolean closed;

  private DevicePlan(Device device, Graph graph, List<String> targets, List<String> gradientInputs) {
    this.device = device;
    this.graph = graph;
    this.targets = List.copyOf(targets);
    this.gradientInputs = List.copyOf(gradientInputs);
    checkNames();
    lowered = Lowering.lower(graph, targets);
    List<Step> steps = lowered.steps();
    Timeline time = new Timeline(steps.size());
    for (DeviceValue in : lowered.inputs()) in.storage().use(time.upload());
    for (int k = 0; k < steps.size(); k++) {
      Step s = steps.get(k);
      for (DeviceValue in : s.inputs()) in.storage().use(time.forward(k));
      s.output().storage().use(time.forward(k));
    }
    for (DeviceValue t : targetValues()) t.storage().use(time.readForward());
    List<DeviceValue> gradientValues = new ArrayList<>();
    for (String name : gradientInputs) {
      DeviceValue v = lowered.values().get(name);
      if (v != null) gradientValues.add(v);
    }
    wiring = gradientValues.isEmpty() ? null
        : new BackwardWiring(steps, gradientValues, targetValues(), time, graph.opset());
    List<Storage> storages = new ArrayList<>();
    Set<Storage> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (DeviceValue v : lowered.values().values()) if (seen.add(v.storage())) storages.add(v.storage());
    for (Step s : steps) if (seen.add(s.output().storage())) storages.add(s.output().storage());
    if (wiring != null) storages.addAll(wiring.gradientStorages());
    slots = BufferPlanner.assign(storages);
    long w = 0;
    for (Tensor t : lowered.weights().values()) w += BufferPlanner.allocationBytes((long) t.size() * Float.BYTES);
    weightBytes = w;
    checkFits();
    allocate();
  }

  /**
   * Refuses a plan that needs more device memory than is free, naming what it needs, what is free and the batch
   * that would fit (activations and gradients scale with the batch; weights do not).
   */
  private void checkFits() {
    long needed = peakDeviceBytes();
    long free = device.freeMemoryBytes();
    if (needed <= free) return;
    int batch = lowered.inputs().isEmpty() ? 1 : Math.max(1, lowered.inputs().get(0).shape().dim(0));
    long perImage = Math.max(1, (needed - weightBytes) / batch);
    long fits = Math.max(0, (free - weightBytes) / perImage);
    throw new ModelException(String.format("%s: a batch of %d needs %d MiB of device memory (%d MiB of weights, %d"
        + " KiB per image), but %s has %d MiB free; a batch of at most %d fits", graph.source(), batch,
        needed >> 20, weightBytes >> 20, perImage >> 10, device.name(), free >> 20, fits));
  }

  /**
   * Lowers {@code graph} (prepared: every value has a static shape, e.g. from passes.Prepare) for computing
   * {@code targets} and, when {@code gradientInputs} (graph inputs) is not empty, the gradients of those inputs.
   * Throws {@link ModelException} (an UnsupportedOpException for an op or variant the plan cannot lower) naming the
   * node and op.
   */
  public static DevicePlan lower(Device device, Graph graph, Collection<String> targets,
      Collection<String> gradientInputs) {
    return new DevicePlan(device, graph, new ArrayList<>(new java.util.LinkedHashSet<>(targets)),
        new ArrayList<>(new java.util.LinkedHashSet<>(gradientInputs)));
  }

  /** A forward-only plan: no backward wiring, no activations kept beyond their last forward use. */
  public static DevicePlan lowerForward(Device device, Graph graph, Collection<String> targets) {
    return lower(device, graph, targets, List.of());
  }

  private void checkNames() {
    Set<String> known = new HashSet<>(graph.shapes().keySet());
    known.addAll(graph.initializers().keySet());
    for (String t : targets) {
      if (!known.contains(t)) {
        throw new ModelException(graph.source() + ": unknown target value '" + t + "'; layers are: "
            + String.join(", ", graph.layerNames()));
      }
    }
    Set<String> inputs = new HashSet<>();
    for (ValueInfo in : graph.inputs()) inputs.add(in.name());
    for (String g : gradientInputs) {
      if (!inputs.contains(g)) {
        throw new ModelException(graph.source() + ": gradient input '" + g + "' is not a graph input; inputs are: "
            + inputs);
      }
    }
  }

  private List<DeviceValue> targetValues() {
    List<DeviceValue> r = new ArrayList<>();
    for (String t : targets) {
      DeviceValue v = lowered.values().get(t);
      if (v != null) r.add(v);
    }
    return r;
  }

  private void allocate() {
    try {
      for (Slot slot : slots) {
        DeviceBuffer b = device.allocate(BufferPlanner.allocationBytes(slot.bytes()));
        buffers.add(b);
        slot.allocate(b);
      }
      for (Map.Entry<DeviceValue, Tensor> w : lowered.weights().entrySet()) {
        float[] data = w.getValue().data();
        DeviceBuffer b = device.allocate(BufferPlanner.allocationBytes((long) data.length * Float.BYTES));
        buffers.add(b);
        device.copyToDevice(data, 0, b, 0, data.length);
        w.getKey().storage().own(b);
      }
      for (Step s : lowered.steps()) {
        if (s instanceof ConvStep conv) device.convolutionPrepare(conv.descriptor());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  // ---- Running ------------------------------------------------------------------------------------------------

  /**
   * Uploads the graph inputs the targets need (each with the shape the plan was built for), runs every step and
   * returns the targets as host tensors. Feeds the plan does not need are ignored.
   */
  public Map<String, Tensor> forward(Map<String, Tensor> feeds) {
    checkOpen();
    upload(feeds);
    runForward();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : targets) {
      DeviceValue v = lowered.values().get(name);
      out.put(name, v != null ? read(v) : graph.initializers().get(name).copy());
    }
    return out;
  }

  private void upload(Map<String, Tensor> feeds) {
    for (DeviceValue in : lowered.inputs()) {
      Tensor t = feeds.get(in.name());
      if (t == null) throw new ModelException(graph.source() + ": input '" + in.name() + "' was not fed");
      if (!t.shape().equals(in.shape())) {
        throw new ModelException(graph.source() + ": input '" + in.name() + "' has shape " + t.shape()
            + ", but the plan was built for " + in.shape());
      }
      if (t.size() > 0) device.copyToDevice(t.data(), 0, in.buffer(), 0, t.size());
    }
  }

  /**
   * Back-propagates {@code seeds} (gradients with respect to targets; a target without one gets zeros) to the
   * gradient inputs and returns their gradients. Needs the forward just before it.
   */
  public Map<String, Tensor> backward(Map<String, Tensor> seeds) {
    checkOpen();
    checkBackwardReady();
    for (String name : seeds.keySet()) {
      if (!targets.contains(name)) {
        throw new IllegalArgumentException("gradient seed for '" + name + "', which is not a target of this plan "
            + targets);
      }
    }
    if (wiring != null) writeSeeds(seeds);
    runBackward();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : gradientInputs) {
      DeviceValue v = lowered.values().get(name);
      DeviceValue g = v == null || wiring == null ? null : wiring.writtenGradient(v);
      out.put(name, g != null ? read(g) : Tensor.zeros(graph.shape(name)));
    }
    return out;
  }

  private void checkBackwardReady() {
    if (gradientInputs.isEmpty()) throw new IllegalStateException("this plan was built without gradient inputs");
    if (!forwardDone) {
      throw new IllegalStateException("backward needs the forward just before it (a backward reuses the memory of "
          + "the activations it read)");
    }
  }

  // ---- Running without host round trips ---------------------------------------------------------------------
  // The device-resident entry points that a render loop uses: the caller writes the inputs into inputBuffer(),
  // runs runForward(), reads the targets' activations and writes their gradient seeds in place (with kernels),
  // runs runBackward() and reads inputGradientBuffer(). Nothing is copied to or from the host. Buffers hold their
  // values from offset 0 in the value's dense layout (its shape(), row-major).

  /**
   * The buffer a forward reads graph input {@code name} from; write it (shape {@link #inputShapes()}), then call
   * {@link #runForward()}. The buffer is the plan's, valid while the plan is open; the backward may reuse it, so
   * write it again before every forward.
   */
  public DeviceBuffer inputBuffer(String name) {
    checkOpen();
    for (DeviceValue in : lowered.inputs()) if (in.name().equals(name)) return in.buffer();
    throw new IllegalArgumentException("'" + name + "' is not an input this plan reads; it reads "
        + inputShapes().keySet());
  }

  /** Runs every forward step on the inputs already in {@link #inputBuffer}s. */
  public void runForward() {
    checkOpen();
    for (Step s : lowered.steps()) {
      try {
        s.forward(device);
      } catch (DeviceException e) {
        throw named(s, "forward", e);
      }
    }
    forwardDone = true;
  }

  /**
   * Target {@code name}'s activations [shape(name)], valid after {@link #runForward()} until {@link #runBackward()}
   * starts (the backward reuses their memory). Throws for an initializer target (it has no activation buffer).
   */
  public DeviceBuffer activationBuffer(String name) {
    checkOpen();
    if (!forwardDone) throw new IllegalStateException("activations are readable after runForward, before the backward");
    return targetValue(name).buffer();
  }

  /**
   * The buffer the backward reads target {@code name}'s gradient seed from [shape(name)], or null where no
   * gradient flows from that target to a gradient input (nothing to seed). Targets that alias one another (a
   * Reshape of another target) share one seed buffer, so seeds written into it add up. Write it after
   * {@link #runForward()}: it may share memory with activations that are dead by then, never with the targets'.
   */
  public DeviceBuffer seedBuffer(String name) {
    checkOpen();
    DeviceValue v = targetValue(name);
    if (wiring == null) return null;
    for (Map.Entry<Storage, List<DeviceValue>> e : wiring.seeded().entrySet()) {
      if (e.getValue().contains(v)) return e.getKey().buffer();
    }
    return null;
  }

  /** Sets every seed buffer to zero (the start of a step whose objectives add their gradients into them). */
  public void clearSeeds() {
    checkOpen();
    if (wiring == null) return;
    for (Storage g : wiring.seeded().keySet()) if (g.bytes() > 0) device.memsetZero(g.buffer(), 0, g.bytes());
  }

  /** Runs the backward steps from the seed buffers as the caller left them. Needs the forward just before it. */
  public void runBackward() {
    checkOpen();
    checkBackwardReady();
    forwardDone = false;
    if (wiring == null) return;
    for (Step s : wiring.backwardSteps()) {
      try {
        s.backward(device);
      } catch (DeviceException e) {
        throw named(s, "backward", e);
      }
    }
  }

  /**
   * The gradient of gradient input {@code name} [its input shape] after {@link #runBackward()}, valid until the
   * next forward; null where no gradient reaches it (it is zero).
   */
  public DeviceBuffer inputGradientBuffer(String name) {
    checkOpen();
    if (!gradientInputs.contains(name)) {
      throw new IllegalArgumentException("'" + name + "' is not a gradient input of this plan " + gradientInputs);
    }
    DeviceValue v = lowered.values().get(name);
    DeviceValue g = v == null || wiring == null ? null : wiring.writtenGradient(v);
    return g == null ? null : g.buffer();
  }

  /** The shape of a value of the plan's graph (a target, an input). */
  public Shape shape(String name) {
    Shape s = graph.shapes().get(name);
    if (s == null) throw new IllegalArgumentException("the plan's graph has no value '" + name + "'");
    return s;
  }

  private DeviceValue targetValue(String name) {
    if (!targets.contains(name)) {
      throw new IllegalArgumentException("'" + name + "' is not a target of this plan " + targets);
    }
    DeviceValue v = lowered.values().get(name);
    if (v == null) throw new IllegalArgumentException("target '" + name + "' is an initializer: it has no buffer");
    return v;
  }

  /** Seeds of targets that share a gradient storage (aliases) are summed on the host; absent seeds are zeros. */
  private void writeSeeds(Map<String, Tensor> seeds) {
    for (Map.Entry<Storage, List<DeviceValue>> e : wiring.seeded().entrySet()) {
      float[] sum = null;
      for (DeviceValue t : e.getValue()) {
        Tensor seed = seeds.get(t.name());
        if (seed == null) continue;
        if (seed.size() != t.count()) {
          throw new IllegalArgumentException("gradient seed for '" + t.name() + "' has shape " + seed.shape()
              + ", expected " + t.shape());
        }
        if (sum == null) {
          sum = seed.data().clone();
        } else {
          float[] s = seed.data();
          for (int i = 0; i < sum.length; i++) sum[i] += s[i];
        }
      }
      DeviceBuffer buffer = e.getKey().buffer();
      long bytes = e.getKey().bytes();
      if (sum == null) {
        if (bytes > 0) device.memsetZero(buffer, 0, bytes);
      } else if (sum.length > 0) {
        device.copyToDevice(sum, 0, buffer, 0, sum.length);
      }
    }
  }

  private Tensor read(DeviceValue v) {
    float[] data = new float[v.count()];
    if (data.length > 0) device.copyToHost(v.buffer(), 0, data, 0, data.length);
    return Tensor.of(v.shape(), data);
  }

  // ---- Introspection --------------------------------------------------------------------------------------------

  public Graph graph() {
    return graph;
  }

  public List<String> targets() {
    return targets;
  }

  public List<String> gradientInputs() {
    return gradientInputs;
  }

  /** The shape each graph input must be fed with. */
  public Map<String, Shape> inputShapes() {
    Map<String, Shape> r = new LinkedHashMap<>();
    for (DeviceValue in : lowered.inputs()) r.put(in.name(), in.shape());
    return r;
  }

  /**
   * The device memory this plan holds: its activation and gradient buffers plus its weights. (The device's
   * convolution workspace, shared by every plan on it, is not counted.)
   */
  public long peakDeviceBytes() {
    long b = weightBytes;
    for (Slot s : slots) b += BufferPlanner.allocationBytes(s.bytes());
    return b;
  }

  /** What the activations and gradients would take with a buffer each, plus the weights: the planner's baseline. */
  public long unplannedDeviceBytes() {
    long b = weightBytes;
    for (Slot s : slots) for (Storage st : s.storages()) b += BufferPlanner.allocationBytes(st.bytes());
    return b;
  }

  /** The activation and gradient buffers (weights not counted). */
  public int bufferCount() {
    return slots.size();
  }

  public int stepCount() {
    return lowered.steps().size();
  }

  /** A device failure inside a step, rethrown naming the step's node, op type and direction (once). */
  private static DeviceException named(Step s, String direction, DeviceException e) {
    return e instanceof DeviceStepException ? e : new DeviceStepException(s.node(), direction, e);
  }

  /** One line per step (forward order) and a summary of the buffers, for logs and debugging. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    int k = 0;
    for (Step s : lowered.steps()) {
      b.append(String.format("%3d  %s%n", k++, s));
    }
    b.append(String.format("%d steps, %d with a backward, %d buffers, %d bytes of device memory (%d unplanned)",
        stepCount(), wiring == null ? 0 : wiring.backwardSteps().size(), bufferCount(), peakDeviceBytes(),
        unplannedDeviceBytes()));
    return b.toString();
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("device plan used after close");
  }

  /** Frees every buffer of the plan; idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    forwardDone = false;
    for (DeviceBuffer b : buffers) b.close();
  }
}
