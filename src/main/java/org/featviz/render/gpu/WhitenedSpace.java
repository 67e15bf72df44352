package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.OwnedBuffers;
import org.featviz.objective.Whitening;

/**
 * One {@link Whitening} applied to one layer of a render, on the device: the device side of {@code
 * VectorFunctions.whitened}, z = W (a - mu) at every position, for the whole batch at once. W and
 * mu are uploaded once, when the render starts. Per step:
 *
 * <pre>
 *   acts [B, C, P] --whitening_gather_centered--> rows = A - mu [C, B*P] --GEMM W [C, C] x rows--> z [C, B*P]
 *   rows cleared; the whitened objective kernels of every term group in this space add dZ into rows
 *   --GEMM W^T [C, C] x dZ--> dA [C, B*P] (into z's memory) --whitening_scatter_add (member samples)--> seed
 * </pre>
 *
 * The [C, B*P] layout makes each direction ONE library GEMM however many samples and positions
 * there are (the layout is explained in {@code cuda/whitening.cu}). Float arithmetic throughout, W
 * and mu rounded once from the whitening's doubles; under {@link org.featviz.device.MathMode#TF32}
 * the two GEMMs round their operands like every other GEMM of the device. The two [C, B*P] scratch
 * buffers belong to the caller, which shares them among the spaces of a render (the spaces run one
 * after another).
 */
final class WhitenedSpace implements AutoCloseable {
  private final Device device;
  private final String layerName;
  private final TargetLayer layer;
  private final OwnedBuffers owned;
  private final DeviceBuffer matrix;
  private final DeviceBuffer mean;
  private final DeviceBuffer mask;

  /**
   * @param members the samples whose seeds receive this space's gradient (length B); the others are
   *     not touched
   */
  WhitenedSpace(
      Device device, String layerName, TargetLayer layer, Whitening whitening, boolean[] members) {
    if (whitening.units() != layer.units()) {
      throw new IllegalArgumentException(
          "whitening of "
              + whitening.units()
              + " units for layer '"
              + layerName
              + "' of "
              + layer.units()
              + " units (batch shape ["
              + layer.batch()
              + ", "
              + layer.units()
              + ", "
              + layer.positions()
              + "])");
    }
    if (members.length != layer.batch()) {
      throw new IllegalArgumentException(
          members.length + " member flags for a batch of " + layer.batch());
    }
    if ((long) layer.batch() * layer.positions() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "layer '"
              + layerName
              + "': B * P = "
              + layer.batch()
              + " x "
              + layer.positions()
              + " columns are too many for one GEMM");
    }
    this.device = device;
    this.owned = new OwnedBuffers(device);
    this.layerName = layerName;
    this.layer = layer;
    try {
      int units = layer.units();
      double[][] w = whitening.matrix();
      float[] flat = new float[units * units];
      for (int i = 0; i < units; i++) {
        for (int j = 0; j < units; j++) flat[i * units + j] = (float) w[i][j];
      }
      double[] mu = whitening.mean();
      float[] meanFloats = new float[units];
      for (int i = 0; i < units; i++) meanFloats[i] = (float) mu[i];
      int[] flags = new int[layer.batch()];
      for (int b = 0; b < flags.length; b++) flags[b] = Launches.flag(members[b]);
      matrix = owned.keep(device.toDevice(flat));
      mean = owned.keep(device.toDevice(meanFloats));
      mask = owned.ints(flags.length);
      if (flags.length > 0) device.copyToDevice(flags, mask);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  String layerName() {
    return layerName;
  }

  TargetLayer layer() {
    return layer;
  }

  /**
   * z = W (acts - mu) in the [C, B*P] layout; leaves {@code rows} cleared, ready to receive dZ.
   * acts [B, C, P]; rows and z hold at least B * C * P floats each.
   */
  void whiten(DeviceBuffer acts, DeviceBuffer rows, DeviceBuffer z) {
    if (layer.batch() == 0) return;
    Launches.requireFloats(z, layer.size(), "z");
    WhiteningKernels.gatherCentered(device, layer, acts, mean, rows);
    try (Device.MathModeScope fp32 =
        device.withMathMode(MathMode.FP32)) { // the objective is not the network
      device.library().gemm(product(false), matrix, rows, z, 1f, 0f);
    }
    device.memsetZero(rows, 0, layer.size() * Float.BYTES);
  }

  /**
   * seed[b] += W^T dZ[b] for the member samples: gz [C, B*P] is dZ (the whitened kernels' output),
   * scratch receives W^T dZ on the way (its contents are lost). seed [B, C, P].
   */
  void addGradient(DeviceBuffer gz, DeviceBuffer scratch, DeviceBuffer seed) {
    if (layer.batch() == 0) return;
    Launches.requireFloats(gz, layer.size(), "dZ");
    Launches.requireFloats(scratch, layer.size(), "scratch");
    try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
      device.library().gemm(product(true), matrix, gz, scratch, 1f, 0f);
    }
    WhiteningKernels.scatterAdd(device, layer, scratch, mask, seed);
  }

  /** [C, B*P] = op(W) [C, C] x [C, B*P], op(W) = W^T with {@code transpose}. */
  private GemmDescriptor product(boolean transpose) {
    return new GemmDescriptor(
        transpose, false, layer.units(), layer.batch() * layer.positions(), layer.units());
  }

  @Override
  public void close() {
    owned.close();
  }
}
