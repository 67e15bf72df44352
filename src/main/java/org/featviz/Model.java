package org.featviz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.device.Device;
import org.featviz.device.MathMode;
import org.featviz.eval.ActivationSamples;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.model.InputNormalization;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.Objective;
import org.featviz.objective.Whitening;
import org.featviz.onnx.OnnxImporter;
import org.featviz.ops.ShapeInference;
import org.featviz.passes.InputShapes;
import org.featviz.passes.Prepare;
import org.featviz.passes.TokenLayers;
import org.featviz.render.ImageRenderer;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderProgress;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.Renderer;
import org.featviz.render.gpu.DeviceRenderer;

/**
 * featviz's entry point for Java programs: an ONNX model opened for visualization.
 *
 * <pre>{@code
 * try (Model model = Model.builder(Path.of("models/fashion-cnn.onnx")).optBackend(Backend.AUTO).open()) {
 *   List<RenderResult> images = model.render(
 *       List.of(model.target(Objectives.channel("conv2", 5)), model.target(Objectives.iam("relu3", 7))),
 *       RenderOptions.defaults().withSteps(128));
 *   images.get(0).writePng(Path.of("conv2_5.png"), 4);
 * }
 * }</pre>
 *
 * <p>Renders run on the backend the {@link #builder} chose: by default AUTO, the GPU where one is
 * usable (the device render loop, {@link DeviceRenderer}) and the CPU {@link Renderer} otherwise,
 * with a note in the log. The model holds the device and its render plan between renders (a sweep's
 * chunks reuse them) until it is closed.
 */
public final class Model implements AutoCloseable {
  /**
   * The math mode of renders on a device unless one is chosen: TF32 tensor cores (errors about 2e-4
   * relative on the emulator, far below what changes an image); the CPU backend is FP32 always.
   */
  public static final MathMode DEFAULT_MATH = MathMode.DEVICE_DEFAULT;

  private final Path file;
  private final Graph graph;
  private final long[] inputShape;
  private final InputNormalization normalization;
  private final Map<String, Shape> shapes;
  private final Backend requested;
  private boolean closed;

  /**
   * The device renders run on, or null for the CPU backend; opened by the builder, closed with the
   * model.
   */
  private Device device;

  private final String backend;

  /** The renderer of the last render, reused while layers and options stay the same. */
  private ImageRenderer renderer;

  private List<Object> rendererKey;

  private Model(Builder b, Graph graph, InputNormalization normalization) {
    this.file = b.file;
    this.graph = graph;
    this.inputShape = b.inputShape;
    this.normalization = normalization;
    this.requested = b.backend;
    // Lenient: an op featviz lacks only matters to the layers at and after it (see layerShape).
    this.shapes =
        ShapeInference.inferLenient(graph, Prepare.inputShapes(graph, inputShape)).shapes();
    this.device = Backends.openDevice(b.backend, b.math, b.ordinal);
    // A device in a mode other than FP32 says so: results in TF32 differ from FP32 ones beyond
    // rounding.
    String mode =
        device == null || b.math == MathMode.FP32
            ? ""
            : ", " + b.math.name().toLowerCase(Locale.ROOT);
    this.backend =
        device == null
            ? "cpu"
            : b.backend == Backend.EMULATED
                ? "emulated (" + device.name() + mode + ")"
                : "gpu (" + device.name() + mode + ")";
  }

  /**
   * How to open a model: where it runs, in which arithmetic, at which input size and normalization.
   *
   * <pre>{@code
   * try (Model model = Model.builder(Path.of("models/fashion-cnn.onnx"))
   *     .optBackend(Backend.GPU)          // default AUTO: the GPU where usable, else the CPU (with a logged note)
   *     .optMath(MathMode.FP32)           // default TF32 on a device; the CPU is always FP32
   *     .open()) {
   *   ...
   * }
   * }</pre>
   */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /**
   * {@code builder(file).open()}: the default backend (AUTO) and math mode, the model's own input
   * shape.
   */
  public static Model open(Path file) {
    return builder(file).open();
  }

  /** {@code builder(file).optInputShape(inputShape).open()} ({@code inputShape} may be null). */
  public static Model open(Path file, long[] inputShape) {
    return builder(file).optInputShape(inputShape).open();
  }

  /**
   * The options of {@link #builder(Path)}; each {@code opt} method has a default, {@link #open()}
   * opens.
   */
  public static final class Builder {
    private final Path file;
    private long[] inputShape;
    private float[] mean;
    private float[] std;
    private Backend backend = Backend.AUTO;
    private MathMode math = DEFAULT_MATH;
    private int ordinal;

