package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.OwnedBuffers;
import org.featviz.ir.Shape;
import org.featviz.objective.Whitening;
import org.featviz.plan.DevicePlan;
import org.featviz.render.BatchSampleView;
import org.featviz.render.RenderTarget;

/**
 * The gradient seeds of a batch's objectives, written into a {@link DevicePlan}'s seed buffers
 * after its forward: the device side of {@link org.featviz.render.Renderer}'s objective evaluation.
 * Every target whose objective lowers to fused terms ({@link FusedLowering#objective}) is computed
 * by the objective kernels: terms are grouped by layer, kind, weight, parameters and (whitened
 * kinds) whitening ({@link FusedTerm#group}), and each group is ONE launch over the whole batch,
 * each sample with its own argument ({@link FusedTerm#put}: a unit, a vector, a target slice) and
 * the kind's launcher ({@link FusedTerm#launch}, {@link ObjectiveKernels}). Nothing here depends on
 * the kind. Samples outside a group are left out by an out-of-range unit (channel, neuron, iam) or
 * a zero vector (direction, cosine, dot x cossim and their whitened forms), which add no gradient;
 * for orthogonal penalty and L2 inversion, which a zero vector does not silence ({@link
 * FusedTerm#excludable}), a group that leaves samples out runs into a cleared scratch buffer whose
 * group samples are then added to the seed ({@link RenderKernels#moveSamples}). Layer penalties
 * carry a per-sample weight (0 leaves a sample out, and a sample's penalties add up: {@link
 * FusedTerm#sumsInSample}), so every penalty of one layer and norm in the batch is one launch,
 * whatever its weight; those launches come after the others.
 *
 * <p>Whitened terms are grouped by (layer, whitening) into a {@link WhitenedSpace}: per step one
 * gather and one GEMM whiten the layer for the whole batch, every group of the space adds dZ, and
 * one GEMM and one scatter bring the gradient back into the seed. Whitening matrices and means are
 * uploaded once, here.
 *
 * <p>Representative Substitution ({@link #seedCountingRs}): a unit kind's launch (channel, neuron,
 * iam) on a target's layer whose unit is the target's counts that sample while it seeds ({@link
 * DeviceRs}); the count-only kernel counts the other targets with a unit after the launches, and
 * all of them on the final images ({@link #countRs}).
 *
 * <p>Targets whose objective has no fused form are evaluated on the host ({@link HostObjectives});
 * every objective that {@link org.featviz.objective.Objectives} makes has one. Per-step objective
 * values are not kept (the renderer measures the final images); the kernels' value outputs go to a
 * scratch buffer.
 */
final class DeviceObjectives implements AutoCloseable {
  /**
   * One launch: a term group, the kind that launches it, the layer's geometry, its per-sample data
   * and (masked groups) its sample mask.
   */
  private record Launch(
      TermGroup key,
      FusedTerm kind,
      TargetLayer geometry,
      DeviceBuffer data,
      DeviceBuffer positions,
      DeviceBuffer mask,
      boolean[] countsRs) {}

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
  private final OwnedBuffers owned;
  private DeviceRs rs;
  private int countedInLaunches;
  private DeviceBuffer value;
  private DeviceBuffer scratch;
  private DeviceBuffer rows;
  private DeviceBuffer whitened;

