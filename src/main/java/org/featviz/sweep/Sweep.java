package org.featviz.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.featviz.Model;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.UnitObjective;
import org.featviz.report.ContactSheet;

/**
 * Visualizes every selected unit of some layers, {@code batch} units per optimization launch.
 * Results are written as each chunk finishes (a PNG per unit, a line in results.jsonl and
 * results.csv), so an interrupted sweep resumes where it stopped; a contact sheet per layer is
 * drawn at the end. A sweep holds its folder's {@link SweepLock} from before it reads the folder's
 * settings until it returns, so a second sweep into the folder is refused rather than interleaved.
 */
public final class Sweep {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
  private static final String MODEL_SHA = "modelSha256";

  /**
   * Told before and after every chunk and after every optimization step of one. With several
   * workers the calls come from their threads, one at a time.
   */
  public interface Listener {
    /**
     * Before {@link #started}: units the journal held whose image files are missing; they are done
     * again.
     */
    default void imagesMissing(int units) {}

    /** Before {@link #started}, where the sweep runs on several workers: where each renders. */
    default void workers(List<String> backends) {}

    default void started(int total, int alreadyDone) {}

    /**
     * The unit steps done so far in this run, over all workers (a chunk of n units at step s counts
     * n * s): after every optimization step of every chunk.
     */
    default void progress(long unitSteps) {}

    /** A chunk of {@code units} units is written to the journal. */
    default void chunkDone(int units) {}

    /**
     * A worker of several failed on a chunk; the others finish theirs, and the sweep then throws
     * the failure.
     *
     * @param worker "worker 2 of 3 (gpu (...))"
     * @param chunk "relu1 units 4-7"
     */
    default void workerFailed(String worker, String chunk) {}
  }

  private Sweep() {}

  /**
   * @param objective each unit's objective, prepared ({@link UnitObjective#prepare}) for the layers
   *     with units left to do once the settings are checked
   * @param objectiveText the objective as the user gave it (with any penalties and where a
   *     whitening comes from), recorded in sweep.json so that a resume with another objective is
   *     refused
   */
  public static List<UnitResult> run(
      Model model,
      List<String> layers,
      UnitSelection units,
      UnitObjective objective,
      String objectiveText,
      int batch,
      RenderOptions options,
      int upscale,
      Path out,
      Listener listener) {
    return run(
        List.of(model),
        layers,
        units,
        objective,
        objectiveText,
        batch,
        options,
        upscale,
        out,
        listener);
  }

  /**
   * {@link #run(Model, List, UnitSelection, UnitObjective, String, int, RenderOptions, int, Path,
   * Listener)} shared over several workers, one thread each, each rendering on its own model (its
   * own device): the models of one file, opened alike but for the device. The chunks are the ones
   * one worker would render (each unit's image depends on its seed and its chunk, not on the device
   * that renders it), taken from one queue; one writer journals them, and the results come back in
   * the order of the layers and units. The first model's settings (its math mode) are the sweep's.
   */
  public static List<UnitResult> run(
      List<Model> workers,
      List<String> layers,
      UnitSelection units,
      UnitObjective objective,
      String objectiveText,
      int batch,
      RenderOptions options,
      int upscale,
      Path out,
      Listener listener) {
    return run(
        workers,
        layers,
        units,
        objective,
        objectiveText,
        batch,
        options,
        upscale,
        out,
        listener,
        null);
  }

