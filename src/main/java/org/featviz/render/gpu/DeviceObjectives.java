package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;
import org.featviz.objective.Whitening;
import org.featviz.plan.DevicePlan;
import org.featviz.render.BatchSampleView;
import org.featviz.render.RenderTarget;

/**
 * The gradient seeds of a batch's objectives, written into a {@link DevicePlan}'s seed buffers after its forward:
 * the device side of {@link org.featviz.render.Renderer}'s objective evaluation. Every target whose objective
 * lowers to fused terms ({@link FusedLowering#objective}) is computed by the objective
 * kernels: terms are grouped by layer, kind, weight, parameters and (whitened kinds) whitening, and each group is
 * ONE launch over the whole batch, each sample with its own unit or vector ({@link ObjectiveKernels}). Samples
 * outside a group are left out by an out-of-range unit (channel, neuron, iam) or a zero vector (direction, cosine,
 * dot x cossim and their whitened forms), which add no gradient; for orthogonal penalty and L2 inversion, which a
 * zero vector does not silence, a group that leaves samples out runs into a cleared scratch buffer whose group
 * samples are then added to the seed ({@link RenderKernels#moveSamples}). Layer penalties carry a per-sample weight
 * (0 leaves a sample out), so every penalty of one layer and norm in the batch is one launch, whatever its weight.
 *
 * <p>Whitened terms are grouped by (layer, whitening) into a {@link WhitenedSpace}: per step one gather and one GEMM
 * whiten the layer for the whole batch, every group of the space adds dZ, and one GEMM and one scatter bring the
 * gradient back into the seed. Whitening matrices and means are uploaded once, here.
 *
 * <p>Targets whose objective has no fused form are evaluated on the host ({@link HostObjectives}); every objective
 * that {@link org.featviz.objective.Objectives} makes has one. Per-step objective values are not kept (the renderer
 * measures the final images); the kernels' value outputs go to a scratch buffer.
 */
final class DeviceObjectives implements AutoCloseable {
  /** One launch: a term group, the layer's geometry, its per-sample data and (masked groups) its sample mask. */
  private record Launch(TermGroup key, TargetLayer geometry, DeviceBuffer data, DeviceBuffer positions,
      DeviceBuffer mask) {}

  /** A whitened space and the launches of the term groups measured in it. */
  private record Space(WhitenedSpace space, List<Launch> launches) {}

  private record SpaceKey(String layer, Whitening whitening) {}