    private Builder(Path file) {
      this.file = file;
    }

    /**
     * One input image's size where the model's is dynamic: C, H, W (or N, C, H, W with N = 1).
     * Default: the model's own shape, a dynamic batch taken as 1.
     */
    public Builder optInputShape(long... dims) {
      this.inputShape = dims == null ? null : dims.clone();
      return this;
    }

    /**
     * Input normalization mean per channel (or one for all), for pixels in [0, 1]. Default: the
     * model's metadata.
     */
    public Builder optMean(float... mean) {
      this.mean = mean == null ? null : mean.clone();
      return this;
    }

    /**
     * Input normalization standard deviation per channel (or one). Default: the model's metadata,
     * else 1.
     */
    public Builder optStd(float... std) {
      this.std = std == null ? null : std.clone();
      return this;
    }

    /** Input normalization as a whole: {@code optMean(norm.mean()).optStd(norm.std())}. */
    public Builder optNormalization(InputNormalization norm) {
      return optMean(norm.mean()).optStd(norm.std());
    }

    /** Where renders run (default {@link Backend#AUTO}). */
    public Builder optBackend(Backend backend) {
      this.backend = java.util.Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Which GPU renders run on where the backend is a GPU (or AUTO finds one): its CUDA device
     * ordinal, default 0. The other backends have one device and ignore it.
     */
    public Builder optGpu(int ordinal) {
      if (ordinal < 0) throw new IllegalArgumentException("GPU ordinal " + ordinal + " < 0");
      this.ordinal = ordinal;
      return this;
    }

    /**
     * The device arithmetic of convolutions and GEMMs (default {@link Model#DEFAULT_MATH}; the CPU
     * is FP32).
     */
    public Builder optMath(MathMode math) {
      this.math = java.util.Objects.requireNonNull(math, "math");
      return this;
    }

    /**
     * Reads and checks the model, and opens its backend. Throws {@link ModelException} for a file
     * featviz cannot use (naming the file, node, op or shape) and {@link
     * org.featviz.backend.DeviceUnavailableException} where {@link Backend#GPU} was asked for and
     * no GPU is usable.
     */
    public Model open() {
      Graph g = Prepare.simplify(OnnxImporter.read(file), inputShape);
      InputShapes.requireOneImage(g, inputShape);
      InputNormalization base = InputNormalization.fromMetadata(g.metadata(), file.toString());
      InputNormalization norm =
          mean == null && std == null
              ? base
              : new InputNormalization(
                  mean != null ? mean : base.mean(), std != null ? std : base.std());
      long[] in = g.input().dims();
      // before any backend opens: a normalization that does not fit fails here, not at the first
      // step
      if (in.length >= 2 && in[1] > 0) norm.checkChannels((int) in[1]);
      return new Model(this, g, norm);
    }
  }

  /**
   * Where renders run: "cpu", "gpu (NVIDIA ...)" or "emulated (...)", with ", tf32" inside the
   * parentheses in that math mode. Opens nothing: the builder opened the backend.
   */
  public String backend() {
    return backend;
  }

  /**
   * The device renders run on, or null on the CPU backend: for passes that share it (the dataset
   * passes of an analysis). The model owns it; leave its math mode as found.
   */
  public Device device() {
    checkOpen();
    return device;
  }

  /**
   * The backend asked for when the model was opened (AUTO may have become the CPU or a GPU: see
   * {@link #backend}).
   */
  public Backend requestedBackend() {
    return requested;
  }

  /**
   * The arithmetic of convolutions and GEMMs in renders: the device's math mode, FP32 on the CPU
   * backend.
   */
  public MathMode mathMode() {
    checkOpen();
    return device == null ? MathMode.FP32 : device.mathMode();
  }

  public Path file() {
    return file;
  }

  public Graph graph() {
    checkOpen();
    return graph;
  }

  public InputNormalization normalization() {
    return normalization;
  }

  /**
   * The image each render optimizes, [C, H, W]: the model's input shape without its batch
   * dimension.
   */
  public Shape imageShape() {
    Shape in = shapes.get(graph.input().name());
    if (in == null || in.rank() != 4) {
      throw new ModelException(
          file
              + ": input '"
              + graph.input().name()
              + "' is "
              + in
              + "; featviz renders"
              + " images [N, C, H, W]");
    }
    return Shape.of(in.dim(1), in.dim(2), in.dim(3));
  }

