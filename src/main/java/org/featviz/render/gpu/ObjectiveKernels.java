package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.ir.Shape;
import org.featviz.objective.PenaltyNorm;

/**
 * Launchers of the objective kernels of {@code cuda/objective.cu}: one kernel per objective kind,
 * each computing every sample's value and gradient for the whole batch, where each sample has its
 * own target. The GPU twins of {@link org.featviz.objective.Objectives}' channel, neuron, iam,
 * direction, cosine, dotCossim, orthogonalPenalty, l2Inversion and layerPenalty, and of the inner
 * functions of whitenedDirection, whitenedCosine and whitenedDotCossim (docs/objectives.md).
 *
 * <p>Shapes ({@link TargetLayer}): acts and grad [B, C, P], value float[B]; targets int[B] (units,
 * positions), float[B, C] (directions), float[B, C * P] (l2 inversion targets) or float[B] (layer
 * penalty weights). The whitened launchers read whitened vectors z and add to their gradient gz in
 * the [C, B*P] layout of {@link WhitenedSpace}.
 *
 * <p>Every launcher ADDS {@code weight} times the value into value[b] and {@code weight} times the
 * gradient into grad: a sum of objectives (or a penalty beside one on the same layer) is one launch
 * per term into the same buffers, so the caller clears grad and value once per step. {@code weight}
 * is the term's factor, as in {@code Objectives.scaled(o, weight)}; 1 for a plain objective. A
 * target out of range (a unit outside 0..C-1, a position outside 0..P-1) makes that sample's value
 * NaN and adds no gradient for it; a caller should check targets on the host before uploading them,
 * as the CPU renderer does through {@code Objective.validate}.
 *
 * <p>Channel, neuron and iam can also count Representative Substitution while they seed ({@link
 * RsCount}): for each sample b with {@code rsUnits[b] == unit[b]}, the units of the layer whose
 * mean is above that unit's and those tied with it, into {@code counts[b] = (above, ties)}, above
 * -1 where some unit's mean is not finite; value and gradient stay bit for bit those of the launch
 * without it. {@link #rsCount} counts alone. Means are the CPU's ({@code UnitResponses.unitMeans}:
 * summed in double in position order), so the counts equal {@code RepresentativeSubstitution.of} on
 * them.
 *
 * <pre>
 * TargetLayer layer = TargetLayer.of(Shape.of(batch, 512, 14, 14));
 * device.memsetZero(grad); device.memsetZero(value);
 * ObjectiveKernels.channel(device, layer, acts, units, grad, value, 1f);
 * </pre>
 */
public final class ObjectiveKernels {
  /**
   * At most this many threads share one position's channels in the per-position kernels (dense
   * layers).
   */
  static final int MAX_CHANNEL_THREADS_DENSE = 256;

  /** ... and in conv layers, beside a tile of {@link #POSITION_TILE} positions. */
  static final int MAX_CHANNEL_THREADS_CONV = 8;

  static final int POSITION_TILE = 32;

  private ObjectiveKernels() {}

  /**
   * Where a unit objective's launch counts Representative Substitution: units int[B] (the unit
   * whose RS sample b asks for, -1 for none) and counts int[B, 2] (above, ties), written only for
   * the samples counted.
   */
  public record RsCount(DeviceBuffer units, DeviceBuffer counts) {
    void check(TargetLayer layer) {
      Launches.requireInts(units, layer.batch(), "RS units");
      Launches.requireInts(counts, 2L * layer.batch(), "RS counts");
    }
  }

  /** The spatial mean of channel unit[b] (a dense unit's value). */
  public static void channel(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer unit,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight) {
    channel(device, layer, acts, unit, grad, value, weight, null);
  }

  /** {@link #channel}, counting RS where {@code rs} is not null. */
  public static void channel(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer unit,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight,
      RsCount rs) {
    checkLayer(layer, acts, grad, value);
    Launches.requireInts(unit, layer.batch(), "unit");
    if (rs != null) rs.check(layer);
    if (layer.batch() == 0) return;
    launchPerSample(
        device,
        rs == null ? "objective_channel" : "objective_channel_rs",
        layer.positions(),
        new KernelArgs().ptr(acts).ptr(unit).ptr(grad).ptr(value),
        layer,
        weight,
        rs);
  }

  /**
   * Counts alone, after a forward that seeds nothing (the final images): for every sample b with
   * {@code rs.units()[b]} in 0..C-1, the units above and tied with that unit into {@code
   * rs.counts()[b]}.
   */
  public static void rsCount(Device device, TargetLayer layer, DeviceBuffer acts, RsCount rs) {
    Launches.requireFloats(acts, layer.size(), "activations");
    rs.check(layer);
    if (layer.batch() == 0) return;
    device.launch(
        "objective_rs_count",
        Dim3.of(layer.batch()),
        Dim3.of(Launches.threads(layer.units())),
        0,
        new KernelArgs()
            .ptr(acts)
            .ptr(rs.units())
            .ptr(rs.counts())
            .i32(layer.batch())
            .i32(layer.units())
            .i32(layer.positions()));
  }

