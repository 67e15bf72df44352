package org.featviz.backend;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.CpuKernels;
import org.featviz.cpu.KernelCall;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * A tiny end-to-end check of a device's library path, for {@code featviz doctor}: one convolution
 * forward and backward-data (2 x 3 x 9 x 8 input, 4 filters of 3 x 3, padding 1, stride 1) on the
 * device, compared with the CPU reference Conv on the same random inputs.
 */
public final class DeviceSelfCheck {
  /** FP32 agreement expected of a convolution (relative to the largest reference magnitude). */
  public static final double TOLERANCE = 1e-4;

  /** Largest absolute differences, each relative to the largest magnitude of its reference. */
  public record Result(double forwardError, double backwardError) {
    public boolean ok() {
      return forwardError <= TOLERANCE && backwardError <= TOLERANCE;
    }
  }

  private DeviceSelfCheck() {}

  public static Result convolution(Device device) {
    Random rng = new Random(20261123);
    ConvDescriptor d =
        new ConvDescriptor(
            2,
            3,
            new int[] {9, 8},
            4,
            new int[] {3, 3},
            new int[] {1, 1},
            new int[] {1, 1},
            new int[] {1, 1},
            1);
    float[] x = random(rng, (int) d.inputCount());
    float[] w = random(rng, (int) d.weightCount());
    float[] dy = random(rng, (int) d.outputCount());
    Node node =
        new Node(
            "doctor-conv",
            "Conv",
            List.of("x", "w"),
            List.of("y"),
            new Attributes(Map.of("pads", new long[] {1, 1, 1, 1})));
    Tensor tx = Tensor.of(Shape.of(d.inputDims()), x);
    Tensor tw = Tensor.of(Shape.of(d.weightDims()), w);
    Tensor y = Tensor.zeros(Shape.of(d.outputDims()));
    Tensor dx = Tensor.zeros(tx.shape());
    CpuKernels.forNode(node, 13)
        .forward(new KernelCall(node, 13, new Tensor[] {tx, tw}, new Tensor[] {y}, null, null));
    CpuKernels.forNode(node, 13)
        .backward(
            new KernelCall(
                node,
                13,
                new Tensor[] {tx, tw},
                new Tensor[] {y},
                new Tensor[] {Tensor.of(y.shape(), dy)},
                new Tensor[] {dx, null}));
    try (DeviceBuffer bx = device.toDevice(x);
        DeviceBuffer bw = device.toDevice(w);
        DeviceBuffer by = device.allocateFloats(d.outputCount());
        DeviceBuffer bdy = device.toDevice(dy);
        DeviceBuffer bdx = device.allocateFloats(d.inputCount())) {
      device.library().convolutionForward(d, bx, bw, by, 1f, 0f);
      device.library().convolutionBackwardData(d, bw, bdy, bdx, 1f, 0f);
      return new Result(
          relativeError(y.data(), device.copyToHostFloats(by, y.size())),
          relativeError(dx.data(), device.copyToHostFloats(bdx, dx.size())));
    }
  }

  private static float[] random(Random rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = 2 * rng.nextFloat() - 1;
    return v;
  }

  /** max |a - e| / max |e|; infinite where anything is NaN. */
  private static double relativeError(float[] expected, float[] actual) {
    double scale = 0;
    double err = 0;
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(actual[i]) || Float.isNaN(expected[i])) return Double.POSITIVE_INFINITY;
      scale = Math.max(scale, Math.abs(expected[i]));
      err = Math.max(err, Math.abs((double) actual[i] - expected[i]));
    }
    return scale == 0 ? err : err / scale;
  }
}
