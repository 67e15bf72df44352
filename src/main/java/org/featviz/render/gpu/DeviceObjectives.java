package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.FusedTerm;
import org.featviz.plan.DevicePlan;
import org.featviz.render.BatchSampleView;
import org.featviz.render.RenderTarget;

/**
 * The gradient seeds of a batch's objectives, written into a {@link DevicePlan}'s seed buffers after its forward:
 * the device side of {@link org.featviz.render.Renderer}'s objective evaluation. Every target whose objective
 * decomposes into fused terms ({@link org.featviz.objective.Objective#fusedTerms()}) is computed by the objective
 * kernels: terms are grouped by layer, kind, weight and parameters, and each group is ONE launch over the whole
 * batch, each sample with its own unit or vector ({@link ObjectiveKernels}). Samples outside a group are left out
 * by an out-of-range unit (channel, neuron, iam) or a zero vector (direction, cosine, dot x cossim), which add no
 * gradient; for orthogonal penalty and L2 inversion, which a zero vector does not silence, a group that leaves
 * samples out runs into a cleared scratch buffer whose group samples are then added to the seed
 * ({@link RenderKernels#moveSamples}).
 *
 * <p>Targets whose objective has no fused form (whitened objectives, layer penalties, sums containing them) are
 * evaluated on the host: the activations of the layers they read are copied back for the whole batch, their
 * objectives evaluated as the CPU renderer does, and the gradients uploaded into the seed buffers. Only batches
 * with such targets pay for that round trip. Per-step objective values are not kept (the renderer measures the
 * final images); the kernels' value outputs go to a scratch buffer.
 */
final class DeviceObjectives implements AutoCloseable {
  /** Term kinds; the excludable ones silence a sample with an out-of-range unit or a zero vector. */
  private enum Kind {
    CHANNEL(true), NEURON(true), IAM(true), DIRECTION(true), COSINE(true), DOT_COSSIM(true),
    ORTHOGONAL(false), L2_INVERSION(false);

    final boolean excludable;

    Kind(boolean excludable) {
      this.excludable = excludable;
    }
  }

  /** What one launch shares: the layer, the kind, the weight and the kind's parameters. */
  private record GroupKey(String layer, Kind kind, double weight, double p1, double p2) {}

  /** One launch: a group key, its occurrence within a sample (a sum may repeat a key), and its samples. */
  private record Launch(GroupKey key, TargetLayer geometry, DeviceBuffer data, DeviceBuffer positions,
      DeviceBuffer mask) {}

  private final Device device;
  private final List<RenderTarget> targets;
  private final int batch;
  private final boolean[] onHost;
  private final Set<String> hostLayers = new LinkedHashSet<>();
  private final List<Launch> launches = new ArrayList<>();
  private final List<DeviceBuffer> owned = new ArrayList<>();
  private DeviceBuffer value;
  private DeviceBuffer scratch;

