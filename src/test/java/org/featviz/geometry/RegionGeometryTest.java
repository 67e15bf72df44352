package org.featviz.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.ir.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Region counts and flip points on layers whose geometry is known in closed form, and region maps
 * against a brute-force count that evaluates the units by hand (sharing no code with the grid
 * evaluation, the sign hashing or the network executor).
 */
class RegionGeometryTest {
  @TempDir Path dir;

  @Test
  void boundsAreTheSumsOfBinomials() {
    for (int m = 0; m < 20; m++) {
      assertEquals(
          BigInteger.valueOf(1 + m + (long) m * (m - 1) / 2), RegionBounds.generalPosition(m, 2));
      assertEquals(BigInteger.valueOf(1 + m), RegionBounds.generalPosition(m, 1));
      assertEquals(
          BigInteger.ONE.shiftLeft(m),
          RegionBounds.generalPosition(m, m + 3),
          "d >= m: every pattern");
    }
    assertEquals(BigInteger.valueOf(1 + 10 + 45 + 120), RegionBounds.generalPosition(10, 3));
  }

  /**
   * Lines tangent to the unit circle at distinct angles in [0, pi) are in general position (no two
   * parallel; no three through one point, as a point outside a circle has only two tangents); all
   * their crossings lie within 1 / sin(pi / 2m) of the centre, so a view of half-width 6 holds them
   * for m = 8 and the map shows all 1 + 8 + 28 regions.
   */
  @Test
  void tangentLinesCutThePlaneIntoTheGeneralPositionCount() throws Exception {
    int m = 8;
    float[] w = new float[2 * m];
    float[] b = new float[m];
    for (int k = 0; k < m; k++) {
      double theta = Math.PI * (k + 0.3) / m;
      w[2 * k] = (float) Math.cos(theta);
      w[2 * k + 1] = (float) Math.sin(theta);
      b[k] = -1;
    }
    try (Model model = open(GeometryModels.gemmRelu(dir.resolve("tangents.onnx"), 2, w, b))) {
      LayerSpace space = space(model, "relu1", LayerSpace.Space.LAYER);
      assertEquals("fc1", space.unitsValue());
      assertEquals(2, space.dimension());
      Plane plane = Plane.spanned(new float[2], new float[] {1, 0}, new float[] {0, 1}, 6);
      RegionMap map = LayerRegions.map(space, plane, 1024, true, n -> {});
      assertEquals(37, map.regions());
      assertEquals(bruteForceRegions(plane, 1024, w, b, 2), map.regions());
      LayerRegions.PlaneUnits pu = LayerRegions.planeUnits(space, plane);
      for (int u = 0; u < m; u++) {
        assertTrue(pu.crosses(u, plane), "unit " + u + " crosses the view");
        assertEquals(-1, pu.c()[u], 1e-6);
      }
    }
  }

  @Test
  void randomLinesGiveWhatABruteForceCountGivesAndNoMoreThanTheBound() throws Exception {
    Random r = new Random(11);
    int m = 14;
    float[] w = new float[2 * m];
    float[] b = new float[m];
    for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
    for (int i = 0; i < m; i++) b[i] = (float) r.nextGaussian();
    try (Model model = open(GeometryModels.gemmRelu(dir.resolve("random.onnx"), 2, w, b))) {
      LayerSpace space = space(model, "relu1", LayerSpace.Space.LAYER);
      Plane plane =
          Plane.spanned(new float[] {0.3f, -0.2f}, new float[] {1, 1}, new float[] {1, -2}, 2.5);
      RegionMap map = LayerRegions.map(space, plane, 400, false, n -> {});
      int expected = bruteForceRegions(plane, 400, w, b, 2);
      assertEquals(expected, map.regions());
      assertTrue(
          map.regions() > m, "a view of this size holds many of the crossings: " + map.regions());
      assertTrue(map.regions() <= RegionBounds.generalPosition(m, 2).intValue());
    }
  }