  /** Layer names, in graph order. */
  public List<String> layers() {
    return graph.layerNames();
  }

  /**
   * The input's shape for one image, e.g. [1, 1, 28, 28] (where the model's is dynamic, the one
   * given to open).
   */
  public Shape inputShape() {
    return shapes.get(graph.input().name());
  }

  /**
   * A layer's output shape for one image, e.g. [1, 64, 28, 28]. A layer at or after an op featviz
   * does not support (or whose shape cannot be inferred) has none: a {@link ModelException} names
   * the node and op at fault.
   */
  public Shape layerShape(String layer) {
    String name = graph.resolveLayer(layer);
    Shape s = shapes.get(name);
    if (s == null) {
      prepare(List.of(name)); // throws the problem upstream of the layer, as a render of it would
      throw new ModelException(file + ": layer '" + name + "' has no inferred shape");
    }
    return s;
  }

  /**
   * Channels of a conv layer, features of a dense one or of a transformer's [N, tokens, features]
   * ({@link TokenLayers}: renders see such a layer as [N, features, tokens]).
   */
  public int units(String layer) {
    layerShape(layer);
    return TokenLayers.units(graph, shapes, graph.resolveLayer(layer));
  }

  /**
   * A render target for an objective about a unit ({@code Objectives.channel}, {@code neuron},
   * {@code iam}, and sums that start with one): the unit is the objective's own, checked against
   * its layer. For other objectives (a direction, a whitened direction) the target has no unit
   * unless {@link #unit(String, int, Objective)} gives one.
   *
   * <pre>{@code
   * model.render(List.of(model.target(Objectives.channel("relu2", 5))), RenderOptions.defaults());
   * }</pre>
   */
  public RenderTarget target(Objective objective) {
    return objective
        .unit()
        .map(u -> unit(u.layer(), u.index(), objective))
        .orElse(RenderTarget.of(objective));
  }

  /** A render target about one unit, checked against the layer's size; the objective may be any. */
  public RenderTarget unit(String layer, int unit, Objective objective) {
    String name = graph.resolveLayer(layer);
    int n = units(name);
    if (unit < 0 || unit >= n) {
      throw new ModelException(
          file
              + ": layer '"
              + name
              + "' has "
              + n
              + " units (output "
              + layerShape(name)
              + "); unit "
              + unit
              + " is out of range");
    }
    return new RenderTarget(objective, name, unit);
  }

  /**
   * A decorrelating transform of {@code layer}'s activations, estimated from the first {@code
   * images} images of {@code data}: what the whitened objectives ({@code
   * Objectives.whitenedDirection} and kin) measure in. {@link #whitening(String, Dataset, int,
   * IntConsumer)} has the details.
   */
  public Whitening whitening(String layer, Dataset data, int images) {
    return whitening(layer, data, images, n -> {});
  }

  /**
   * {@link #whitening(String, Dataset, int)}, telling {@code onImages} how many images each
   * finished batch held. Every spatial position of every image is a sample of the layer's U units
   * (a dense layer gives one per image); a seeded reservoir keeps at most {@link
   * ActivationSamples#DEFAULT_CAP} of them, and at least U + 1 are needed for a full-rank
   * covariance. The images are normalized as renders normalize theirs. It runs on the CPU backend
   * whatever backend the model was opened on: a one-time pass that is deterministic (the same
   * images give the same whitening bit for bit), so a render on the GPU, the emulator or the CPU,
   * in any math mode, measures in the same whitened space, and a sweep resumed elsewhere continues
   * in it.
   */
  public Whitening whitening(String layer, Dataset data, int images, IntConsumer onImages) {
    return Whitening.estimate(activationSamples(layer, data, images, onImages).samples());
  }

