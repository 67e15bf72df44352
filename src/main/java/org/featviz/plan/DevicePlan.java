package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;

/**
 * A graph lowered for one {@link Device} at fixed shapes, and the entry points that run it. Behind
 * it: the {@link StepProgram} (the ordered {@link Step}s that compute the targets and the backward
 * wiring to the gradient inputs; input gradients only, weights are frozen), its {@link PlanMemory}
 * (every buffer planned by lifetime and allocated when the plan is built, weights uploaded once;
 * running the plan allocates nothing) and its {@link SeedBuffers}. The activations a backward step
 * reads are kept until it has run, so a {@link #backward} must follow a {@link #forward} (once: the
 * backward reuses their memory afterwards). The same run without host round trips (the render
 * loop's): write {@link #inputBuffer}, {@link #runForward}, read {@link #activationBuffer} and
 * write {@link #seedBuffer} in place, {@link #runBackward}, read {@link #inputGradientBuffer}.
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
  private final StepProgram program;
  private final PlanMemory memory;
  private final SeedBuffers seeds;
  private boolean forwardDone;
  private boolean closed;

  private DevicePlan(
      Device device, Graph graph, List<String> targets, List<String> gradientInputs) {
    this.device = device;
    this.graph = graph;
    this.targets = List.copyOf(targets);
    this.gradientInputs = List.copyOf(gradientInputs);
    checkNames();
    MixedPrecision mixed = new MixedPrecision(device);
    program = StepProgram.lower(graph, this.targets, this.gradientInputs, mixed);
    memory = new PlanMemory(program, device.mathMode(), mixed);
    seeds = new SeedBuffers(program.wiring());
    memory.checkFits(device, graph.source(), program.inputs());
    memory.allocate(device);
    try {
      program.prepare(device);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Lowers {@code graph} (prepared: every value has a static shape, e.g. from passes.Prepare) for
   * computing {@code targets} and, when {@code gradientInputs} (graph inputs) is not empty, the
   * gradients of those inputs. Throws {@link ModelException} (an UnsupportedOpException for an op
   * or variant the plan cannot lower) naming the node and op.
   */
  public static DevicePlan lower(
      Device device, Graph graph, Collection<String> targets, Collection<String> gradientInputs) {
    return new DevicePlan(
        device,
        graph,
        new ArrayList<>(new LinkedHashSet<>(targets)),
        new ArrayList<>(new LinkedHashSet<>(gradientInputs)));
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
        throw new ModelException(
            graph.source()
                + ": unknown target value '"
                + t
                + "'; layers are: "
                + String.join(", ", graph.layerNames()));
      }
    }
    Set<String> inputs = new HashSet<>();
    for (ValueInfo in : graph.inputs()) inputs.add(in.name());
    for (String g : gradientInputs) {
      if (!inputs.contains(g)) {
        throw new ModelException(
            graph.source()
                + ": gradient input '"
                + g
                + "' is not a graph input; inputs are: "
                + inputs);
      }
    }
  }

  // ---- Running with host tensors
  // ----------------------------------------------------------------------------

  /**
   * Uploads the graph inputs the targets need (each with the shape the plan was built for), runs
   * every step and returns the targets as host tensors. Feeds the plan does not need are ignored.
   */
  public Map<String, Tensor> forward(Map<String, Tensor> feeds) {
    checkOpen();
    upload(feeds);
    runForward();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : targets) {
      DeviceValue v = program.value(name);
      out.put(name, v != null ? read(v) : graph.initializers().get(name).copy());
    }
    return out;
  }

  private void upload(Map<String, Tensor> feeds) {
    for (DeviceValue in : program.inputs()) {
      Tensor t = feeds.get(in.name());
      if (t == null)
        throw new ModelException(graph.source() + ": input '" + in.name() + "' was not fed");
      if (!t.shape().equals(in.shape())) {
        throw new ModelException(
            graph.source()
                + ": input '"
                + in.name()
                + "' has shape "
                + t.shape()
                + ", but the plan was built for "
                + in.shape());
      }
      if (t.size() > 0) device.copyToDevice(t.data(), 0, in.buffer(), 0, t.size());
    }
  }

  /**
   * Back-propagates {@code seeds} (gradients with respect to targets; a target without one gets
   * zeros) to the gradient inputs and returns their gradients. Needs the forward just before it.
   */
  public Map<String, Tensor> backward(Map<String, Tensor> seeds) {
    checkOpen();
    checkBackwardReady();
    for (String name : seeds.keySet()) {
      if (!targets.contains(name)) {
        throw new IllegalArgumentException(
            "gradient seed for '" + name + "', which is not a target of this plan " + targets);
      }
    }
    this.seeds.write(device, seeds);
    runBackward();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : gradientInputs) {
      DeviceValue g = program.writtenGradient(program.value(name));
      out.put(name, g != null ? read(g) : Tensor.zeros(graph.shape(name)));
    }
    return out;
  }

  private void checkBackwardReady() {
    if (gradientInputs.isEmpty())
      throw new IllegalStateException("this plan was built without gradient inputs");
    if (!forwardDone) {
      throw new IllegalStateException(
          "backward needs the forward just before it (a backward reuses the memory of "
              + "the activations it read)");
    }
  }

  private Tensor read(DeviceValue v) {
    float[] data = new float[v.count()];
    if (data.length > 0) device.copyToHost(v.buffer(), 0, data, 0, data.length);
    return Tensor.of(v.shape(), data);
  }

  // ---- Running without host round trips
  // ---------------------------------------------------------------------
  // The device-resident entry points that a render loop uses: the caller writes the inputs into
  // inputBuffer(),
  // runs runForward(), reads the targets' activations and writes their gradient seeds in place
  // (with kernels),
  // runs runBackward() and reads inputGradientBuffer(). Nothing is copied to or from the host.
  // Buffers hold their
  // values from offset 0 in the value's dense layout (its shape(), row-major).

  /**
   * The buffer a forward reads graph input {@code name} from; write it (shape {@link
   * #inputShapes()}), then call {@link #runForward()}. The buffer is the plan's, valid while the
   * plan is open; the backward may reuse it, so write it again before every forward.
   */
  public DeviceBuffer inputBuffer(String name) {
    checkOpen();
    for (DeviceValue in : program.inputs()) if (in.name().equals(name)) return in.buffer();
    throw new IllegalArgumentException(
        "'" + name + "' is not an input this plan reads; it reads " + inputShapes().keySet());
  }

  /** Runs every forward step on the inputs already in {@link #inputBuffer}s. */
  public void runForward() {
    checkOpen();
    program.runForward(device);
    forwardDone = true;
  }

  /**
   * Target {@code name}'s activations [shape(name)], valid after {@link #runForward()} until {@link
   * #runBackward()} starts (the backward reuses their memory). Throws for an initializer target (it
   * has no activation buffer).
   */
  public DeviceBuffer activationBuffer(String name) {
    checkOpen();
    if (!forwardDone)
      throw new IllegalStateException(
          "activations are readable after runForward, before the backward");
    return targetValue(name).buffer();
  }

  /**
   * A host copy of {@link #activationBuffer}'s contents: target {@code name}'s activations
   * [shape(name)].
   */
  public Tensor activation(String name) {
    activationBuffer(name); // the same checks: open, after the forward
    return read(targetValue(name));
  }

  /**
   * The buffer the backward reads target {@code name}'s gradient seed from [shape(name)], or null
   * where no gradient flows from that target to a gradient input (nothing to seed). Targets that
   * alias one another (a Reshape of another target) share one seed buffer, so seeds written into it
   * add up. Write it after {@link #runForward()}: it may share memory with activations that are
   * dead by then, never with the targets'.
   */
  public DeviceBuffer seedBuffer(String name) {
    checkOpen();
    return seeds.buffer(targetValue(name));
  }

  /**
   * Sets every seed buffer to zero (the start of a step whose objectives add their gradients into
   * them).
   */
  public void clearSeeds() {
    checkOpen();
    seeds.clear(device);
  }

  /**
   * Runs the backward steps from the seed buffers as the caller left them. Needs the forward just
   * before it.
   */
  public void runBackward() {
    checkOpen();
    checkBackwardReady();
    forwardDone = false;
    program.runBackward(device);
  }

  /**
   * The gradient of gradient input {@code name} [its input shape] after {@link #runBackward()},
   * valid until the next forward; null where no gradient reaches it (it is zero).
   */
  public DeviceBuffer inputGradientBuffer(String name) {
    checkOpen();
    if (!gradientInputs.contains(name)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a gradient input of this plan " + gradientInputs);
    }
    DeviceValue g = program.writtenGradient(program.value(name));
    return g == null ? null : g.buffer();
  }

  /** The shape of a value of the plan's graph (a target, an input). */
  public Shape shape(String name) {
    Shape s = graph.shapes().get(name);
    if (s == null)
      throw new IllegalArgumentException("the plan's graph has no value '" + name + "'");
    return s;
  }

  private DeviceValue targetValue(String name) {
    if (!targets.contains(name)) {
      throw new IllegalArgumentException("'" + name + "' is not a target of this plan " + targets);
    }
    DeviceValue v = program.value(name);
    if (v == null)
      throw new IllegalArgumentException(
          "target '" + name + "' is an initializer: it has no buffer");
    return v;
  }

  // ---- Introspection
  // --------------------------------------------------------------------------------------------

  public Graph graph() {
    return graph;
  }

  public List<String> targets() {
    return targets;
  }

  /** The shape each graph input must be fed with. */
  public Map<String, Shape> inputShapes() {
    Map<String, Shape> r = new LinkedHashMap<>();
    for (DeviceValue in : program.inputs()) r.put(in.name(), in.shape());
    return r;
  }

  /**
   * The device memory this plan holds: its activation and gradient buffers plus its weights, and in
   * BF16/FP16 the 16-bit staging its largest convolution or GEMM needs. (The device's convolution
   * workspace, shared by every plan on it, is not counted.)
   */
  public long peakDeviceBytes() {
    return memory.peakBytes();
  }

  /**
   * What the activations and gradients would take with a buffer each, plus the weights: the
   * planner's baseline.
   */
  public long unplannedDeviceBytes() {
    return memory.unplannedBytes();
  }

  /** The activation and gradient buffers (weights not counted). */
  public int bufferCount() {
    return memory.bufferCount();
  }

  public int stepCount() {
    return program.steps().size();
  }

  /** Steps that compute several graph nodes in one library call (a Conv and the Relu after it). */
  public int fusedStepCount() {
    return program.fusedStepCount();
  }

  /** Bytes of the plan's 16-bit staging arena now (0 in FP32 and TF32). */
  long stagingBytes() {
    return memory.stagingArenaBytes();
  }

  /** One line per step (forward order) and a summary of the buffers, for logs and debugging. */
  public String describe() {
    int fused = fusedStepCount();
    return program.listing()
        + String.format(
            "%d steps%s, %d with a backward, %d buffers, %d bytes of device memory"
                + " (%d unplanned)",
            stepCount(),
            fused == 0 ? "" : " (" + fused + " fused)",
            program.backwardStepCount(),
            bufferCount(),
            peakDeviceBytes(),
            unplannedDeviceBytes());
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
    memory.close();
  }
}
