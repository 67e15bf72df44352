package org.featviz.bench.kernels;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;

/** The device buffers of one prepared benchmark, freed together by {@link #close}. */
abstract class Owned implements KernelBenchmark.Prepared {
  final Device device;
  private final List<DeviceBuffer> buffers = new ArrayList<>();

  Owned(Device device) {
    this.device = device;
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