  /**
   * The samples {@link #whitening(String, Dataset, int, IntConsumer)} estimates from, checked to be
   * enough.
   */
  public ActivationSamples activationSamples(
      String layer, Dataset data, int images, IntConsumer onImages) {
    checkOpen();
    String name = graph.resolveLayer(layer);
    int units = units(name);
    if (units >= ActivationSamples.DEFAULT_CAP) {
      throw new ModelException(
          file
              + ": layer '"
              + name
              + "' has "
              + units
              + " units; a whitening keeps at most "
              + ActivationSamples.DEFAULT_CAP
              + " samples, too few for so many units");
    }
    Graph g = prepare(List.of(name));
    ActivationSamples s;
    try (ForwardBackend cpu = Backends.open(Backend.CPU, g)) {
      s =
          ActivationSamples.collect(
              cpu,
              g,
              name,
              data,
              normalization,
              images,
              64,
              ActivationSamples.DEFAULT_CAP,
              0,
              onImages);
    }
    if (s.samples().length <= units) {
      int positions = layerShape(name).size(2, Math.max(2, layerShape(name).rank()));
      throw new ModelException(
          file
              + ": the whitening of '"
              + name
              + "' ("
              + units
              + " units, output "
              + layerShape(name)
              + ") needs at least "
              + (units + 1)
              + " activation samples, but "
              + images
              + " image(s) give "
              + s.offered()
              + "; use at least "
              + ((units + positions) / positions)
              + " images");
    }
    return s;
  }

  /**
   * How every unit of {@code layer} responds to each rendered image (measured without transforms,
   * normalized as renders are): [results][units], a conv channel as its spatial mean. With {@code
   * RepresentativeSubstitution.of} this gives RS of each image's unit. Runs on the CPU backend: one
   * forward of a few images.
   */
  public float[][] unitActivations(List<RenderResult> results, String layer) {
    checkOpen();
    String name = graph.resolveLayer(layer);
    if (results.isEmpty()) return new float[0][];
    Shape image = imageShape();
    float[] x = new float[results.size() * image.size()];
    for (int b = 0; b < results.size(); b++) {
      float[] img = results.get(b).image();
      if (img.length != image.size()) {
        throw new ModelException(
            "result "
                + b
                + " has an image of "
                + img.length
                + " values; "
                + file
                + " takes "
                + image);
      }
      System.arraycopy(img, 0, x, b * image.size(), image.size());
    }
    Graph g = prepare(List.of(name));
    org.featviz.ir.Tensor out;
    try (ForwardBackend cpu = Backends.open(Backend.CPU, g)) {
      org.featviz.ir.Tensor in =
          org.featviz.ir.Tensor.of(
              Shape.of(results.size(), image.dim(0), image.dim(1), image.dim(2)), x);
      out = cpu.forward(Map.of(g.input().name(), normalization.apply(in)), List.of(name)).get(name);
    }
    return org.featviz.eval.UnitResponses.unitMeans(out);
  }

  /** The graph prepared to run as deep as the given layers and no deeper. */
  public Graph prepare(Collection<String> layers) {
    checkOpen();
    Graph g = Prepare.forRun(graph, inputShape, layers);
    return TokenLayers.unitsFirst(g, layers.stream().map(g::resolveLayer).toList());
  }

  /** Optimizes one image per target, all in one batch. */
  public List<RenderResult> render(List<RenderTarget> targets, RenderOptions options) {
    return render(targets, options, (done, total) -> {});
  }

  /**
   * {@link #render(List, RenderOptions)}, telling {@code progress} after every optimization step.
   */
  public List<RenderResult> render(
      List<RenderTarget> targets, RenderOptions options, RenderProgress progress) {
    IntConsumer onStep = step -> progress.step(step, options.steps());
    checkOpen();
    Set<String> layers = new LinkedHashSet<>();
    for (RenderTarget t : targets) {
      for (String l : t.objective().layers()) layers.add(graph.resolveLayer(l));
      if (t.hasUnit()) layers.add(t.layer());
    }
    for (BatchObjective term : options.batchTerms()) {
      for (String l : term.layers()) layers.add(graph.resolveLayer(l));
    }
    // The renderer of the last render is kept while layers and options stay the same (a sweep's
    // chunks): on a
    // device it holds the execution plan and its buffers.
    List<Object> key = List.of(new ArrayList<>(layers), options);
    if (renderer == null || !key.equals(rendererKey)) {
      if (renderer != null) renderer.close();
      renderer = null;
      Graph prepared = prepare(new ArrayList<>(layers));
      renderer =
          device == null
              ? new Renderer(prepared, normalization, options)
              : new DeviceRenderer(device, prepared, normalization, options);
      rendererKey = key;
    }
    return renderer.render(targets, onStep);
  }

  private void closeDevice() {
    if (renderer != null) renderer.close();
    renderer = null;
    rendererKey = null;
    if (device != null) device.close();
    device = null;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("model " + file + " is closed");
  }

  /** Releases what the model holds (the device and its render plan); idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    closeDevice();
  }
}