  /** A unit w x + b of a one-dimensional input changes sign exactly at x = -b / w. */
  @Test
  void oneDimensionalUnitsFlipAtMinusBOverW() throws Exception {
    float[] w = {2, -0.5f, 1, 3, 0.25f, -4};
    float[] b = {1, 1, -3.5f, 0.3f, 2, -8};
    try (Model model = open(GeometryModels.gemmRelu(dir.resolve("line.onnx"), 1, w, b))) {
      LayerSpace space = space(model, "relu1", LayerSpace.Space.LAYER);
      Plane line = Plane.line(new float[1], new float[] {1}, 5);
      LayerRegions.Profile p = LayerRegions.profile(space, line, 5000);
      Map<Integer, Double> expected = new HashMap<>();
      for (int u = 0; u < w.length; u++) {
        double at = -b[u] / w[u];
        if (Math.abs(at) < 5) expected.put(u, at);
      }
      assertEquals(expected.size(), p.flips().size(), p.flips().toString());
      double last = Double.NEGATIVE_INFINITY;
      for (LayerRegions.Flip f : p.flips()) {
        assertEquals(expected.get(f.unit()), f.s(), 1e-5, "unit " + f.unit());
        assertTrue(f.s() >= last, "flips in order of position");
        last = f.s();
      }
      assertEquals(
          expected.size() + 1, p.segments(), "distinct flip points cut the line into n + 1");
      // the same flips, interpolated, where every sample runs through the network
      LayerSpace input = space(model, "relu1", LayerSpace.Space.INPUT);
      LayerRegions.Profile q = LayerRegions.profile(input, line, 5000);
      assertEquals(expected.size(), q.flips().size());
      for (LayerRegions.Flip f : q.flips()) assertEquals(expected.get(f.unit()), f.s(), 1e-4);
    }
  }

  /**
   * In the network's input, the second layer's units bend where a first-layer unit switches off:
   * the map must give two grid points the same region exactly when a hand evaluation of relu(W2
   * relu(W1 x + b1) + b2)'s pre-activation signs agrees.
   */
  @Test
  void inputSpaceRegionsPartitionTheGridAsTheHandEvaluationDoes() throws Exception {
    Random r = new Random(5);
    float[] w1 = gaussian(r, 4 * 2);
    float[] b1 = gaussian(r, 4);
    float[] w2 = gaussian(r, 5 * 4);
    float[] b2 = gaussian(r, 5);
    try (Model model = open(GeometryModels.twoLayers(dir.resolve("two.onnx"), 2, w1, b1, w2, b2))) {
      LayerSpace space = space(model, "relu2", LayerSpace.Space.INPUT);
      assertEquals("fc2", space.unitsValue());
      Plane plane = Plane.spanned(new float[2], new float[] {1, 0}, new float[] {0, 1}, 3);
      int res = 160;
      RegionMap map = LayerRegions.map(space, plane, res, true, n -> {});
      Map<BitSet, Integer> byPattern = new HashMap<>();
      Map<Integer, BitSet> byId = new HashMap<>();
      for (int y = 0; y < res; y++) {
        for (int x = 0; x < res; x++) {
          float[] p = plane.point(plane.s(x, res), plane.t(y, res));
          double[] h = new double[4];
          for (int j = 0; j < 4; j++) {
            h[j] = Math.max(0, w1[2 * j] * p[0] + w1[2 * j + 1] * p[1] + b1[j]);
          }
          BitSet pattern = new BitSet();
          for (int u = 0; u < 5; u++) {
            double z = b2[u];
            for (int j = 0; j < 4; j++) z += w2[4 * u + j] * h[j];
            if (z > 0) pattern.set(u);
            assertEquals(z > 0, map.positive(x, y, u), "unit " + u + " at " + x + "," + y);
          }
          int id = map.id(x, y);
          assertEquals(id, byPattern.computeIfAbsent(pattern, k -> id), "one pattern, one region");
          assertEquals(pattern, byId.computeIfAbsent(id, k -> pattern), "one region, one pattern");
        }
      }
      assertEquals(byPattern.size(), map.regions());
      // in its own input (relu1's 4 values) each unit of fc2 is affine: W2 h + b2 exactly
      LayerSpace layer = space(model, "relu2", LayerSpace.Space.LAYER);
      assertEquals("relu1", layer.inputValue());
      float[] h = gaussian(r, 3 * 4);
      float[] z = layer.evaluate(h, 3);
      for (int i = 0; i < 3; i++) {
        for (int u = 0; u < 5; u++) {
          double e = b2[u];
          for (int j = 0; j < 4; j++) e += w2[4 * u + j] * h[4 * i + j];
          assertEquals(e, z[5 * i + u], 1e-5);
        }
      }
    }
  }

