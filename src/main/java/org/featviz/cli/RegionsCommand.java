package org.featviz.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.device.Device;
import org.featviz.geometry.LayerRegions;
import org.featviz.geometry.LayerSpace;
import org.featviz.geometry.Plane;
import org.featviz.geometry.ProfileChart;
import org.featviz.geometry.RegionBounds;
import org.featviz.geometry.RegionMap;
import org.featviz.geometry.RegionPictures;
import org.featviz.geometry.SignRegions;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.report.Png;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code featviz regions}: the sign regions a layer's units cut a plane (or a line) of their input
 * space into, drawn and counted against the closed-form bound for hyperplanes in general position.
 */
@Command(
    name = "regions",
    description =
        "Sign-region map of a layer's units on a plane (or their values along a line) through its input"
            + " space or the network's: regions.png, zero-lines.png or profile.png/svg, summary.json.")
final class RegionsCommand extends FeatvizCommand {
  @Option(names = "--model", required = true, description = "ONNX model")
  Path model;

  @Option(
      names = "--layer",
      required = true,
      description =
          "the layer whose units cut the space (a ReLU names the pre-activations it reads)")
  String layer;

  @Option(
      names = "--plane",
      description =
          "basis:I,J (two axes of the space), random:SEED (two seeded random directions),"
              + " file:PATH (two directions, one a line) or images:A,B,C (through three test images)")
  String plane;

  @Option(
      names = "--line",
      description =
          "basis:I, random:SEED, file:PATH (one direction) or images:A,B (through two test images)")
  String line;

  @Option(
      names = "--space",
      defaultValue = "layer",
      description =
          "layer (default: the layer's own input, where each unit is a hyperplane; needs a Gemm, MatMul"
              + " or Conv layer) or input (the network's input pixels; any layer)")
  String space;

  @Option(
      names = "--anchor",
      defaultValue = "mean",
      description =
          "centre of a basis or random plane: mean (default: the test images' mean there), zero, or"
              + " image:K or file:PATH (one vector)")
  String anchor;

  @Option(
      names = "--extent",
      description =
          "half-width of a basis or random view (default: the test images' root-mean-square distance"
              + " from their mean)")
  Double extent;

  @Option(
      names = "--resolution",
      description = "grid points per side (default 512; a line: 1000 samples)")
  Integer resolution;

  @Option(
      names = "--position",
      description =
          "y,x: for a conv layer, the position whose channels are the units (default: the centre), or"
              + " all (every value of the layer; input space only)")
  String position;

  @Option(
      names = "--images",
      defaultValue = "1000",
      description = "test images for the mean anchor and the default extent (default 1000)")
  int images;

  @Mixin DataDirOption dataDir;

