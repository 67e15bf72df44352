package org.featviz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 cells: quoted only where a comma, quote or line break needs it. */
class CsvWriterTest {
  @Test
  void quotesOnlyTheCellsThatNeedIt() {
    assertEquals("relu2,3,0.25,", CsvWriter.line(List.of("relu2", "3", "0.25", "")));
    assertEquals(
        "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"",
        CsvWriter.line(List.of("a,b", "say \"hi\"", "two\nlines", "cr\r")));
    assertEquals("T-shirt/top", CsvWriter.cell("T-shirt/top"));
  }
}
