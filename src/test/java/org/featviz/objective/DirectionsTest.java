package org.featviz.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.featviz.ir.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basis and random directions, and reading directions from text and .npy files. */
class DirectionsTest {
  @TempDir Path dir;

  @Test
  void basisAndRandom() {
    assertArrayEquals(new float[] {0, 0, 1, 0}, Directions.basis(4, 2));
    assertThrows(ModelException.class, () -> Directions.basis(4, 4));
    float[] r = Directions.random(50, 7);
    assertEquals(1.0, Math.sqrt(VectorMath.dot(r, r)), 1e-6);
    assertArrayEquals(r, Directions.random(50, 7));
    assertFalse(Arrays.equals(r, Directions.random(50, 8)));
    int positive = 0;
    for (float x : r) if (x > 0) positive++;
    assertTrue(
        positive > 10 && positive < 40,
        "signs of a Gaussian direction: " + positive + " of 50 positive");
  }

  @Test
  void readsText() throws IOException {
    Path p = dir.resolve("v.txt");
    Files.writeString(p, "1, 2.5\n-3e-1\t4 ,5\n\n");
    assertArrayEquals(new float[] {1, 2.5f, -0.3f, 4, 5}, Directions.read(p));
  }

  @Test
  void textErrors() throws IOException {
    Path p = dir.resolve("bad.txt");
    Files.writeString(p, "1 2\n3 x4\n");
    ModelException e = assertThrows(ModelException.class, () -> Directions.read(p));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("x4"), e.getMessage());
    Files.writeString(p, " \n");
    assertTrue(
        assertThrows(ModelException.class, () -> Directions.read(p))
            .getMessage()
            .contains("no values"));
    Files.writeString(p, "1 NaN");
    assertThrows(ModelException.class, () -> Directions.read(p));
    Path missing = dir.resolve("missing.txt");
    assertTrue(
        assertThrows(ModelException.class, () -> Directions.read(missing))
            .getMessage()
            .contains("does not exist"));
  }

  @Test
  void readsNpyFloat32AndFloat64() throws IOException {
    Path f4 = dir.resolve("v4.npy");
    Files.write(f4, npy("<f4", "(3,)", new double[] {1.5, -2, 0.25}));
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f}, Directions.read(f4));
    Path f8 = dir.resolve("v8.npy");
    Files.write(f8, npy("<f8", "(2,)", new double[] {0.1, 7}));
    assertArrayEquals(new float[] {0.1f, 7f}, Directions.read(f8));
  }

  @Test
  void npyErrors() throws IOException {
    Path p = dir.resolve("bad.npy");
    Files.write(p, npy("<f4", "(2, 2)", new double[] {1, 2, 3, 4}));
    assertTrue(
        assertThrows(ModelException.class, () -> Directions.read(p)).getMessage().contains("1-D"));
    Files.write(p, npy("<i4", "(2,)", new double[] {1, 2}));
    assertTrue(
        assertThrows(ModelException.class, () -> Directions.read(p)).getMessage().contains("<i4"));
    byte[] full = npy("<f4", "(4,)", new double[] {1, 2, 3, 4});
    Files.write(p, Arrays.copyOf(full, full.length - 4));
    assertTrue(
        assertThrows(ModelException.class, () -> Directions.read(p))
            .getMessage()
            .contains("3 present"));
  }

  /** A version 1.0 .npy file: magic, header padded so the data starts at a multiple of 64 bytes. */
  private static byte[] npy(String descr, String shape, double[] values) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int size = descr.endsWith("8") ? 8 : 4;
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
    header.append('\n');
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + values.length * size)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.ISO_8859_1))
        .put((byte) 1)
        .put((byte) 0);
    b.putShort((short) header.length())
        .put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    for (double v : values) {
      if (descr.equals("<f8")) b.putDouble(v);
      else if (descr.equals("<f4")) b.putFloat((float) v);
      else b.putInt((int) v);
    }
    return b.array();
  }
}