  /**
   * @param layerShapes each objective layer's batch shape [B, ...] in the plan
   */
  DeviceObjectives(Device device, List<RenderTarget> targets, Map<String, Shape> layerShapes) {
    this.device = device;
    this.owned = new OwnedBuffers(device);
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
    rs = new DeviceRs(device, targets, layerShapes);
    // (term group, occurrence) -> the launch's arguments, in a fixed order; groups whose terms add
    // up within a
    // sample (layer penalties) have one launch each, after the others
    Map<TermGroup, Map<Integer, LaunchArguments>> groups = new LinkedHashMap<>();
    Map<TermGroup, LaunchArguments> summed = new LinkedHashMap<>();
    for (int b = 0; b < batch; b++) {
      Optional<List<FusedTerm.Weighted>> terms =
          FusedLowering.objective(targets.get(b).objective());
      if (terms.isEmpty()) {
        onHost[b] = true;
        continue;
      }
      Map<TermGroup, Integer> seen = new HashMap<>();
      for (FusedTerm.Weighted w : terms.get()) {
        FusedTerm t = w.term();
        TermGroup key = t.group(w.weight());
        LaunchArguments arguments;
        if (t.sumsInSample()) {
          arguments = summed.computeIfAbsent(key, k -> arguments(t, layerShapes));
        } else {
          int occurrence = seen.merge(key, 1, Integer::sum) - 1;
          arguments =
              groups
                  .computeIfAbsent(key, k -> new TreeMap<>())
                  .computeIfAbsent(occurrence, k -> arguments(t, layerShapes));
        }
        t.put(arguments, b, w.weight());
      }
    }
    List<Map.Entry<TermGroup, LaunchArguments>> all = new ArrayList<>();
    for (Map.Entry<TermGroup, Map<Integer, LaunchArguments>> g : groups.entrySet()) {
      for (LaunchArguments a : g.getValue().values()) all.add(Map.entry(g.getKey(), a));
    }
    all.addAll(summed.entrySet());
    long largest = 0;
    long largestSpace = 0;
    Map<SpaceKey, List<Launch>> spaceLaunches = new LinkedHashMap<>();
    Map<SpaceKey, boolean[]> spaceMembers = new HashMap<>();
    for (Map.Entry<TermGroup, LaunchArguments> e : all) {
      TermGroup key = e.getKey();
      LaunchArguments arguments = e.getValue();
      TargetLayer geometry = arguments.layer();
      Launch launch = upload(key, arguments);
      if (key.whitening() == null) {
        launches.add(launch);
        if (launch.mask() != null) largest = Math.max(largest, geometry.size());
      } else {
        SpaceKey s = new SpaceKey(key.layer(), key.whitening());
        spaceLaunches.computeIfAbsent(s, k -> new ArrayList<>()).add(launch);
        boolean[] in = spaceMembers.computeIfAbsent(s, k -> new boolean[batch]);
        boolean[] members = arguments.members();
        for (int b = 0; b < batch; b++) in[b] |= members[b];
        largestSpace = Math.max(largestSpace, geometry.size());
      }
    }
    for (Map.Entry<SpaceKey, List<Launch>> s : spaceLaunches.entrySet()) {
      TargetLayer geometry = s.getValue().get(0).geometry();
      WhitenedSpace space =
          new WhitenedSpace(
              device,
              s.getKey().layer(),
              geometry,
              s.getKey().whitening(),
              spaceMembers.get(s.getKey()));
      spaces.add(new Space(space, s.getValue()));
    }
    value = owned.floats(batch);
    if (largest > 0) scratch = owned.floats(largest);
    if (largestSpace > 0) {
      rows = owned.floats(largestSpace);
      whitened = owned.floats(largestSpace);
    }
  }

  /** Empty arguments for a launch of {@code kind}'s group on its layer. */
  private static LaunchArguments arguments(FusedTerm kind, Map<String, Shape> layerShapes) {
    Shape shape = layerShapes.get(kind.layer());
    if (shape == null)
      throw new IllegalArgumentException("no shape for objective layer '" + kind.layer() + "'");
    return new LaunchArguments(kind, TargetLayer.of(shape), BatchSampleView.sampleShape(shape));
  }

  /**
   * Uploads one launch's arguments (units and positions, or vectors, slices or weights) and, for a
   * group that is not excludable and leaves samples out, its sample mask.
   */
  private Launch upload(TermGroup key, LaunchArguments arguments) {
    DeviceBuffer data =
        arguments.units() != null
            ? owned.upload(arguments.units())
            : owned.upload(arguments.values());
    DeviceBuffer positions =
        arguments.positions() == null ? null : owned.upload(arguments.positions());
    DeviceBuffer mask = null;
    if (!arguments.kind().excludable() && !arguments.coversBatch()) {
      boolean[] members = arguments.members();
      int[] m = new int[batch];
      for (int b = 0; b < batch; b++) m[b] = Launches.flag(members[b]);
      mask = owned.upload(m);
    }
    return new Launch(
        key, arguments.kind(), arguments.layer(), data, positions, mask, countsRs(key, arguments));
  }