  /** The activation a[b, unit[b], position[b]] (position = y * W + x; 0 for dense layers). */
  public static void neuron(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer unit,
      DeviceBuffer position,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight) {
    neuron(device, layer, acts, unit, position, grad, value, weight, null);
  }

  /**
   * {@link #neuron}, counting RS where {@code rs} is not null (then one block per sample, as the
   * count needs).
   */
  public static void neuron(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer unit,
      DeviceBuffer position,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight,
      RsCount rs) {
    checkLayer(layer, acts, grad, value);
    Launches.requireInts(unit, layer.batch(), "unit");
    Launches.requireInts(position, layer.batch(), "position");
    if (rs != null) rs.check(layer);
    if (layer.batch() == 0) return;
    KernelArgs args =
        new KernelArgs()
            .ptr(acts)
            .ptr(unit)
            .ptr(position)
            .ptr(grad)
            .ptr(value)
            .i32(layer.batch())
            .i32(layer.units())
            .i32(layer.positions())
            .f32(weight);
    if (rs != null) {
      device.launch(
          "objective_neuron_rs",
          Dim3.of(layer.batch()),
          Dim3.of(Launches.threads(layer.units())),
          0,
          args.ptr(rs.units()).ptr(rs.counts()));
      return;
    }
    int threads = Launches.threads(layer.batch());
    device.launch(
        "objective_neuron",
        Dim3.of((layer.batch() + threads - 1) / threads),
        Dim3.of(threads),
        0,
        args);
  }

  /** IAM: unit[b]'s mean minus the mean of the other units' means. Needs at least two units. */
  public static void iam(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer unit,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight) {
    iam(device, layer, acts, unit, grad, value, weight, null);
  }

  /** {@link #iam}, counting RS where {@code rs} is not null. */
  public static void iam(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer unit,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight,
      RsCount rs) {
    checkLayer(layer, acts, grad, value);
    if (layer.units() < 2)
      throw new IllegalArgumentException("iam needs at least two units, the layer has 1");
    Launches.requireInts(unit, layer.batch(), "unit");
    if (rs != null) rs.check(layer);
    if (layer.batch() == 0) return;
    launchPerSample(
        device,
        rs == null ? "objective_iam" : "objective_iam_rs",
        layer.sampleSize(),
        new KernelArgs().ptr(acts).ptr(unit).ptr(grad).ptr(value),
        layer,
        weight,
        rs);
  }

  /** a . v per position averaged, v = directions[b]. */
  public static void direction(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer directions,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight) {
    perPosition(
        device, "objective_direction", layer, acts, directions, grad, value, weight, new float[0]);
  }

  /** cos(a, v) per position averaged (norms guarded by eps = 1e-6). */
  public static void cosine(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer directions,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight) {
    perPosition(
        device, "objective_cosine", layer, acts, directions, grad, value, weight, new float[0]);
  }

  /** (a . v) max(floor, cos(a, v))^power per position averaged; power >= 0, floor >= 0. */
  public static void dotCossim(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer directions,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight,
      float power,
      float floor) {
    checkPowerAndFloor(power, floor);
    perPosition(
        device,
        "objective_dot_cossim",
        layer,
        acts,
        directions,
        grad,
        value,
        weight,
        new float[] {power, floor});
  }

  /** a . v - lambda |a - (a . v^) v^|^2 per position averaged. */
  public static void orthogonalPenalty(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer directions,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight,
      float lambda) {
    perPosition(
        device,
        "objective_orthogonal_penalty",
        layer,
        acts,
        directions,
        grad,
        value,
        weight,
        new float[] {lambda});
  }

  /** -|a - t|^2 over the whole sample, t = targets[b] in the sample's [C, P] layout. */
  public static void l2Inversion(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer targets,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight) {
    checkLayer(layer, acts, grad, value);
    Launches.requireFloats(targets, layer.size(), "targets");
    if (layer.batch() == 0) return;
    launchPerSample(
        device,
        "objective_l2_inversion",
        layer.sampleSize(),
        new KernelArgs().ptr(acts).ptr(targets).ptr(grad).ptr(value),
        layer,
        weight,
        null);
  }

  /**
   * sum_i |a_i| (L1) or sum_i a_i^2 (L2) over each sample's C * P values, times the sample's own
   * weight weights[b] (instead of one weight for the launch): value[b] += w_b f, grad[b] += w_b
   * df/da; samples with weight 0 are left out. {@code Objectives.layerPenalty(layer, norm, p)}
   * times s is w_b = -s p / (C * P).
   */
  public static void layerPenalty(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer weights,
      DeviceBuffer grad,
      DeviceBuffer value,
      PenaltyNorm norm) {
    checkLayer(layer, acts, grad, value);
    Launches.requireFloats(weights, layer.batch(), "weights");
    if (norm == null) throw new IllegalArgumentException("layerPenalty needs a norm, L1 or L2");
    if (layer.batch() == 0) return;
    device.launch(
        "objective_layer_penalty",
        Dim3.of(layer.batch()),
        Dim3.of(Launches.threads(layer.sampleSize())),
        0,
        new KernelArgs()
            .ptr(acts)
            .ptr(weights)
            .ptr(grad)
            .ptr(value)
            .i32(layer.batch())
            .i32(layer.units())
            .i32(layer.positions())
            .i32(Launches.flag(norm == PenaltyNorm.L2)));
  }