  private final Device device;
  private final List<RenderTarget> targets;
  private final int batch;
  private final boolean[] onHost;
  private final HostObjectives host;
  private final List<Launch> launches = new ArrayList<>();
  private final List<Space> spaces = new ArrayList<>();
  private final List<DeviceBuffer> owned = new ArrayList<>();
  private DeviceBuffer value;
  private DeviceBuffer scratch;
  private DeviceBuffer rows;
  private DeviceBuffer whitened;

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
    this.host = new HostObjectives(device, targets, onHost);
  }

  /** Whether sample b's objective is evaluated on the host. */
  boolean onHost(int b) {
    return onHost[b];
  }

  /** The number of objective kernel launches per step, one per term group (for tests and logs). */
  int launchCount() {
    return launches.size() + spaces.stream().mapToInt(s -> s.launches().size()).sum();
  }

  /** The number of whitened spaces: each adds a gather, two GEMMs and a scatter per step. */
  int whitenedSpaceCount() {
    return spaces.size();
  }

  private void build(Map<String, Shape> layerShapes) {
    // (term group, occurrence) -> sample -> term, in a fixed order; penalties: group -> per-sample weight
    Map<TermGroup, Map<Integer, Map<Integer, FusedTerm>>> groups = new LinkedHashMap<>();
    Map<TermGroup, double[]> penalties = new LinkedHashMap<>();
    for (int b = 0; b < batch; b++) {
      Optional<List<FusedTerm>> terms = FusedLowering.objective(targets.get(b).objective());
      if (terms.isEmpty()) {
        onHost[b] = true;
        continue;
      }
      Map<TermGroup, Integer> seen = new HashMap<>();
      for (FusedTerm t : terms.get()) {
        if (t instanceof FusedTerm.LayerPenalty p) {
          // -penalty * mean g(a): the kernel sums g(a), so the weight carries -penalty / M; a sample's penalties
          // on one layer and norm add up.
          double elements = BatchSampleView.sampleShape(shapeOf(layerShapes, p.layer())).size();
          penalties.computeIfAbsent(TermGroup.of(p), k -> new double[batch])[b] += -p.weight() * p.penalty() / elements;
          continue;
        }
        TermGroup key = TermGroup.of(t);
        int occurrence = seen.merge(key, 1, Integer::sum) - 1;
        groups.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(occurrence, k -> new TreeMap<>())
            .put(b, t);
      }
    }
    long largest = 0;
    long largestSpace = 0;
    Map<SpaceKey, List<Launch>> spaceLaunches = new LinkedHashMap<>();
    Map<SpaceKey, boolean[]> spaceMembers = new HashMap<>();
    for (Map.Entry<TermGroup, Map<Integer, Map<Integer, FusedTerm>>> g : groups.entrySet()) {
      TermGroup key = g.getKey();
      Shape shape = shapeOf(layerShapes, key.layer());
      TargetLayer geometry = TargetLayer.of(shape);
      for (Map<Integer, FusedTerm> members : g.getValue().values()) {
        Launch launch = launch(key, geometry, BatchSampleView.sampleShape(shape), members);
        if (key.whitening() == null) {
          launches.add(launch);
          if (!key.kind().excludable && members.size() < batch) largest = Math.max(largest, geometry.size());
        } else {
          SpaceKey s = new SpaceKey(key.layer(), key.whitening());
          spaceLaunches.computeIfAbsent(s, k -> new ArrayList<>()).add(launch);
          boolean[] in = spaceMembers.computeIfAbsent(s, k -> new boolean[batch]);
          for (int b : members.keySet()) in[b] = true;
          largestSpace = Math.max(largestSpace, geometry.size());
        }
      }
    }
    for (Map.Entry<TermGroup, double[]> p : penalties.entrySet()) {
      float[] weights = new float[batch];
      for (int b = 0; b < batch; b++) weights[b] = (float) p.getValue()[b];
      launches.add(new Launch(p.getKey(), TargetLayer.of(shapeOf(layerShapes, p.getKey().layer())), upload(weights),
          null, null));
    }
    for (Map.Entry<SpaceKey, List<Launch>> s : spaceLaunches.entrySet()) {
      TargetLayer geometry = s.getValue().get(0).geometry();
      WhitenedSpace space = new WhitenedSpace(device, s.getKey().layer(), geometry, s.getKey().whitening(),
          spaceMembers.get(s.getKey()));
      spaces.add(new Space(space, s.getValue()));
    }
    value = allocate(Math.max(1, batch) * (long) Float.BYTES);
    if (largest > 0) scratch = allocate(largest * Float.BYTES);
    if (largestSpace > 0) {
      rows = allocate(largestSpace * Float.BYTES);
      whitened = allocate(largestSpace * Float.BYTES);
    }
  }

  private static Shape shapeOf(Map<String, Shape> layerShapes, String layer) {
    Shape shape = layerShapes.get(layer);
    if (shape == null) throw new IllegalArgumentException("no shape for objective layer '" + layer + "'");
    return shape;
  }

  /** Uploads one launch's per-sample data: units (and positions), or vectors; zeros or -1 for samples outside. */
  private Launch launch(TermGroup key, TargetLayer geometry, Shape sampleShape, Map<Integer, FusedTerm> members) {
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
        if (key.kind() == TermGroup.Kind.NEURON) positions = upload(position);
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
          System.arraycopy(TermGroup.vector(e.getValue()), 0, all, e.getKey() * units, units);
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

  /**
   * Writes the batch's gradient seeds into the plan's seed buffers, which the caller cleared
   * ({@link DevicePlan#clearSeeds()}) after the forward: first the host-evaluated targets' gradients (uploaded),
   * then the kernels' (added), whitened spaces last.
   */
  void seed(DevicePlan plan) {
    host.seed(plan);
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
    for (Space s : spaces) {
      DeviceBuffer seed = plan.seedBuffer(s.space().layerName());
      if (seed == null) continue;
      s.space().whiten(plan.activationBuffer(s.space().layerName()), rows, whitened);
      for (Launch l : s.launches()) run(l, whitened, rows);  // z in, dZ added into rows
      s.space().addGradient(rows, whitened, seed);
    }
  }

  /** One group's kernel: reads acts (z for whitened kinds), adds into grad (dZ for whitened kinds). */
  private void run(Launch l, DeviceBuffer acts, DeviceBuffer grad) {
    TermGroup k = l.key();
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
      case LAYER_PENALTY -> ObjectiveKernels.layerPenalty(device, g, acts, l.data(), grad, value, k.norm());
      case WHITENED_DIRECTION -> ObjectiveKernels.whitenedDirection(device, g, acts, l.data(), grad, value, w);
      case WHITENED_COSINE -> ObjectiveKernels.whitenedCosine(device, g, acts, l.data(), grad, value, w);
      case WHITENED_DOT_COSSIM -> ObjectiveKernels.whitenedDotCossim(device, g, acts, l.data(), grad, value, w,
          (float) k.p1(), (float) k.p2());
      default -> throw new IllegalStateException(k.kind().name());
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
    for (Space s : spaces) s.space().close();
    spaces.clear();
    for (DeviceBuffer b : owned) b.close();
    owned.clear();
  }
}
