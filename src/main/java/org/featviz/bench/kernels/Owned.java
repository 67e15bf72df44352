package org.featviz.bench.kernels;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;

/**
 * One prepared benchmark: what it measures (its shape, bytes, flops and tolerance, known when it is
 * prepared) and its device buffers, freed together by {@link #close}.
 */
abstract class Owned implements KernelBenchmark.Prepared {
  final Device device;
  private final String shape;
  private final long bytes;
  private final long flops;
  private final double tolerance;
  private final List<DeviceBuffer> buffers = new ArrayList<>();

  Owned(Device device, String shape, long bytes, long flops, double tolerance) {
    this.device = device;
    this.shape = shape;
    this.bytes = bytes;
    this.flops = flops;
    this.tolerance = tolerance;
  }

  @Override
  public final String shape() {
    return shape;
  }

  @Override
  public final long bytes() {
    return bytes;
  }

  @Override
  public final long flops() {
    return flops;
  }

  @Override
  public final double tolerance() {
    return tolerance;
  }

  DeviceBuffer upload(float[] host) {
    return keep(device.toDevice(host));
  }

  DeviceBuffer upload(int[] host) {
    return keep(device.toDevice(host));
  }

  DeviceBuffer floats(long count) {
    return keep(device.allocateFloats(count));
  }

  private DeviceBuffer keep(DeviceBuffer b) {
    buffers.add(b);
    return b;
  }

  float[] read(DeviceBuffer b, int count) {
    return device.copyToHostFloats(b, count);
  }

  @Override
  public void close() {
    for (int i = buffers.size() - 1; i >= 0; i--) buffers.get(i).close();
    buffers.clear();
  }
}