  /** @param layerShapes each objective layer's batch shape [B, ...] in the plan */
  DeviceObjectives(Device device, List<RenderTarget> targets, Map<String, Shape> layerShapes) {
    this.device = device;
    this.targets = targets;
    this.batch = targets.size();
    this.onHost = new boolean[batch];
    try {
      build(layerShapes);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Whether sample b's objective is evaluated on the host. */
  boolean onHost(int b) {
    return onHost[b];
  }

  /** The number of kernel launches per step (for tests and logs). */
  int launchCount() {
    return launches.size();
  }

  private void build(Map<String, Shape> layerShapes) {
    // (group key, occurrence) -> sample -> term, in a fixed order
    Map<GroupKey, Map<Integer, Map<Integer, FusedTerm>>> groups = new LinkedHashMap<>();
    for (int b = 0; b < batch; b++) {
      Optional<List<FusedTerm>> terms = targets.get(b).objective().fusedTerms();
      if (terms.isEmpty()) {
        onHost[b] = true;
        hostLayers.addAll(targets.get(b).objective().layers());
        continue;
      }
      Map<GroupKey, Integer> seen = new HashMap<>();
      for (FusedTerm t : terms.get()) {
        GroupKey key = keyOf(t);
        int occurrence = seen.merge(key, 1, Integer::sum) - 1;
        groups.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(occurrence, k -> new TreeMap<>())
            .put(b, t);
      }
    }
    long largest = 0;
    for (Map.Entry<GroupKey, Map<Integer, Map<Integer, FusedTerm>>> g : groups.entrySet()) {
      GroupKey key = g.getKey();
      Shape shape = layerShapes.get(key.layer());
      if (shape == null) throw new IllegalArgumentException("no shape for objective layer '" + key.layer() + "'");
      TargetLayer geometry = TargetLayer.of(shape);
      for (Map<Integer, FusedTerm> members : g.getValue().values()) {
        launches.add(launch(key, geometry, BatchSampleView.sampleShape(shape), members));
        if (!key.kind().excludable && members.size() < batch) largest = Math.max(largest, geometry.size());
      }
    }
    value = allocate(Math.max(1, batch) * (long) Float.BYTES);
    if (largest > 0) scratch = allocate(largest * Float.BYTES);
  }

  private static GroupKey keyOf(FusedTerm t) {
    if (t instanceof FusedTerm.Channel c) return new GroupKey(c.layer(), Kind.CHANNEL, c.weight(), 0, 0);
    if (t instanceof FusedTerm.Neuron n) return new GroupKey(n.layer(), Kind.NEURON, n.weight(), 0, 0);
    if (t instanceof FusedTerm.Iam i) return new GroupKey(i.layer(), Kind.IAM, i.weight(), 0, 0);
    if (t instanceof FusedTerm.Direction d) return new GroupKey(d.layer(), Kind.DIRECTION, d.weight(), 0, 0);
    if (t instanceof FusedTerm.Cosine c) return new GroupKey(c.layer(), Kind.COSINE, c.weight(), 0, 0);
    if (t instanceof FusedTerm.DotCossim d) {
      return new GroupKey(d.layer(), Kind.DOT_COSSIM, d.weight(), d.power(), d.floor());
    }
    if (t instanceof FusedTerm.OrthogonalPenalty o) {
      return new GroupKey(o.layer(), Kind.ORTHOGONAL, o.weight(), o.lambda(), 0);
    }
    if (t instanceof FusedTerm.L2Inversion l) return new GroupKey(l.layer(), Kind.L2_INVERSION, l.weight(), 0, 0);
    throw new IllegalStateException("unknown fused term " + t);
  }

  /** Uploads one launch's per-sample data: units (and positions), or vectors; zeros or -1 for samples outside. */
  private Launch launch(GroupKey key, TargetLayer geometry, Shape sampleShape, Map<Integer, FusedTerm> members) {
    DeviceBuffer data;
    DeviceBuffer positions = null;
    int units = geometry.units();
    switch (key.kind()) {
      case CHANNEL, IAM, NEURON -> {
        int[] unit = new int[batch];
        int[] position = new int[batch];
        Arrays.fill(unit, -1);
        for (Map.Entry<Integer, FusedTerm> e : members.entrySet()) {
          FusedTerm t = e.getValue();
          int b = e.getKey();
          if (t instanceof FusedTerm.Channel c) unit[b] = c.unit();
          if (t instanceof FusedTerm.Iam i) unit[b] = i.unit();
          if (t instanceof FusedTerm.Neuron n) {
            unit[b] = n.unit();
            position[b] = n.x() == null ? ObjectiveKernels.centerPosition(sampleShape)
                : ObjectiveKernels.position(n.x(), n.y(), sampleShape.dim(sampleShape.rank() - 1));
          }
        }
        data = upload(unit);
        if (key.kind() == Kind.NEURON) positions = upload(position);
      }
      case L2_INVERSION -> {
        int per = geometry.sampleSize();
        float[] all = new float[batch * per];
        for (Map.Entry<Integer, FusedTerm> e : members.entrySet()) {
          System.arraycopy(((FusedTerm.L2Inversion) e.getValue()).target(), 0, all, e.getKey() * per, per);
        }
        data = upload(all);
      }
      default -> {
        float[] all = new float[batch * units];
        for (Map.Entry<Integer, FusedTerm> e : members.entrySet()) {
          System.arraycopy(vector(e.getValue()), 0, all, e.getKey() * units, units);
        }
        data = upload(all);
      }
    }
    DeviceBuffer mask = null;
    if (!key.kind().excludable && members.size() < batch) {
      int[] m = new int[batch];
      for (int b : members.keySet()) m[b] = 1;
      mask = upload(m);
    }
    return new Launch(key, geometry, data, positions, mask);
  }

  private static float[] vector(FusedTerm t) {
    if (t instanceof FusedTerm.Direction d) return d.vector();
    if (t instanceof FusedTerm.Cosine c) return c.vector();
    if (t instanceof FusedTerm.DotCossim d) return d.vector();
    if (t instanceof FusedTerm.OrthogonalPenalty o) return o.vector();
    throw new IllegalStateException("no vector in " + t);
  }

  /**
   * Writes the batch's gradient seeds into the plan's seed buffers, which the caller cleared
   * ({@link DevicePlan#clearSeeds()}) after the forward: first the host-evaluated targets' gradients (uploaded),
   * then the kernels' (added).
   */
  void seed(DevicePlan plan) {
    if (!hostLayers.isEmpty()) seedOnHost(plan);
    for (Launch l : launches) {
      DeviceBuffer seed = plan.seedBuffer(l.key().layer());
      if (seed == null) continue;  // no gradient flows from this layer to the input
      DeviceBuffer acts = plan.activationBuffer(l.key().layer());
      if (l.mask() == null) {
        run(l, acts, seed);
      } else {
        device.memsetZero(scratch, 0, l.geometry().size() * Float.BYTES);
        run(l, acts, scratch);
        RenderKernels.moveSamples(device, scratch, seed, l.mask(), batch, l.geometry().sampleSize());
      }
    }
  }

  private void run(Launch l, DeviceBuffer acts, DeviceBuffer grad) {
    GroupKey k = l.key();
    TargetLayer g = l.geometry();
    float w = (float) k.weight();
    switch (k.kind()) {
      case CHANNEL -> ObjectiveKernels.channel(device, g, acts, l.data(), grad, value, w);
      case NEURON -> ObjectiveKernels.neuron(device, g, acts, l.data(), l.positions(), grad, value, w);
      case IAM -> ObjectiveKernels.iam(device, g, acts, l.data(), grad, value, w);
      case DIRECTION -> ObjectiveKernels.direction(device, g, acts, l.data(), grad, value, w);
      case COSINE -> ObjectiveKernels.cosine(device, g, acts, l.data(), grad, value, w);
      case DOT_COSSIM -> ObjectiveKernels.dotCossim(device, g, acts, l.data(), grad, value, w, (float) k.p1(),
          (float) k.p2());
      case ORTHOGONAL -> ObjectiveKernels.orthogonalPenalty(device, g, acts, l.data(), grad, value, w,
          (float) k.p1());
      case L2_INVERSION -> ObjectiveKernels.l2Inversion(device, g, acts, l.data(), grad, value, w);
      default -> throw new IllegalStateException(k.kind().name());
    }
  }

  /** The host fallback: copy the layers back, evaluate the host targets' objectives, upload their gradients. */
  private void seedOnHost(DevicePlan plan) {
    Map<String, Tensor> acts = new HashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String layer : hostLayers) {
      Shape shape = plan.shape(layer);
      float[] a = new float[shape.size()];
      if (a.length > 0) device.copyToHost(plan.activationBuffer(layer), 0, a, 0, a.length);
      acts.put(layer, Tensor.of(shape, a));
      grads.put(layer, Tensor.zeros(shape));
    }
    for (int b = 0; b < batch; b++) {
      if (onHost[b]) targets.get(b).objective().evaluate(new BatchSampleView(acts, grads, b));
    }
    // Aliased layers share a seed buffer: their gradients add up before the one upload.
    Map<DeviceBuffer, float[]> sums = new IdentityHashMap<>();
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      DeviceBuffer seed = plan.seedBuffer(e.getKey());
      if (seed == null) continue;
      float[] g = e.getValue().data();
      float[] sum = sums.get(seed);
      if (sum == null) {
        sums.put(seed, g);
      } else {
        for (int i = 0; i < sum.length; i++) sum[i] += g[i];
      }
    }
    for (Map.Entry<DeviceBuffer, float[]> e : sums.entrySet()) {
      if (e.getValue().length > 0) device.copyToDevice(e.getValue(), 0, e.getKey(), 0, e.getValue().length);
    }
  }

  private DeviceBuffer allocate(long bytes) {
    DeviceBuffer b = device.allocate(bytes);
    owned.add(b);
    return b;
  }

  private DeviceBuffer upload(int[] host) {
    DeviceBuffer b = allocate(Math.max(1, host.length) * (long) Integer.BYTES);
    if (host.length > 0) device.copyToDevice(host, b);
    return b;
  }

  private DeviceBuffer upload(float[] host) {
    DeviceBuffer b = allocate(Math.max(1, host.length) * (long) Float.BYTES);
    if (host.length > 0) device.copyToDevice(host, b);
    return b;
  }

  @Override
  public void close() {
    for (DeviceBuffer b : owned) b.close();
    owned.clear();
  }
}
