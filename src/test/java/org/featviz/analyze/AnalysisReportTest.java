package org.featviz.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.featviz.TestData;
import org.featviz.ir.Shape;
import org.featviz.report.ContactSheet;
import org.featviz.report.HeadlessChromium;
import org.featviz.report.Png;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

  @Test
  @Timeout(120)
  void loadsInHeadlessChromiumWithoutErrorsShowsEveryLayerAndFiltersFast() throws Exception {
    TestData.require(HeadlessChromium.BINARY, "chromium");
    Path profile = Files.createTempDirectory(out, "chromium-profile");
    try (HeadlessChromium browser = HeadlessChromium.start(profile, Duration.ofSeconds(30))) {
      browser.open(out.resolve("report.html").toUri().toString());
      assertEquals(List.of(), browser.errors(), "errors on load");

      String text = browser.evaluate("document.body.textContent").getAsString();
      for (String layer : LAYERS) assertTrue(text.contains(layer), "the page shows " + layer);
      assertTrue(browser.evaluate("document.getElementById('pwned') === null").getAsBoolean());
      assertEquals(60, cardLayers(browser).size(), "the first page of cards, not 5000");
      assertTrue(count(browser).contains("of " + UNITS), count(browser));

      // Filter by each layer: only its cards, all of them counted.
      for (int l = 0; l < LAYERS.size(); l++) {
        String layer = LAYERS.get(l);
        double ms = change(browser, "layer", Integer.toString(l));
        assertTrue(ms < 1000, "filtering took " + ms + " ms");
        List<String> shown = cardLayers(browser);
        assertEquals(60, shown.size(), layer);
        assertEquals(Set.of(layer), new HashSet<>(shown), "only " + layer + "'s cards");
        long units = result.unitsOf(layer).size();
        assertTrue(count(browser).contains(" of " + units + " matching"), count(browser));
      }

      // Sort the last layer by RS (AM), high first: the first card is its unit of largest RS.
      change(browser, "sort", "rs_am");
      UnitRow top =
          result.unitsOf(HOSTILE).stream()
              .filter(u -> !Double.isNaN(u.rs(ImageObjective.AM)))
              .max(
                  Comparator.comparingDouble((UnitRow u) -> u.rs(ImageObjective.AM))
                      .thenComparing(u -> -u.unit()))
              .orElseThrow();
      assertEquals(
          top.unit(),
          browser.evaluate("Number(document.querySelector('.card').dataset.unit)").getAsInt());

      // A metric's range: as many cards as the table has such units.
      change(browser, "metric", "selectivity");
      change(browser, "min", "0.3");
      long selective = result.unitsOf(HOSTILE).stream().filter(u -> u.selectivity() >= 0.3).count();
      assertTrue(count(browser).contains(" of " + selective + " matching"), count(browser));

      // Back to all units in order: the next page, then the first layer's images are found.
      change(browser, "min", "");
      change(browser, "metric", "");
      change(browser, "sort", "");
      change(browser, "layer", "");
      browser.evaluate("document.getElementById('next').click()");
      assertTrue(count(browser).startsWith("units 61\u2013120 of " + UNITS), count(browser));
      browser.evaluate("document.getElementById('previous').click()");
      assertEquals(
          List.of(112, 112, 216),
          browser.imageWidths(".card:first-child img"),
          "AM, IAM and exemplars of unit 0");

      BufferedImage shot = ImageIO.read(new ByteArrayInputStream(browser.screenshot(1280, 1600)));
      assertEquals(1280, shot.getWidth());
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < shot.getHeight(); y += 2)
        for (int x = 0; x < shot.getWidth(); x += 2) colours.add(shot.getRGB(x, y));
      assertTrue(colours.size() > 64, "a screenshot of " + colours.size() + " colours");
      assertEquals(List.of(), browser.errors(), "errors while used");
    }
  }

  /** Sets a control and tells the page; how long the page took to update, in ms. */
  private static double change(HeadlessChromium b, String id, String value) throws Exception {
    String v = new Gson().toJson(value);
    return b.evaluate(
            "(() => { const e = document.getElementById('"
                + id
                + "'); e.value = "
                + v
                + "; const t = performance.now(); e.dispatchEvent(new Event(e.tagName === 'INPUT'"
                + " ? 'input' : 'change')); return performance.now() - t; })()")
        .getAsDouble();
  }

  private static List<String> cardLayers(HeadlessChromium b) throws Exception {
    JsonArray a =
        b.evaluate("[...document.querySelectorAll('.card')].map(c => c.dataset.layer)")
            .getAsJsonArray();
    return a.asList().stream().map(JsonElement::getAsString).toList();
  }

  private static String count(HeadlessChromium b) throws Exception {
    return b.evaluate("document.getElementById('count').textContent").getAsString();
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
    return n;
  }
}
