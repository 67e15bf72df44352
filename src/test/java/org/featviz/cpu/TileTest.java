package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Tile against the ONNX documentation's example and numpy.tile written out, finite differences (the
 * gradient sums the tiles), and the refusal of repeats that are not one positive value per axis.
 */
class TileTest {
  private static final Node TILE = node("Tile", Map.of(), 2, 1);

  private static Tensor repeats(long... r) {
    return Tensor.ofLongs(Shape.of(r.length), r);
  }

  @Test
  void theDocumentedExample() {
    Tensor x = Tensor.of(Shape.of(2, 2), new float[] {0, 1, 2, 3});
    Tensor y = forward(TILE, x, repeats(2, 2))[0];
    assertEquals(Shape.of(4, 4), y.shape());
    assertExact(
        new float[] {0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3}, y.data(), "repeats [2, 2]");
  }

  @Test
  void eachAxisRepeatsItsOwnNumberOfTimes() {
    // x [1, 2, 3] by [2, 1, 2]: y[a, b, c] = x[0, b, c mod 3], shape [2, 2, 6].
    Tensor x = Tensor.of(Shape.of(1, 2, 3), new float[] {1, 2, 3, 4, 5, 6});
    Tensor y = forward(TILE, x, repeats(2, 1, 2))[0];
    assertEquals(Shape.of(2, 2, 6), y.shape());
    float[] expected = new float[24];
    for (int a = 0; a < 2; a++)
      for (int b = 0; b < 2; b++)
        for (int c = 0; c < 6; c++) expected[(a * 2 + b) * 6 + c] = x.data()[b * 3 + c % 3];
    assertExact(expected, y.data(), "repeats [2, 1, 2]");
  }

  @Test
  void backwardSumsEveryTile() {
    Tensor x = random(Shape.of(2, 3), new Random(95), -1f, 1f);
    checkGradient(
        TILE, new Tensor[] {x, repeats(3, 2)}, new boolean[] {true, false}, 96, 1e-2, 1e-3);
    // dy of ones: every x element is read 6 times.
    Tensor[] grads = {Tensor.zeros(x.shape()), null};
    Tensor ones = Tensor.of(Shape.of(6, 6), new float[36]);
    java.util.Arrays.fill(ones.data(), 1f);
    Tensor[] in = {x, repeats(3, 2)};
    OpTesting.backward(TILE, in, forward(TILE, in), new Tensor[] {ones}, grads);
    assertExact(new float[] {6, 6, 6, 6, 6, 6}, grads[0].data(), "six tiles");
  }

  @Test
  void repeatsOfTheWrongLengthOrBelowOneAreRefusedNamingTheNode() {
    ModelException e =
        assertThrows(ModelException.class, () -> forward(TILE, OpTesting.zeros(2, 3), repeats(2)));
    assertMessageNames(e, "Tile_test", "repeats has shape [1]", "expected [2]");
    e =
        assertThrows(
            ModelException.class, () -> forward(TILE, OpTesting.zeros(2, 3), repeats(1, 0)));
    assertMessageNames(e, "Tile_test", "repeats 0 along axis 1");
  }
}