  /**
   * {@link #direction} of whitened vectors: z and gz in the [C, B*P] layout, v = directions[b] in
   * z-space.
   */
  public static void whitenedDirection(
      Device device,
      TargetLayer layer,
      DeviceBuffer z,
      DeviceBuffer directions,
      DeviceBuffer gz,
      DeviceBuffer value,
      float weight) {
    perPosition(
        device,
        "objective_whitened_direction",
        layer,
        z,
        directions,
        gz,
        value,
        weight,
        new float[0]);
  }

  /** {@link #cosine} of whitened vectors: z and gz in the [C, B*P] layout. */
  public static void whitenedCosine(
      Device device,
      TargetLayer layer,
      DeviceBuffer z,
      DeviceBuffer directions,
      DeviceBuffer gz,
      DeviceBuffer value,
      float weight) {
    perPosition(
        device, "objective_whitened_cosine", layer, z, directions, gz, value, weight, new float[0]);
  }

  /** {@link #dotCossim} of whitened vectors: z and gz in the [C, B*P] layout. */
  public static void whitenedDotCossim(
      Device device,
      TargetLayer layer,
      DeviceBuffer z,
      DeviceBuffer directions,
      DeviceBuffer gz,
      DeviceBuffer value,
      float weight,
      float power,
      float floor) {
    checkPowerAndFloor(power, floor);
    perPosition(
        device,
        "objective_whitened_dot_cossim",
        layer,
        z,
        directions,
        gz,
        value,
        weight,
        new float[] {power, floor});
  }

  /**
   * Neuron's default position: the center, index dim / 2 on every spatial axis (0 for a dense
   * layer).
   */
  public static int centerPosition(Shape sampleShape) {
    int index = 0;
    for (int axis = 1; axis < sampleShape.rank(); axis++) {
      index = index * sampleShape.dim(axis) + sampleShape.dim(axis) / 2;
    }
    return index;
  }

  /** The flattened position of column x, row y in a [C, H, W] layer of width W. */
  public static int position(int x, int y, int width) {
    return y * width + x;
  }

  /**
   * Grid (B), a 1-D block sized for {@code work} elements per sample; args then get B, C, P and
   * weight, and the RS buffers where {@code rs} is not null.
   */
  private static void launchPerSample(
      Device device,
      String kernel,
      int work,
      KernelArgs args,
      TargetLayer layer,
      float weight,
      RsCount rs) {
    args.i32(layer.batch()).i32(layer.units()).i32(layer.positions()).f32(weight);
    if (rs != null) args.ptr(rs.units()).ptr(rs.counts());
    device.launch(kernel, Dim3.of(layer.batch()), Dim3.of(Launches.threads(work)), 0, args);
  }

  /**
   * Grid (B), block (TP, TC): dense layers one position by up to 256 channel threads, conv layers a
   * tile of 32 positions by up to 8 channel threads (both a multiple of 32 threads, as the kernels'
   * block sums need).
   */
  private static void perPosition(
      Device device,
      String kernel,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer directions,
      DeviceBuffer grad,
      DeviceBuffer value,
      float weight,
      float[] parameters) {
    checkLayer(layer, acts, grad, value);
    Launches.requireFloats(directions, (long) layer.batch() * layer.units(), "directions");
    if (layer.batch() == 0) return;
    Dim3 block =
        layer.positions() == 1
            ? Dim3.of(
                1, Math.max(32, Math.min(MAX_CHANNEL_THREADS_DENSE, ceilPowerOfTwo(layer.units()))))
            : Dim3.of(
                POSITION_TILE, Math.min(MAX_CHANNEL_THREADS_CONV, ceilPowerOfTwo(layer.units())));
    KernelArgs args =
        new KernelArgs()
            .ptr(acts)
            .ptr(directions)
            .ptr(grad)
            .ptr(value)
            .i32(layer.batch())
            .i32(layer.units())
            .i32(layer.positions())
            .f32(weight);
    for (float p : parameters) args.f32(p);
    device.launch(kernel, Dim3.of(layer.batch()), block, 0, args);
  }

  private static void checkPowerAndFloor(float power, float floor) {
    if (!(power >= 0) || !Float.isFinite(power))
      throw new IllegalArgumentException("power must be >= 0: " + power);
    if (!(floor >= 0) || !Float.isFinite(floor))
      throw new IllegalArgumentException("floor must be >= 0: " + floor);
  }

  private static int ceilPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  private static void checkLayer(
      TargetLayer layer, DeviceBuffer acts, DeviceBuffer grad, DeviceBuffer value) {
    Launches.requireFloats(acts, layer.size(), "activations");
    Launches.requireFloats(grad, layer.size(), "grad");
    Launches.requireFloats(value, layer.batch(), "value");
  }
}
