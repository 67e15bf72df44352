package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;

import java.util.Map;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.plan.CustomKernels;
import org.junit.jupiter.api.Test;

/**
 * cuda/pointwise.cu against the CPU references (LeakyReluRef, ClipRef, BatchNormalizationRef) and a
 * plain bias add, on fresh random inputs of a size that is not a multiple of the block; gradients
 * overwriting and accumulating.
 */
public abstract class PointwiseKernelCases extends DeviceCases {
  private final Random rng = new Random(11);
  private final Shape shape = Shape.of(2, 3, 7, 5); // 210 elements

  @Test
  void leakyReluMatchesTheCpuReference() {
    Tensor x = random(shape, rng, -2f, 2f);
    Tensor gy = random(shape, rng, -1f, 1f);
    Node node = node("LeakyRelu", Map.of("alpha", 0.07f), 1, 1);
    int n = shape.size();
    float[] prior = random(shape, rng, -1f, 1f).data();
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer y = device.allocateFloats(n);
        DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer g = device.toDevice(prior)) {
      CustomKernels.leakyReluForward(device, dx, y, n, 0.07f);
      assertClose(
          CpuOracle.forward(node, x).data(), device.copyToHostFloats(y, n), 1e-6, 0, "leaky relu");
      CustomKernels.leakyReluBackward(device, dx, dy, g, n, 0.07f, true);
      float[] expected = CpuOracle.backward(node, new Tensor[] {x}, gy, true)[0].data();
      assertClose(
          CpuOracle.plus(prior, expected),
          device.copyToHostFloats(g, n),
          1e-6,
          0,
          "leaky relu backward");
    }
  }

  @Test
  void clipMatchesTheCpuReference() {
    Tensor x = random(shape, rng, -2f, 2f);
    Tensor gy = random(shape, rng, -1f, 1f);
    Node node = node("Clip", Map.of(), 3, 1);
    Tensor lo = Tensor.scalar(-0.6f);
    Tensor hi = Tensor.scalar(0.9f);
    int n = shape.size();
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer y = device.allocateFloats(n);
        DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer g = device.allocateFloats(n);
        DeviceBuffer dlo = device.toDevice(lo.data());
        DeviceBuffer dhi = device.toDevice(hi.data())) {
      CustomKernels.clipForward(device, dx, y, n, dlo, dhi);
      assertClose(
          CpuOracle.forward(node, x, lo, hi).data(), device.copyToHostFloats(y, n), 0, 0, "clip");
      CustomKernels.clipBackward(device, dx, dy, g, n, dlo, dhi, false);
      float[] expected =
          CpuOracle.backward(node, new Tensor[] {x, lo, hi}, gy, true, false, false)[0].data();
      assertClose(expected, device.copyToHostFloats(g, n), 0, 0, "clip backward");
    }
  }

  @Test
  void batchNormalizationMatchesTheCpuReference() {
    int channels = shape.dim(1);
    int inner = shape.size(2, 4);
    Tensor x = random(shape, rng, -2f, 2f);
    Tensor scale = random(Shape.of(channels), rng, 0.5f, 1.5f);
    Tensor bias = random(Shape.of(channels), rng, -0.5f, 0.5f);
    Tensor mean = random(Shape.of(channels), rng, -0.5f, 0.5f);
    Tensor var = random(Shape.of(channels), rng, 0.5f, 2f);
    float eps = 1e-3f;
    Node node = node("BatchNormalization", Map.of("epsilon", eps), 5, 1);
    Tensor[] in = {x, scale, bias, mean, var};
    Tensor gy = random(shape, rng, -1f, 1f);
    int n = shape.size();
    float[] prior = random(shape, rng, -1f, 1f).data();
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer ds = device.toDevice(scale.data());
        DeviceBuffer db = device.toDevice(bias.data());
        DeviceBuffer dm = device.toDevice(mean.data());
        DeviceBuffer dv = device.toDevice(var.data());
        DeviceBuffer y = device.allocateFloats(n);
        DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer g = device.toDevice(prior)) {
      CustomKernels.batchNormForward(device, dx, ds, db, dm, dv, y, n, channels, inner, eps);
      assertClose(
          CpuOracle.forward(node, in).data(),
          device.copyToHostFloats(y, n),
          1e-5,
          1e-6,
          "batch norm");
      CustomKernels.batchNormBackward(device, dy, ds, dv, g, n, channels, inner, eps, true);
      float[] expected =
          CpuOracle.backward(node, in, gy, true, false, false, false, false)[0].data();
      assertClose(
          CpuOracle.plus(prior, expected),
          device.copyToHostFloats(g, n),
          1e-5,
          1e-6,
          "batch norm backward, accumulated");
    }
  }

  @Test
  void biasAddAddsOneValuePerChannel() {
    int n = shape.size();
    Tensor y = random(shape, rng, -1f, 1f);
    float[] bias = random(Shape.of(3), rng, -1f, 1f).data();
    int inner = shape.size(2, 4);
    float[] expected = y.data().clone();
    for (int i = 0; i < n; i++) expected[i] += 0.5f * bias[(i / inner) % 3];
    try (DeviceBuffer dy = device.toDevice(y.data());
        DeviceBuffer db = device.toDevice(bias)) {
      CustomKernels.biasAdd(device, dy, db, n, 3, inner, 0.5f);
      assertClose(expected, device.copyToHostFloats(dy, n), 1e-6, 0, "bias add per channel");
    }
  }
}