  /**
   * The samples a launch counts RS of, as its kernel decides: a unit kind outside a whitened space
   * whose unit for sample b is the one b asks RS of on that layer. Null where there are none.
   */
  private boolean[] countsRs(TermGroup key, LaunchArguments arguments) {
    if (!(arguments.kind() instanceof FusedTerm.OnUnit) || key.whitening() != null) return null;
    int[] units = arguments.units();
    boolean[] counts = new boolean[batch];
    boolean any = false;
    for (int b = 0; b < batch; b++) {
      counts[b] = units[b] >= 0 && units[b] == rs.unit(key.layer(), b);
      any |= counts[b];
    }
    return any ? counts : null;
  }

  /**
   * Writes the batch's gradient seeds into the plan's seed buffers, which the caller cleared
   * ({@link DevicePlan#clearSeeds()}) after the forward: first the host-evaluated targets'
   * gradients (uploaded), then the kernels' (added), whitened spaces last.
   */
  void seed(DevicePlan plan) {
    seed(plan, null);
  }

  /**
   * {@link #seed}, with the unit kinds' launches counting RS on the way; returns each sample's
   * counts on this forward's activations ({@link DeviceRs#read}: null for a target without a unit
   * or with a non-finite mean in its layer).
   */
  RepresentativeSubstitution[] seedCountingRs(DevicePlan plan) {
    boolean[] counted = new boolean[batch];
    rs.clear();
    seed(plan, counted);
    countedInLaunches = 0;
    for (boolean c : counted) countedInLaunches += c ? 1 : 0;
    return rs.read(plan, counted);
  }

  /** How many samples the last {@link #seedCountingRs} counted in objective launches (tests). */
  int rsCountedInLaunches() {
    return countedInLaunches;
  }

  /** Each target unit's RS on the plan's activations, counted alone (the final images). */
  RepresentativeSubstitution[] countRs(DevicePlan plan) {
    rs.clear();
    return rs.read(plan, new boolean[batch]);
  }

  /** Seeds; where {@code counted} is given, unit launches count RS and mark the samples counted. */
  private void seed(DevicePlan plan, boolean[] counted) {
    host.seed(plan);
    for (Launch l : launches) {
      DeviceBuffer seed = plan.seedBuffer(l.key().layer());
      if (seed == null) continue; // no gradient flows from this layer to the input
      DeviceBuffer acts = plan.activationBuffer(l.key().layer());
      if (l.mask() == null) {
        boolean counts = counted != null && l.countsRs() != null;
        run(l, acts, seed, counts ? rs.on(l.key().layer()) : null);
        for (int b = 0; counts && b < batch; b++) counted[b] |= l.countsRs()[b];
      } else {
        device.memsetZero(scratch, 0, l.geometry().size() * Float.BYTES);
        run(l, acts, scratch);
        RenderKernels.moveSamples(
            device, scratch, seed, l.mask(), batch, l.geometry().sampleSize());
      }
    }
    for (Space s : spaces) {
      DeviceBuffer seed = plan.seedBuffer(s.space().layerName());
      if (seed == null) continue;
      s.space().whiten(plan.activationBuffer(s.space().layerName()), rows, whitened);
      for (Launch l : s.launches()) run(l, whitened, rows); // z in, dZ added into rows
      s.space().addGradient(rows, whitened, seed);
    }
  }

  /**
   * One group's kernel: reads acts (z for whitened kinds), adds into grad (dZ for whitened kinds).
   */
  private void run(Launch l, DeviceBuffer acts, DeviceBuffer grad) {
    run(l, acts, grad, null);
  }

  private void run(Launch l, DeviceBuffer acts, DeviceBuffer grad, ObjectiveKernels.RsCount count) {
    l.kind()
        .launch(
            new FusedTerm.Call(
                device, l.geometry(), acts, l.data(), l.positions(), grad, value, count),
            (float) l.key().weight());
  }

  @Override
  public void close() {
    if (rs != null) rs.close();
    for (Space s : spaces) s.space().close();
    spaces.clear();
    owned.close();
  }
}
