package org.featviz.plan;

import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.BundledModels;
import org.featviz.device.ConvolutionCall;
import org.featviz.device.Device;
import org.featviz.device.DeviceException;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;

/**
 * A library call that fails inside a plan step surfaces as a {@link DeviceStepException} naming the
 * node, its op type, the direction and the failed call, with the device's exception as the cause.
 * The device is the emulator behind a proxy whose library has one convolution call that throws as
 * CudaStatus does for a cuDNN error.
 */
class DeviceStepErrorTest {
  private static final String FAILURE =
      "cudnnConvolution%s(...) failed: CUDNN_STATUS_EXECUTION_FAILED (5000, cuDNN 9)";

  @Test
  void aFailingConvolutionForwardNamesTheNodeOpAndCall() {
    // fashion-cnn's convolutions are each read by a Relu only, so the plan fuses them (one library
    // call each).
    Graph g = fashionCnn();
    Node conv = firstConv(g);
    String call = FAILURE.formatted("BiasActivationForward");
    try (EmulatedDevice emu = new EmulatedDevice();
        DeviceExecutor exec =
            DeviceExecutor.forwardOnly(
                failing(emu, "convolutionBiasActivationForward", "BiasActivationForward"), g)) {
      DeviceStepException e =
          assertThrows(
              DeviceStepException.class,
              () -> exec.forward(Map.of(g.input().name(), input()), List.of(g.outputs().get(0))));
      assertEquals(conv.name() + " (Conv) forward: " + call, e.getMessage());
      assertEquals(conv.name(), e.nodeName());
      assertEquals("Conv", e.opType());
      assertEquals("forward", e.direction());
      assertTrue(e.getCause() instanceof DeviceException);
      assertEquals(call, e.getCause().getMessage());
    }
  }

  @Test
  void aFailingConvolutionBackwardNamesTheNodeAndDirection() {
    Graph g = fashionCnn();
    String input = g.input().name();
    try (EmulatedDevice emu = new EmulatedDevice();
        DeviceExecutor exec =
            new DeviceExecutor(failing(emu, "convolutionBackwardData", "BackwardData"), g)) {
      String logits = g.outputs().get(0);
      Tensor out = exec.forward(Map.of(input, input()), List.of(logits)).get(logits);
      DeviceStepException e =
          assertThrows(
              DeviceStepException.class,
              () -> exec.backward(Map.of(logits, Tensor.zeros(out.shape())), List.of(input)));
      assertTrue(
          e.getMessage()
              .matches(
                  "conv\\w* \\(Conv\\) backward: cudnnConvolutionBackwardData\\(\\.\\.\\.\\) "
                      + "failed: CUDNN_STATUS_EXECUTION_FAILED .*"),
          e.getMessage());
      assertEquals("backward", e.direction());
    }
  }

  @Test
  void otherFailuresPassThroughUnwrapped() {
    Graph g = fashionCnn();
    IllegalStateException misuse = new IllegalStateException("not a device failure");
    try (EmulatedDevice emu = new EmulatedDevice();
        DeviceExecutor exec =
            DeviceExecutor.forwardOnly(
                throwing(emu, "convolutionBiasActivationForward", misuse), g)) {
      assertSame(
          misuse,
          assertThrows(
              IllegalStateException.class,
              () -> exec.forward(Map.of(g.input().name(), input()), List.of(g.outputs().get(0)))));
    }
  }

  private static Graph fashionCnn() {
    return Prepare.forRun(OnnxImporter.read(BundledModels.path("fashion-cnn")), null, List.of());
  }

  private static Node firstConv(Graph g) {
    return g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
  }

  private static Tensor input() {
    return random(Shape.of(1, 1, 28, 28), new Random(5), 0, 1);
  }

  /**
   * The emulator, except that library operation {@code method} throws a cuDNN-style
   * DeviceException.
   */
  private static Device failing(Device inner, String method, String call) {
    return throwing(inner, method, new DeviceException(FAILURE.formatted(call)));
  }

  private static Device throwing(Device inner, String method, RuntimeException failure) {
    DeviceLibrary library =
        (DeviceLibrary)
            Proxy.newProxyInstance(
                DeviceLibrary.class.getClassLoader(),
                new Class<?>[] {DeviceLibrary.class},
                (proxy, m, args) -> {
                  // the plan's mixed precision makes its convolutions as one call record
                  if (args != null
                      && args[0] instanceof ConvolutionCall c
                      && c.method().equals(method)) throw failure;
                  return invoke(m, inner.library(), args);
                });
    return (Device)
        Proxy.newProxyInstance(
            Device.class.getClassLoader(),
            new Class<?>[] {Device.class},
            (proxy, m, args) -> m.getName().equals("library") ? library : invoke(m, inner, args));
  }

  private static Object invoke(Method m, Object target, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
