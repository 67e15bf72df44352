package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

/**
 * Resize and Upsample against values worked out by hand (torch's nearest and bilinear with and
 * without align_corners, ONNX's Upsample example, a half-pixel downsample), finite differences, and
 * the refusals that name the node and the attribute.
 */
class ResizeTest {
  private static Node resize(Map<String, Object> attrs) {
    return node("Resize", attrs, 4, 1);
  }

  private static Tensor floats(float... v) {
    return Tensor.of(Shape.of(v.length), v);
  }

  private static Tensor sizes(long... v) {
    return Tensor.ofLongs(Shape.of(v.length), v);
  }

  /** Resize at opset 13 by scales. */
  private static Tensor byScales(Map<String, Object> attrs, Tensor x, float... scales) {
    return forward(resize(attrs), x, null, floats(scales), null)[0];
  }

  private static final Map<String, Object> TORCH_NEAREST =
      Map.of(
          "mode",
          "nearest",
          "coordinate_transformation_mode",
          "asymmetric",
          "nearest_mode",
          "floor");

  @Test
  void torchsNearestRepeatsEachPixel() {
    Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4});
    Tensor y = byScales(TORCH_NEAREST, x, 1, 1, 2, 2);
    assertEquals(Shape.of(1, 1, 4, 4), y.shape());
    assertExact(
        new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y.data(), "nearest x2");
  }

  @Test
  void upsampleNineIsNearestByFloor() {
    // ONNX's Upsample example: scales [1, 1, 2, 3].
    Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4});
    Tensor y =
        forward(node("Upsample", Map.of("mode", "nearest"), 2, 1), 9, x, floats(1, 1, 2, 3))[0];
    assertEquals(Shape.of(1, 1, 4, 6), y.shape());
    float[] expected = new float[24];
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 6; j++) expected[i * 6 + j] = x.data()[(i / 2) * 2 + j / 3];
    assertExact(expected, y.data(), "upsample");
  }

  @Test
  void upsampleSevenTakesItsScalesFromTheAttribute() {
    // Linear along W only, asymmetric: [0, 4] by 2 reads coordinates 0, 0.5, 1, 1.5 (clamped).
    Tensor x = Tensor.of(Shape.of(1, 1, 1, 2), new float[] {0, 4});
    Node up = node("Upsample", Map.of("mode", "linear", "scales", new float[] {1, 1, 1, 2}), 1, 1);
    Tensor y = forward(up, 7, x)[0];
    assertClose(new float[] {0, 2, 4, 4}, y.data(), 1e-6, 0, "upsample-7 linear");
  }

  @Test
  void opsetElevenGivesSizesAfterAnEmptyScalesAndRoi() {
    // torch's opset 11 export: roi and scales empty constants, sizes the output's shape.
    Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4});
    Tensor empty = Tensor.of(Shape.of(0), new float[0]);
    Tensor y = forward(resize(TORCH_NEAREST), 11, x, empty, empty, sizes(1, 1, 4, 2))[0];
    assertEquals(Shape.of(1, 1, 4, 2), y.shape());
    assertExact(new float[] {1, 2, 1, 2, 3, 4, 3, 4}, y.data(), "sizes at opset 11");
  }

  @Test
  void bilinearWithAlignCornersAveragesTheCorners() {
    Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4});
    Tensor y =
        forward(
            resize(Map.of("mode", "linear", "coordinate_transformation_mode", "align_corners")),
            x,
            null,
            null,
            sizes(1, 1, 3, 3))[0];
    assertClose(new float[] {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, y.data(), 1e-6, 0, "3 x 3");
  }

  @Test
  void bilinearWithoutAlignCornersIsPytorchHalfPixel() {
    // [0, 4] to 4: coordinates -0.25 (clamped), 0.25, 0.75, 1.25 (clamped) give [0, 1, 3, 4].
    Tensor x = Tensor.of(Shape.of(1, 1, 1, 2), new float[] {0, 4});
    Map<String, Object> a =
        Map.of("mode", "linear", "coordinate_transformation_mode", "pytorch_half_pixel");
    assertClose(new float[] {0, 1, 3, 4}, byScales(a, x, 1, 1, 1, 2).data(), 1e-6, 0, "x2");
    // One output pixel: pytorch_half_pixel reads coordinate 0, half_pixel the middle.
    Tensor one = forward(resize(a), x, null, null, sizes(1, 1, 1, 1))[0];
    assertExact(new float[] {0}, one.data(), "pytorch_half_pixel to 1");
    Tensor middle = forward(resize(Map.of("mode", "linear")), x, null, null, sizes(1, 1, 1, 1))[0];
    assertExact(new float[] {2}, middle.data(), "half_pixel to 1");
  }

  @Test
  void halfPixelDownsamplingBlendsTheMiddles() {
    // [0, 1, 2, 3] by 0.5: coordinates (i + 0.5) 2 - 0.5 = 0.5, 2.5.
    Tensor x = Tensor.of(Shape.of(1, 1, 1, 4), new float[] {0, 1, 2, 3});
    Tensor y = byScales(Map.of("mode", "linear"), x, 1, 1, 1, 0.5f);
    assertClose(new float[] {0.5f, 2.5f}, y.data(), 1e-6, 0, "half");
    // Nearest with round_prefer_floor takes 0 and 2 (ties go down), round_prefer_ceil 1 and 3.
    assertExact(new float[] {0, 2}, byScales(Map.of(), x, 1, 1, 1, 0.5f).data(), "prefer floor");
    assertExact(
        new float[] {1, 3},
        byScales(Map.of("nearest_mode", "round_prefer_ceil"), x, 1, 1, 1, 0.5f).data(),
        "prefer ceil");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random rng = new Random(97);
    Tensor x = random(Shape.of(1, 2, 3, 4), rng, -1f, 1f);
    for (String t : new String[] {"half_pixel", "align_corners", "pytorch_half_pixel"}) {
      checkGradient(
          resize(Map.of("mode", "linear", "coordinate_transformation_mode", t)),
          new Tensor[] {x, null, null, sizes(1, 2, 5, 7)},
          new boolean[] {true, false, false, false},
          98,
          1e-2,
          1e-3);
    }
    checkGradient(
        resize(TORCH_NEAREST),
        new Tensor[] {x, null, floats(1, 1, 2, 1.5f), null},
        new boolean[] {true, false, false, false},
        99,
        1e-2,
        1e-3);
  }

  @Test
  void unsupportedModesAreRefusedNamingTheNodeAndAttribute() {
    Tensor x = OpTesting.zeros(1, 1, 2, 2);
    Object[][] cases = {
      {Map.of("mode", "cubic"), "mode 'cubic'"},
      {Map.of("coordinate_transformation_mode", "tf_crop_and_resize"), "tf_crop_and_resize"},
      {Map.of("antialias", 1L), "antialias"},
      {Map.of("nearest_mode", "sideways"), "nearest_mode 'sideways'"}
    };
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Map<String, Object> attrs = (Map<String, Object>) c[0];
      UnsupportedOpException e =
          assertThrows(UnsupportedOpException.class, () -> byScales(attrs, x, 1, 1, 2, 2));
      assertMessageNames(e, "Resize_test", (String) c[1]);
    }
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () -> forward(node("Resize", Map.of(), 2, 1), 10, x, floats(1, 1, 2, 2)));
    assertMessageNames(e, "Resize_test", "before opset 11");
  }
}