  @Mixin InputShapeOption inputShape;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description =
          "where the grid is evaluated: auto (default: the GPU where usable, else the CPU), cpu, gpu,"
              + " emulated (slow)")
  String device;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  /** Units a profile chart draws at most. */
  static final int CHART_UNITS = 24;

  /** Above this many units a map keeps no per-unit signs and draws no zero-lines picture. */
  static final int ZERO_LINE_UNITS = SignRegions.MAX_KEPT_UNITS;

  private Dataset data;

  private float[] datasetPoints;

  @Override
  public Integer call() {
    PrintWriter pw = stdout();
    PrintWriter err = stderr();
    if ((plane == null) == (line == null)) {
      throw new ModelException("give one of --plane or --line");
    }
    boolean isLine = line != null;
    String flag = isLine ? "--line" : "--plane";
    String[] kind = (isLine ? line : plane).split(":", 2);
    if (kind.length != 2)
      throw new ModelException(flag + " " + (isLine ? line : plane) + ": expected KIND:ARGS");
    LayerSpace.Space where =
        switch (space) {
          case "layer" -> LayerSpace.Space.LAYER;
          case "input" -> LayerSpace.Space.INPUT;
          default -> throw new ModelException("--space " + space + ": expected layer or input");
        };
    int res = resolution != null ? resolution : isLine ? 1000 : 512;
    if (res < 2 || res > 4096) {
      throw new ModelException("--resolution " + res + ": must be 2 to 4096");
    }
    if (images < 1) throw new ModelException("--images " + images + ": must be at least 1");
    if (extent != null && !(extent > 0 && Double.isFinite(extent))) {
      throw new ModelException("--extent " + extent + ": must be a finite number > 0");
    }
    int[] at =
        position == null
            ? null
            : position.equals("all") ? LayerSpace.ALL_POSITIONS : ints("--position", position, 2);
    Backend backend = DeviceOption.parse(device);
    OutputFolder.prepare("--out", out);
    long start = System.nanoTime();
    try (Model m =
            Model.builder(model).optInputShape(inputShape.dims()).optBackend(Backend.CPU).open();
        GridDevice grid = new GridDevice()) {
      String name = m.graph().resolveLayer(layer);
      Graph prepared = m.prepare(List.of(name));
      LayerSpace ls = LayerSpace.of(prepared, m.normalization(), name, where, at);
      List<RegionPictures.Mark> marks = new ArrayList<>();
      List<float[]> markPoints = new ArrayList<>();
      Plane p = plane(ls, m, kind[0], kind[1], flag, isLine, marks, markPoints);
      // The device opens once the plane is known to be sound, so bad input fails before it.
      if (!isLine && ls.affine()) {
        grid.device = Backends.openDevice(backend);
      } else if (where == LayerSpace.Space.INPUT) {
        grid.images = Backends.open(backend, prepared);
        ls = ls.evaluatedOn(grid.images);
      }
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("model", model.toString());
      summary.put("layer", ls.layer());
      summary.put("units_value", ls.unitsValue());
      summary.put("space", where == LayerSpace.Space.LAYER ? "layer" : "input");
      summary.put("space_value", ls.inputValue());
      summary.put("units", ls.units());
      summary.put("dimension", ls.dimension());
      summary.put(isLine ? "line" : "plane", isLine ? line : plane);
      summary.put("anchor", kind[0].equals("images") ? "image " + marks.get(0).label() : anchor);
      Map<String, Double> view = new LinkedHashMap<>();
      view.put("s_min", p.sMin());
      view.put("s_max", p.sMax());
      if (!isLine) {
        view.put("t_min", p.tMin());
        view.put("t_max", p.tMax());
      }
      summary.put("view", view);
      summary.put("resolution", res);
      summary.put("evaluated_on", grid.describe());
      String what =
          String.format(
              Locale.ROOT,
              "%s ('%s', %d units) on the %s %s in %s '%s' (%d dimensions)",
              ls.layer(),
              ls.unitsValue(),
              ls.units(),
              isLine ? "line" : "plane",
              isLine ? line : plane,
              where == LayerSpace.Space.LAYER ? "the layer's input" : "the network's input",
              ls.inputValue(),
              ls.dimension());
      pw.println(what);
      pw.println("grid evaluated on " + grid.describe());
      if (isLine) line(ls, p, res, marks, summary, pw);
      else plane(ls, p, res, marks, summary, pw, err, grid.device);
      List<Map<String, Object>> between = new ArrayList<>();
      for (int i = 0; i < markPoints.size(); i++) {
        for (int j = i + 1; j < markPoints.size(); j++) {
          List<Integer> units =
              LayerRegions.flippedBetween(ls, markPoints.get(i), markPoints.get(j));
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("from", marks.get(i).label());
          e.put("to", marks.get(j).label());
          e.put("count", units.size());
          e.put("units", units);
          between.add(e);
          pw.printf(
              "units with another sign at %s than at %s: %d of %d%n",
              marks.get(j).label(), marks.get(i).label(), units.size(), ls.units());
        }
      }
      if (!between.isEmpty()) summary.put("flipped_between", between);
      double seconds = (System.nanoTime() - start) / 1e9;
      summary.put("seconds", Math.round(seconds * 100) / 100.0);
      write(
          out.resolve("summary.json"),
          new GsonBuilder().setPrettyPrinting().create().toJson(summary));
      pw.printf("summary in %s (%s)%n", out.resolve("summary.json"), Progress.duration(seconds));
    }
    return 0;
  }

  private void plane(
      LayerSpace ls,
      Plane p,
      int res,
      List<RegionPictures.Mark> marks,
      Map<String, Object> summary,
      PrintWriter pw,
      PrintWriter err,
      Device device) {
    boolean keep = ls.units() <= ZERO_LINE_UNITS;
    RegionMap map;
    try (Progress progress = new Progress("regions", res, "grid rows", err)) {
      map = LayerRegions.map(ls, p, res, keep, progress, device);
    }
    summary.put("regions_seen", map.regions());
    Png.write(RegionPictures.regions(map, p, marks), out.resolve("regions.png"));
    if (keep) Png.write(RegionPictures.zeroLines(map, p, marks), out.resolve("zero-lines.png"));
    String bound = "";
    if (ls.affine()) {
      LayerRegions.PlaneUnits pu = LayerRegions.planeUnits(ls, p);
      int crossing = 0;
      for (int u = 0; u < ls.units(); u++) if (pu.crosses(u, p)) crossing++;
      summary.put("units_crossing_view", crossing);
      summary.put("bound_view", RegionBounds.generalPosition(crossing, 2));
      summary.put("bound_plane", RegionBounds.generalPosition(ls.units(), 2));
      summary.put(
          "bound_space", RegionBounds.generalPosition(ls.units(), ls.dimension()).toString());
      bound =
          String.format(
              Locale.ROOT,
              "; %d units cross the view: at most %s regions for lines in general position",
              crossing,
              RegionBounds.generalPosition(crossing, 2));
    }
    pw.printf("%d regions seen on a %d x %d grid%s%n", map.regions(), res, res, bound);
    pw.printf(
        "pictures in %s%s%n",
        out.resolve("regions.png"), keep ? " and " + out.resolve("zero-lines.png") : "");
  }

  private void line(
      LayerSpace ls,
      Plane p,
      int res,
      List<RegionPictures.Mark> marks,
      Map<String, Object> summary,
      PrintWriter pw) {
    LayerRegions.Profile prof = LayerRegions.profile(ls, p, res);
    summary.put("segments_seen", prof.segments());
    if (ls.affine()) summary.put("bound_line", RegionBounds.generalPosition(ls.units(), 1));
    List<Map<String, Object>> flips = new ArrayList<>();
    List<String> csv = new ArrayList<>(List.of("unit,s"));
    for (LayerRegions.Flip f : prof.flips()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("unit", f.unit());
      e.put("s", f.s());
      flips.add(e);
      csv.add(f.unit() + "," + f.s());
    }
    summary.put("flips", flips);
    write(out.resolve("flips.csv"), String.join("\n", csv) + "\n");
    Map<String, Double> at = new LinkedHashMap<>();
    for (RegionPictures.Mark mk : marks) at.put("image " + mk.label(), mk.s());
    ProfileChart.write(
        prof,
        ls.layer() + " along " + line,
        CHART_UNITS,
        at,
        out.resolve("profile.png"),
        out.resolve("profile.svg"));
    pw.printf(
        "%d sign changes of %d units along the line, %d segments%s; profile in %s%n",
        prof.flips().size(),
        ls.units(),
        prof.segments(),
        ls.affine() ? " (at most " + (ls.units() + 1) + ")" : "",
        out.resolve("profile.png"));
  }

  /**
   * What evaluates the grid: a device for the GEMM of an affine plane map, a forward backend for
   * the images of the input space, or neither (the CPU). Closes what it holds.
   */
  private static final class GridDevice implements AutoCloseable {
    Device device;
    ForwardBackend images;

    String describe() {
      if (device != null) return device.name() + " (GEMM + sign patterns)";
      if (images != null) return images.describe();
      return "cpu";
    }

    @Override
    public void close() {
      if (device != null) device.close();
      if (images != null) images.close();
    }
  }

  /** The plane or line a spec names, with its marked points (test images) where it has some. */
  private Plane plane(
      LayerSpace ls,
      Model m,
      String kind,
      String args,
      String flag,
      boolean isLine,
      List<RegionPictures.Mark> marks,
      List<float[]> markPoints) {
    int d = ls.dimension();
    int directions = isLine ? 1 : 2;
    String spec = flag + " " + kind + ":" + args;
    switch (kind) {
      case "images" -> {
        int[] ids = ints(spec, args, directions + 1);
        Dataset ds = data(m, flag);
        float[][] pts = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) {
          if (ids[i] < 0 || ids[i] >= ds.size()) {
            throw new ModelException(
                spec + ": image " + ids[i] + " is not in 0.." + (ds.size() - 1));
          }
          pts[i] = ls.pointsOf(image(ds, ids[i]));
        }
        Plane p;
        try {
          p =
              isLine
                  ? Plane.through(pts[0], pts[1], 0.25)
                  : Plane.through(pts[0], pts[1], pts[2], 0.25);
        } catch (IllegalArgumentException e) {
          throw new ModelException(
              spec + ": the images coincide or lie on one line at '" + ls.inputValue() + "'");
        }
        for (int i = 0; i < ids.length; i++) {
          double[] c = p.coordinates(pts[i]);
          marks.add(new RegionPictures.Mark(Character.toString('A' + i), c[0], c[1]));
          markPoints.add(pts[i]);
        }
        return p;
      }
      case "basis", "random", "file" -> {
        float[][] dirs = new float[directions][d];
        if (kind.equals("file")) {
          dirs = vectors(spec, Path.of(args), directions, ls);
        } else if (kind.equals("basis")) {
          int[] axes = ints(spec, args, directions);
          for (int i = 0; i < directions; i++) {
            if (axes[i] < 0 || axes[i] >= d) {
              throw new ModelException(
                  spec
                      + ": axis "
                      + axes[i]
                      + " is not in 0.."
                      + (d - 1)
                      + " of '"
                      + ls.inputValue()
                      + "'");
            }
            dirs[i][axes[i]] = 1;
          }
          if (!isLine && axes[0] == axes[1])
            throw new ModelException(spec + ": two different axes needed");
        } else {
          long seed;
          try {
            seed = Long.parseLong(args);
          } catch (NumberFormatException e) {
            throw new ModelException(spec + ": the seed must be a whole number");
          }
          Random r = new Random(seed);
          for (float[] dir : dirs) for (int i = 0; i < d; i++) dir[i] = (float) r.nextGaussian();
        }
        float[] centre = anchor(ls, m);
        double half = extent != null ? extent : spread(ls, m);
        return isLine
            ? Plane.line(centre, dirs[0], half)
            : Plane.spanned(centre, dirs[0], dirs[1], half);
      }
      default ->
          throw new ModelException(
              spec
                  + ": expected basis:..., random:SEED, file:PATH or images:... ("
                  + (isLine ? "2" : "3")
                  + " images)");
    }
  }

  private float[] anchor(LayerSpace ls, Model m) {
    if (anchor.equals("zero")) return new float[ls.dimension()];
    if (anchor.equals("mean")) {
      return mean(datasetPoints(ls, m, "--anchor mean"), images, ls.dimension());
    }
    if (anchor.startsWith("image:")) {
      int k = ints("--anchor " + anchor, anchor.substring(6), 1)[0];
      Dataset ds = data(m, "--anchor");
      if (k < 0 || k >= ds.size())
        throw new ModelException("--anchor " + anchor + ": no such test image");
      return ls.pointsOf(image(ds, k));
    }
    if (anchor.startsWith("file:")) {
      return vectors("--anchor " + anchor, Path.of(anchor.substring(5)), 1, ls)[0];
    }
    throw new ModelException("--anchor " + anchor + ": expected mean, zero, image:K or file:PATH");
  }

  /**
   * {@code count} vectors of the space from a text file, one a line, the numbers separated by
   * commas or white space; blank lines and lines starting with # are skipped.
   */
  private static float[][] vectors(String what, Path file, int count, LayerSpace ls) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ModelException(what + ": cannot read " + file + " (no such file)");
    } catch (IOException e) {
      throw new ModelException(what + ": cannot read " + file + " (" + e.getMessage() + ")");
    }
    List<float[]> rows = new ArrayList<>();
    int d = ls.dimension();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] parts = line.split("[,\\s]+");
      if (parts.length != d) {
        throw new ModelException(
            what
                + ": line "
                + (i + 1)
                + " of "
                + file
                + " has "
                + parts.length
                + " numbers; '"
                + ls.inputValue()
                + "' has "
                + d
                + " dimensions");
      }
      float[] v = new float[d];
      for (int k = 0; k < d; k++) {
        try {
          v[k] = Float.parseFloat(parts[k]);
        } catch (NumberFormatException e) {
          throw new ModelException(
              what + ": line " + (i + 1) + " of " + file + ": '" + parts[k] + "' is not a number");
        }
        if (!Float.isFinite(v[k])) {
          throw new ModelException(
              what + ": line " + (i + 1) + " of " + file + ": " + parts[k] + " is not finite");
        }
      }
      rows.add(v);
    }
    if (rows.size() != count) {
      throw new ModelException(
          what + ": " + file + " holds " + rows.size() + " vectors; expected " + count);
    }
    return rows.toArray(float[][]::new);
  }

  /** The test images' root-mean-square distance from their mean in the space. */
  private double spread(LayerSpace ls, Model m) {
    float[] pts = datasetPoints(ls, m, "the default --extent");
    int d = ls.dimension();
    float[] mu = mean(pts, images, d);
    double sum = 0;
    for (int i = 0; i < images; i++) {
      for (int k = 0; k < d; k++) {
        double x = pts[i * d + k] - mu[k];
        sum += x * x;
      }
    }
    double rms = Math.sqrt(sum / images);
    if (!(rms > 0))
      throw new ModelException(
          "the test images do not vary at '" + ls.inputValue() + "': give --extent");
    return rms;
  }

  /**
   * The first {@code --images} test images in the space, computed once: the mean anchor and the
   * default extent both read them.
   */
  private float[] datasetPoints(LayerSpace ls, Model m, String why) {
    if (datasetPoints == null) datasetPoints = ls.pointsOf(data(m, why).slice(0, images).images());
    return datasetPoints;
  }

  private static float[] mean(float[] pts, int n, int d) {
    double[] s = new double[d];
    for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) s[k] += pts[i * d + k];
    float[] mu = new float[d];
    for (int k = 0; k < d; k++) mu[k] = (float) (s[k] / n);
    return mu;
  }

  private Dataset data(Model m, String why) {
    if (data == null) {
      data = dataDir.testSplit();
      Shape img = Shape.of(data.channels(), data.height(), data.width());
      if (!img.equals(m.imageShape())) {
        throw new ModelException(
            why
                + ": "
                + data.name()
                + " images are "
                + img
                + ", the model takes "
                + m.imageShape());
      }
      if (images > data.size()) {
        throw new ModelException("--images " + images + ": the test split has " + data.size());
      }
    }
    return data;
  }

  private static Tensor image(Dataset ds, int i) {
    return ds.slice(i, i + 1).images();
  }

  private static int[] ints(String what, String text, int count) {
    String[] parts = text.split(",");
    if (parts.length != count) {
      throw new ModelException(what + ": expected " + count + " comma-separated whole numbers");
    }
    int[] v = new int[count];
    for (int i = 0; i < count; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new ModelException(what + ": '" + parts[i] + "' is not a whole number");
      }
    }
    return v;
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
