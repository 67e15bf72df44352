package org.featviz.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.featviz.report.Charts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The plots of an analysis are files a viewer opens: each PNG decodes at the chart's size and is
 * more than one colour, each SVG is well-formed XML that draws each of the plot's series (a scatter
 * a marker per unit with a value).
 */
class AnalysisPlotsTest {
  @TempDir Path out;

  @Test
  void everyPlotIsAValidPngAndSvgThatShowsItsSeries() throws Exception {
    AnalysisResult r = SyntheticAnalysis.of(List.of("relu1", "relu2", "fc 1"), 300, 1);
    List<AnalysisPlots.Plot> plots = AnalysisPlots.write(r, out);
    assertEquals(1 + 2 * 3, plots.size(), "by depth, and a scatter and curves per layer: " + plots);
    assertEquals("plots/rs_vs_selectivity_fc_1.svg", plots.get(7 - 2).svg());
    for (AnalysisPlots.Plot p : plots) {
      BufferedImage png = ImageIO.read(out.resolve(p.png()).toFile());
      assertEquals(Charts.WIDTH, png.getWidth(), p.png());
      assertEquals(Charts.HEIGHT, png.getHeight(), p.png());
      Set<Integer> pixels = new HashSet<>();
      for (int y = 0; y < png.getHeight(); y += 3)
        for (int x = 0; x < png.getWidth(); x += 3) pixels.add(png.getRGB(x, y));
      assertTrue(pixels.size() > 8, p.png() + " has " + pixels.size() + " colours");

      Document svg = parse(out.resolve(p.svg()));
      assertEquals("svg", svg.getDocumentElement().getLocalName(), p.svg());
      // XChart draws text as outlines: a series shows as shapes in its colour.
      Map<String, Integer> colours = shapesByColour(svg);
      if (p.name().startsWith("rs_vs")) {
        for (ImageObjective k : ImageObjective.values()) {
          long points = r.unitsOf(p.layer()).stream().filter(u -> !Double.isNaN(u.rs(k))).count();
          assertEquals(
              (int) points + 1, // and the legend's
              colours.getOrDefault(
                  k == ImageObjective.AM ? "31,119,180 0.666" : "255,127,14 0.666", 0),
              p.svg() + " " + k + ": " + colours);
        }
      } else if (p.name().startsWith("ablation")) {
        // the random band and mean, and the six other orders' lines
        for (String c :
            List.of(
                "0,0,0 0.156",
                "64,64,64",
                "44,160,44",
                "152,223,138",
                "31,119,180",
                "174,199,232",
                "255,127,14",
                "255,187,120")) {
          assertTrue(colours.containsKey(c), p.svg() + " lacks " + c + ": " + colours);
        }
      } else {
        for (String c : List.of("31,119,180", "255,127,14", "44,160,44"))
          assertTrue(colours.getOrDefault(c, 0) >= 3 + 1, p.svg() + " lacks " + c + ": " + colours);
      }
    }
  }

  @Test
  void withoutCurvesOrValuesTheirPlotsAreLeftOut() {
    AnalysisResult full = SyntheticAnalysis.of(List.of("relu1", "relu2"), 40, 2);
    AnalysisResult noCurves =
        new AnalysisResult(full.objectives(), full.units(), full.layers(), List.of(), List.of());
    List<AnalysisPlots.Plot> plots = AnalysisPlots.write(noCurves, out);
    assertEquals(3, plots.size(), plots.toString());
    assertTrue(plots.stream().noneMatch(p -> p.name().startsWith("ablation")));
  }

  /** Well-formed XML, read without fetching the DTD it names (no network). */
  static Document parse(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    return f.newDocumentBuilder().parse(file.toFile());
  }

  /**
   * How many shapes are filled or stroked in each colour: "r,g,b", with " opacity" (its first 5
   * characters) where it is translucent.
   */
  private static Map<String, Integer> shapesByColour(Document d) {
    Pattern paint =
        Pattern.compile(
            "(?:fill|stroke):rgb\\(([0-9,]+)\\);(?:(?:fill|stroke)-opacity:([0-9.]+))?");
    Map<String, Integer> count = new TreeMap<>();
    NodeList all = d.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Matcher m = paint.matcher(((Element) all.item(i)).getAttribute("style"));
      while (m.find()) {
        String opacity =
            m.group(2) == null
                ? ""
                : " " + m.group(2).substring(0, Math.min(5, m.group(2).length()));
        count.merge(m.group(1) + opacity, 1, Integer::sum);
      }
    }
    return count;
  }
}
