package org.featviz.data;

import static org.featviz.data.IdxFiles.gzip;
import static org.featviz.data.IdxFiles.idx;
import static org.featviz.data.IdxFiles.ubytes;
import static org.featviz.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private void assertFails(Path file, String... fragments) {
    DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(file));
    assertTrue(
        e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message mentions '" + f + "': " + e.getMessage());
    }
  }

  @Test
  void readsPlainAndGzipFilesAlike() {
    byte[] data = randomBytes(3 * 4 * 5, 1);
    byte[] content = ubytes(new int[] {3, 4, 5}, data);
    IdxReader.IdxArray plain = IdxReader.read(write(dir.resolve("a.idx"), content));
    IdxReader.IdxArray gz = IdxReader.read(write(dir.resolve("a.idx.gz"), gzip(content)));
    for (IdxReader.IdxArray a : new IdxReader.IdxArray[] {plain, gz}) {
      assertArrayEquals(new int[] {3, 4, 5}, a.dims());
      assertArrayEquals(data, a.data());
    }
    assertEquals(data[7] & 0xFF, plain.unsigned(7));
  }

  @Test
  void detectsGzipByItsMagicBytesNotByName() {
    byte[] data = randomBytes(6, 2);
    byte[] content = ubytes(new int[] {6}, data);
    assertArrayEquals(
        data, IdxReader.read(write(dir.resolve("plain-but-named.gz"), content)).data());
    assertArrayEquals(
        data, IdxReader.read(write(dir.resolve("gzipped-but-named.idx"), gzip(content))).data());
  }

  @Test
  void missingFileIsNamed() {
    assertFails(dir.resolve("nothing-here.gz"), "no such file");
  }

  @Test
  void truncatedDataIsReported() {
    byte[] content = ubytes(new int[] {2, 28, 28}, randomBytes(2 * 28 * 28, 3));
    Path file = write(dir.resolve("short.idx"), Arrays.copyOf(content, content.length - 1));
    assertFails(file, "truncated", "1568");
  }

  @Test
  void truncatedHeaderIsReported() {
    byte[] content = ubytes(new int[] {2, 28, 28}, new byte[0]);
    assertFails(
        write(dir.resolve("header.idx"), Arrays.copyOf(content, 9)), "truncated", "3 dimensions");
    assertFails(write(dir.resolve("tiny.idx"), new byte[] {0, 0}), "truncated");
  }

  @Test
  void truncatedGzipIsReported() {
    byte[] gz = gzip(ubytes(new int[] {100}, randomBytes(100, 4)));
    assertFails(
        write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2)),
        "truncated or corrupt gzip");
  }

  @Test
  void wrongMagicNumberIsReported() {
    assertFails(
        write(dir.resolve("text.idx"), "hello, world\n".getBytes(StandardCharsets.US_ASCII)),
        "wrong magic number",
        "0x68656C6C");
    // Right leading zeros but a type code that IDX does not define.
    assertFails(
        write(dir.resolve("type.idx"), idx(0x42, new int[] {1}, new byte[1])),
        "wrong magic number");
  }

  @Test
  void unsupportedElementTypeIsNamed() {
    assertFails(
        write(dir.resolve("floats.idx"), idx(0x0D, new int[] {2}, new byte[8])), "float32", "0x0D");
  }

  @Test
  void absurdDimensionsAreReportedWithoutAllocating() {
    // 4294967295 x 4294967295 values: the reader must refuse before trusting the header.
    assertFails(
        write(dir.resolve("huge.idx"), ubytes(new int[] {-1, -1}, new byte[4])),
        "absurd",
        "4294967295");
    assertFails(
        write(dir.resolve("big.idx"), ubytes(new int[] {65536, 65536}, new byte[4])), "absurd");
    assertFails(write(dir.resolve("rank0.idx"), ubytes(new int[0], new byte[0])), "0 dimensions");
  }

  @Test
  void trailingBytesAreReported() {
    assertFails(
        write(dir.resolve("long.idx"), ubytes(new int[] {4}, new byte[6])), "2 unexpected bytes");
  }
}