  /**
   * The same sweep with its chunks rendered by {@code runner} (a cluster's, say) instead of the
   * workers' threads; null for those. {@code workers} still plan it: they resolve the layers and
   * units, and the first one's settings are recorded in sweep.json.
   */
  public static List<UnitResult> run(
      List<Model> workers,
      List<String> layers,
      UnitSelection units,
      UnitObjective objective,
      String objectiveText,
      int batch,
      RenderOptions options,
      int upscale,
      Path out,
      Listener listener,
      ChunkRunner runner) {
    Model model = checkAlike(workers);
    options = options.resolvedFor(model.imageShape()); // the transforms sweep.json records
    if (batch <= 0)
      throw new ModelException("a sweep needs at least one unit per batch, got " + batch);
    // A layer named twice (or by two of its names) is swept once, where it first appears.
    List<String> resolved =
        layers.stream().map(l -> model.graph().resolveLayer(l)).distinct().toList();
    List<SweepChunk.Unit> work = new ArrayList<>();
    for (String layer : resolved) {
      int n = model.units(layer);
      for (int u : units.resolve(layer, n)) work.add(new SweepChunk.Unit(layer, u, n));
    }
    SweepConfig config =
        SweepConfig.of(model, resolved, units.text(), objectiveText, options, batch);
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out, e);
    }
    try (SweepLock lock = SweepLock.take(out);
        SweepJournal journal = openJournal(out, config)) {
      if (!journal.lostImages().isEmpty()) listener.imagesMissing(journal.lostImages().size());
      List<SweepChunk.Unit> todo =
          work.stream().filter(w -> !journal.isDone(w.layer(), w.unit())).toList();
      objective.prepare(todo.stream().map(SweepChunk.Unit::layer).distinct().toList());
      if (workers.size() > 1) listener.workers(workers.stream().map(Model::backend).toList());
      listener.started(work.size(), work.size() - todo.size());
      List<SweepChunk> chunks = new ArrayList<>();
      for (int from = 0; from < todo.size(); from += batch)
        chunks.add(new SweepChunk(todo.subList(from, Math.min(todo.size(), from + batch))));
      RenderOptions opts = options;
      ChunkRunner local =
          (folder, all, rows) ->
              new ChunkWorkers<>(
                      workers,
                      all,
                      CHUNKS,
                      (m, chunk, onStep) ->
                          renderChunk(m, chunk, objective, opts, upscale, out, onStep),
                      opts.steps(),
                      listener)
                  .run(rows);
      (runner == null ? local : runner).run(out, chunks, journal::append);
      journal.finish(work.stream().map(SweepChunk.Unit::key).toList());
      writeContactSheets(out, resolved, journal.results());
      return journal.results();
    }
  }

  private static final ChunkWorkers.Chunks<SweepChunk> CHUNKS =
      new ChunkWorkers.Chunks<>() {
        @Override
        public int units(SweepChunk chunk) {
          return chunk.units().size();
        }

        @Override
        public String describe(SweepChunk chunk) {
          return chunk.describe();
        }
      };

  /**
   * One chunk on one model: its images written under {@code out}, its rows for the journal (image
   * paths relative to {@code out}). {@code objective} is prepared for the chunk's layers.
   */
  public static List<UnitResult> renderChunk(
      Model model,
      SweepChunk chunk,
      UnitObjective objective,
      RenderOptions options,
      int upscale,
      Path out,
      java.util.function.IntConsumer onStep) {
    List<RenderTarget> targets = new ArrayList<>();
    synchronized (objective) { // implementations need not be thread-safe
      for (SweepChunk.Unit w : chunk.units()) {
        targets.add(
            model.unit(
                w.layer(),
                w.unit(),
                objective.forUnit(w.layer(), w.unit(), w.layerUnits(), options.seed())));
      }
    }
    List<RenderResult> results =
        model.render(targets, options, (step, steps) -> onStep.accept(step));
    List<UnitResult> records = new ArrayList<>();
    for (RenderResult r : results) {
      Path png = imagePath(out, r.target().layer(), r.target().unit());
      r.writePng(png, upscale);
      RepresentativeSubstitution counts = r.rs(); // counted by the renderer on its final image
      records.add(
          new UnitResult(
              r.target().layer(),
              r.target().unit(),
              r.target().objective().describe(),
              r.status().label(),
              r.objectiveValue(),
              r.activation(),
              r.seed(),
              r.steps(),
              out.relativize(png).toString(),
              model.backend(),
              counts == null ? null : counts.value(),
              counts == null ? null : counts.above(),
              counts == null ? null : counts.ties(),
              r.rsTrajectory().isEmpty() ? null : r.rsTrajectoryText()));
    }
    return records;
  }

  /**
   * The first of a sweep's worker models, after checking that they are models of one file that
   * render alike (the device aside): anything else is a caller's mistake.
   */
  private static Model checkAlike(List<Model> workers) {
    if (workers.isEmpty()) throw new IllegalArgumentException("a sweep needs a model to render on");
    Model first = workers.get(0);
    for (Model m : workers) {
      if (!m.file().equals(first.file())
          || m.mathMode() != first.mathMode()
          || !m.imageShape().equals(first.imageShape())
          || !java.util.Arrays.equals(m.normalization().mean(), first.normalization().mean())
          || !java.util.Arrays.equals(m.normalization().std(), first.normalization().std())) {
        throw new IllegalArgumentException(
            "a sweep's workers render one model alike: "
                + m.file()
                + " ("
                + m.backend()
                + ", "
                + m.mathMode()
                + ") is not like "
                + first.file()
                + " ("
                + first.backend()
                + ", "
                + first.mathMode()
                + ")");
      }
    }
    if (workers.stream().distinct().count() != workers.size())
      throw new IllegalArgumentException("a sweep's workers need a model each");
    return first;
  }

  /**
   * The journal of a folder whose settings are these; under the folder's lock, so no other sweep
   * writes there.
   */
  private static SweepJournal openJournal(Path out, SweepConfig config) {
    checkConfig(out, config);
    return new SweepJournal(out);
  }

  private static void checkConfig(Path out, SweepConfig config) {
    Path file = out.resolve("sweep.json");
    try {
      if (Files.exists(file)) {
        // Both from text, so that numbers compare as written.
        JsonElement before = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        JsonObject now = JsonParser.parseString(GSON.toJson(config)).getAsJsonObject();
        if (!before.isJsonObject()) throw new JsonParseException("expected a JSON object");
        JsonObject old = before.getAsJsonObject();
        JsonElement oldSha = old.get(MODEL_SHA);
        boolean hashed = oldSha != null && !oldSha.isJsonNull();
        if (hashed && !oldSha.equals(now.get(MODEL_SHA))) {
          throw new ModelException(
              out
                  + " holds a sweep of another model: "
                  + model(old)
                  + " there, "
                  + model(now)
                  + " now. Resume it with that model or choose another output folder");
        }
        if (hashed) {
          old.add("model", now.get("model")); // the same bytes: a renamed copy is the same model
        } else {
          old.add(
              MODEL_SHA,
              now.get(MODEL_SHA)); // recorded before models were hashed: the file name must match
        }
        List<String> differences = differences(old, now);
        if (!differences.isEmpty()) {
          throw new ModelException(
              out
                  + " holds a sweep made with other settings ("
                  + file
                  + "): "
                  + String.join("; ", differences)
                  + ". Resume it with the same settings or choose another output folder");
        }
        if (!hashed) Files.writeString(file, GSON.toJson(config), StandardCharsets.UTF_8);
      } else {
        Files.writeString(file, GSON.toJson(config), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } catch (JsonParseException e) {
      throw new ModelException(file + " is not a sweep's settings file: " + e.getMessage());
    }
  }

  /**
   * "fashion-cnn.onnx (SHA-256 0123456789ab...)": a model as sweep.json records it, for messages.
   */
  private static String model(JsonObject config) {
    JsonElement name = config.get("model");
    String sha = config.get(MODEL_SHA).getAsString();
    return (name == null || name.isJsonNull() ? "?" : name.getAsString())
        + " (SHA-256 "
        + sha.substring(0, Math.min(12, sha.length()))
        + "...)";
  }

  /** "name: old there, new now" for every setting that differs (a missing one reads as null). */
  private static List<String> differences(JsonObject before, JsonObject after) {
    Set<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    List<String> out = new ArrayList<>();
    for (String name : names) {
      JsonElement a = before.get(name);
      JsonElement b = after.get(name);
      if (!java.util.Objects.equals(a, b)) out.add(name + ": " + a + " there, " + b + " now");
    }
    return out;
  }

  static Path imagePath(Path out, String layer, int unit) {
    return out.resolve(safe(layer)).resolve(String.format("unit_%04d.png", unit));
  }

  static String safe(String layer) {
    return layer.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** One sheet per layer from the PNGs on disk, so units finished before a resume appear too. */
  private static void writeContactSheets(Path out, List<String> layers, List<UnitResult> results) {
    for (String layer : layers) {
      List<UnitResult> rows = results.stream().filter(r -> r.layer().equals(layer)).toList();
      if (rows.isEmpty()) continue;
      BufferedImage first = readImage(out, layer, rows.get(0));
      int channels = first.getType() == BufferedImage.TYPE_BYTE_GRAY ? 1 : 3;
      Shape shape = Shape.of(channels, first.getHeight(), first.getWidth());
      ContactSheet sheet = new ContactSheet(shape, Math.min(16, rows.size()), 1);
      for (UnitResult r : rows) {
        sheet.add(
            pixels(readImage(out, layer, r), shape),
            "unit " + r.unit() + ("ok".equals(r.status()) ? "" : " " + r.status()),
            String.format("%.3g", r.activation()));
      }
      sheet.write(out.resolve(safe(layer)).resolve("contact_sheet.png"));
    }
  }

  /**
   * A unit's PNG for the contact sheet. The journal drops units whose image is missing when a sweep
   * opens it, so this fails only where an image went missing or was damaged during the run: a clear
   * message then, and the next run redoes a missing one.
   */
  private static BufferedImage readImage(Path out, String layer, UnitResult r) {
    Path file = out.resolve(r.image());
    BufferedImage img;
    try {
      img = Files.isRegularFile(file) ? ImageIO.read(file.toFile()) : null;
    } catch (IOException e) {
      img = null;
    }
    if (img == null) {
      throw new ModelException(
          "cannot draw the contact sheet of "
              + layer
              + ": "
              + file
              + " is missing or not a PNG"
              + " (run the sweep again to redo a missing one)");
    }
    return img;
  }

  /** A PNG read back as [C, H, W] values in [0, 1]. */
  private static float[] pixels(BufferedImage img, Shape shape) {
    int c = shape.dim(0);
    int h = shape.dim(1);
    int w = shape.dim(2);
    float[] v = new float[c * h * w];
    for (int y = 0; y < Math.min(h, img.getHeight()); y++) {
      for (int x = 0; x < Math.min(w, img.getWidth()); x++) {
        int rgb = img.getRGB(x, y);
        for (int k = 0; k < c; k++) {
          int shift = c == 1 ? 0 : 16 - 8 * k;
          v[(k * h + y) * w + x] = ((rgb >> shift) & 0xff) / 255f;
        }
      }
    }
    return v;
  }
}