  @Test
  void planeThroughThreePointsPutsThemAtTheirDistances() {
    float[] a = {1, 2, 3};
    float[] b = {4, 6, 3};
    float[] c = {1, 2, 7};
    Plane p = Plane.through(a, b, c, 0.25);
    double[] pb = p.coordinates(b);
    double[] pc = p.coordinates(c);
    assertEquals(0, p.coordinates(a)[0], 1e-6);
    assertEquals(5, pb[0], 1e-6, "|b - a| = 5 along s");
    assertEquals(0, pb[1], 1e-6);
    assertEquals(0, pc[0], 1e-6, "c - a is orthogonal to b - a here");
    assertEquals(4, Math.abs(pc[1]), 1e-6);
    assertEquals(p.sMax() - p.sMin(), p.tMax() - p.tMin(), 1e-9, "a square view");
    assertEquals(
        5 * 1.5, p.sMax() - p.sMin(), 1e-6, "the larger side widened by a quarter each way");
    assertThrows(
        IllegalArgumentException.class, () -> Plane.through(a, b, new float[] {7, 10, 3}, 0.25));
  }

  @Test
  void aLayerThatIsNotAffineOnItsInputIsRefusedByName() {
    try (Model model =
        Model.builder(Path.of("models/fashion-cnn.onnx")).optBackend(Backend.CPU).open()) {
      ModelException e =
          assertThrows(ModelException.class, () -> space(model, "pool1", LayerSpace.Space.LAYER));
      assertTrue(
          e.getMessage().contains("layer 'pool1' is not computed as W x + b"), e.getMessage());
      assertTrue(e.getMessage().contains("MaxPool"), e.getMessage());
      // a conv layer's units are its channels at one position, its space the conv's input
      LayerSpace conv = space(model, "relu3", LayerSpace.Space.LAYER);
      assertEquals(128, conv.units());
      assertEquals("pool1", conv.inputValue());
      assertEquals(64 * 14 * 14, conv.dimension());
    }
  }

  private static Model open(Path file) {
    return Model.builder(file).optBackend(Backend.CPU).open();
  }

  private static LayerSpace space(Model model, String layer, LayerSpace.Space where) {
    return LayerSpace.of(model.prepare(List.of(layer)), model.normalization(), layer, where, null);
  }

  private static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return v;
  }

  /**
   * Distinct sign patterns of units w x + b (w [m, d]) at the grid's points, by direct evaluation.
   */
  private static int bruteForceRegions(Plane plane, int res, float[] w, float[] b, int d) {
    Set<BitSet> seen = new HashSet<>();
    for (int y = 0; y < res; y++) {
      for (int x = 0; x < res; x++) {
        float[] p = plane.point(plane.s(x, res), plane.t(y, res));
        BitSet s = new BitSet();
        for (int u = 0; u < b.length; u++) {
          double z = b[u];
          for (int k = 0; k < d; k++) z += (double) w[u * d + k] * p[k];
          if (z > 0) s.set(u);
        }
        seen.add(s);
      }
    }
    return seen.size();
  }
}
