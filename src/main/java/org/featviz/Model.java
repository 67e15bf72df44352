package org.featviz;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
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
import org.featviz.passes.Prepare;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.Renderer;
import org.featviz.render.gpu.DeviceRenderer;

/**
 * featviz's entry point for Java programs: an ONNX model opened for visualization.
 *
 * <pre>{@code
 * try (Model model = Model.open(Path.of("models/fashion-cnn.onnx"))) {
 *   List<RenderResult> images = model.render(
 *       List.of(model.unit("conv2", 5, Objectives.channel("conv2", 5)),
 *               model.unit("relu3", 7, Objectives.iam("relu3", 7))),
 *       RenderOptions.defaults().withSteps(128));
 * }
 * }</pre>
 *
 * <p>Renders run where {@link #useDevice} says: by default {@code auto}, the GPU where one is usable (the device
 * render loop, {@link DeviceRenderer}) and the CPU {@link Renderer} otherwise, with a note on standard error. The
 * model holds the device and its render plan between renders (a sweep's chunks reuse them) until it is closed.
 */
public final class Model implements AutoCloseable {
  /**
   * The math mode of renders on a device unless one is chosen: TF32 tensor cores (errors about 2e-4 relative on the
   * emulator, far below what changes an image); the CPU backend is FP32 always.
   */
  public static final MathMode DEFAULT_MATH = MathMode.DEVICE_DEFAULT;

  private final Path file;
  private final Graph graph;
  private final long[] inputShape;
  private final InputNormalization normalization;
  private final Map<String, Shape> shapes;
  private boolean closed;
  /** The render backend's name (auto, cpu, gpu, emulated); opened on first render unless useDevice opened it. */
  private String deviceName = "auto";
  private boolean deviceChosen;
  private Device device;
  private String backend = "cpu";
  /** The device renderer of the last render, reused while layers and options stay the same. */
  private DeviceRenderer deviceRenderer;
  private List<Object> deviceRendererKey;

  private Model(Path file, Graph graph, long[] inputShape, InputNormalization normalization) {
    this.file = file;
    this.graph = graph;
    this.inputShape = inputShape == null ? null : inputShape.clone();
    this.normalization = normalization;
    // Lenient: an op featviz lacks only matters to the layers at and after it (see layerShape).
    this.shapes = ShapeInference.inferLenient(graph, Prepare.inputShapes(graph, inputShape)).shapes();
  }

  /** Opens a model whose input shape is static (or has only a dynamic batch dimension). */
  public static Model open(Path file) {
    return open(file, null);
  }

  /** Opens a model, giving its input shape (with or without the batch dimension) where the model's is dynamic. */
  public static Model open(Path file, long[] inputShape) {
    Graph g = Prepare.simplify(OnnxImporter.read(file));
    return new Model(file, g, inputShape, InputNormalization.fromMetadata(g.metadata(), file.toString()));
  }

  /** The same model with another input normalization (the default comes from the model's metadata). */
  public Model withNormalization(InputNormalization norm) {
    Model m = new Model(file, graph, inputShape, norm);
    m.deviceName = deviceName;
    return m;
  }

  /** {@link #useDevice(String, PrintWriter)} with notes to standard error. */
  public Model useDevice(String device) {
    return useDevice(device, new PrintWriter(System.err, true));
  }

  /**
   * Chooses where {@link #render} runs, and opens it now: {@code auto} (the default: the GPU where one is usable,
   * else the CPU with a note to {@code notes} saying why), {@code cpu}, {@code gpu} (a {@link ModelException}
   * saying why where no GPU is usable) or {@code emulated} (the device render loop on the host emulator: slow, for
   * checking). The policy is {@link Backends#openDevice}'s. A device computes convolutions and GEMMs in
   * {@link #DEFAULT_MATH} (as featviz render does); {@link #useDevice(String, MathMode, PrintWriter)} chooses
   * another mode. Returns this model.
   */
  public Model useDevice(String device, PrintWriter notes) {
    return useDevice(device, DEFAULT_MATH, notes);
  }

  /** {@link #useDevice(String, PrintWriter)} with the device in math mode {@code math} (the CPU ignores it). */
  public Model useDevice(String device, MathMode math, PrintWriter notes) {
    checkOpen();
    Device opened = Backends.openDevice(device, math, notes);
    closeDevice();
    this.deviceName = device;
    this.device = opened;
    this.deviceChosen = true;
    // A device in a mode other than FP32 says so: results in TF32 differ from FP32 ones beyond rounding.
    String mode = opened == null || math == MathMode.FP32 ? "" : ", " + math.name().toLowerCase();
    this.backend = opened == null ? "cpu" : device.equals("emulated") ? "emulated (" + opened.name() + mode + ")"
        : "gpu (" + opened.name() + mode + ")";
    return this;
  }

  /**
   * Where renders run: "cpu", "gpu (NVIDIA ...)" or "emulated (...)", with ", tf32" inside the parentheses in that
   * math mode (opens the default device if needed).
   */
  public String backend() {
    checkOpen();
    if (!deviceChosen) useDevice(deviceName);
    return backend;
  }

  /**
   * The arithmetic of convolutions and GEMMs in renders: the device's math mode, FP32 on the CPU backend (opens the
   * default device if needed).
   */
  public MathMode mathMode() {
    checkOpen();
    if (!deviceChosen) useDevice(deviceName);
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

  /** The image each render optimizes, [C, H, W]: the model's input shape without its batch dimension. */
  public Shape imageShape() {
    Shape in = shapes.get(graph.input().name());
    if (in == null || in.rank() != 4) {
      throw new ModelException(file + ": input '" + graph.input().name() + "' is " + in + "; featviz renders"
          + " images [N, C, H, W]");
    }
    return Shape.of(in.dim(1), in.dim(2), in.dim(3));
  }

  /** Layer names, in graph order. */
  public List<String> layers() {
    return graph.layerNames();
  }

  /** The input's shape for one image, e.g. [1, 1, 28, 28] (where the model's is dynamic, the one given to open). */
  public Shape inputShape() {
    return shapes.get(graph.input().name());
  }

  /**
   * A layer's output shape for one image, e.g. [1, 64, 28, 28]. A layer at or after an op featviz does not support
   * (or whose shape cannot be inferred) has none: a {@link ModelException} names the node and op at fault.
   */
  public Shape layerShape(String layer) {
    String name = graph.resolveLayer(layer);
    Shape s = shapes.get(name);
    if (s == null) {
      prepare(List.of(name));  // throws the problem upstream of the layer, as a render of it would
      throw new ModelException(file + ": layer '" + name + "' has no inferred shape");
    }
    return s;
  }

  /** Channels of a conv layer or features of a dense one. */
  public int units(String layer) {
    Shape s = layerShape(layer);
    return s.rank() < 2 ? 1 : s.dim(1);
  }

  /** A render target about one unit, checked against the layer's size. */
  public RenderTarget unit(String layer, int unit, Objective objective) {
    String name = graph.resolveLayer(layer);
    int n = units(name);
    if (unit < 0 || unit >= n) {
      throw new ModelException(file + ": layer '" + name + "' has " + n + " units (output " + layerShape(name)
          + "); unit " + unit + " is out of range");
    }
    return new RenderTarget(objective, name, unit);
  }

  /**
   * A decorrelating transform of {@code layer}'s activations, estimated from the first {@code images} images of
   * {@code data}: what the whitened objectives ({@code Objectives.whitenedDirection} and kin) measure in.
   * {@link #whitening(String, Dataset, int, IntConsumer)} has the details.
   */
  public Whitening whitening(String layer, Dataset data, int images) {
    return whitening(layer, data, images, n -> {});
  }

  /**
   * {@link #whitening(String, Dataset, int)}, telling {@code onImages} how many images each finished batch held.
   * Every spatial position of every image is a sample of the layer's U units (a dense layer gives one per image);
   * a seeded reservoir keeps at most {@link ActivationSamples#DEFAULT_CAP} of them, and at least U + 1 are needed
   * for a full-rank covariance. The images are normalized as renders normalize theirs. It runs on the CPU backend
   * whatever {@link #useDevice} chose: a one-time pass that is deterministic (the same images give the same
   * whitening bit for bit), so a render on the GPU, the emulator or the CPU, in any math mode, measures in the same
   * whitened space, and a sweep resumed elsewhere continues in it.
   */
  public Whitening whitening(String layer, Dataset data, int images, IntConsumer onImages) {
    return Whitening.estimate(activationSamples(layer, data, images, onImages).samples());
  }

  /** The samples {@link #whitening(String, Dataset, int, IntConsumer)} estimates from, checked to be enough. */
  public ActivationSamples activationSamples(String layer, Dataset data, int images, IntConsumer onImages) {
    checkOpen();
    String name = graph.resolveLayer(layer);
    int units = units(name);
    if (units >= ActivationSamples.DEFAULT_CAP) {
      throw new ModelException(file + ": layer '" + name + "' has " + units + " units; a whitening keeps at most "
          + ActivationSamples.DEFAULT_CAP + " samples, too few for so many units");
    }
    Graph g = prepare(List.of(name));
    ActivationSamples s;
    try (ForwardBackend cpu = Backends.open("cpu", g, null)) {
      s = ActivationSamples.collect(cpu, g, name, data, normalization, images, 64, ActivationSamples.DEFAULT_CAP, 0,
          onImages);
    }
    if (s.samples().length <= units) {
      int positions = layerShape(name).size(2, Math.max(2, layerShape(name).rank()));
      throw new ModelException(file + ": the whitening of '" + name + "' (" + units + " units, output "
          + layerShape(name) + ") needs at least " + (units + 1) + " activation samples, but " + images
          + " image(s) give " + s.offered() + "; use at least " + ((units + positions) / positions) + " images");
    }
    return s;
  }

  /** The graph prepared to run as deep as the given layers and no deeper. */
  public Graph prepare(Collection<String> layers) {
    checkOpen();
    return Prepare.forRun(graph, inputShape, layers);
  }

  /** Optimizes one image per target, all in one batch. */
  public List<RenderResult> render(List<RenderTarget> targets, RenderOptions options) {
    return render(targets, options, step -> {});
  }

  public List<RenderResult> render(List<RenderTarget> targets, RenderOptions options, IntConsumer onStep) {
    checkOpen();
    Set<String> layers = new LinkedHashSet<>();
    for (RenderTarget t : targets) {
      for (String l : t.objective().layers()) layers.add(graph.resolveLayer(l));
      if (t.hasUnit()) layers.add(t.layer());
    }
    for (BatchObjective term : options.batchTerms()) {
      for (String l : term.layers()) layers.add(graph.resolveLayer(l));
    }
    if (!deviceChosen) useDevice(deviceName);
    if (device == null) {
      return new Renderer(prepare(new ArrayList<>(layers)), normalization, options).render(targets, onStep);
    }
    List<Object> key = List.of(new ArrayList<>(layers), options);
    if (deviceRenderer == null || !key.equals(deviceRendererKey)) {
      if (deviceRenderer != null) deviceRenderer.close();
      deviceRenderer = null;
      deviceRenderer = new DeviceRenderer(device, prepare(new ArrayList<>(layers)), normalization, options);
      deviceRendererKey = key;
    }
    return deviceRenderer.render(targets, onStep);
  }

  private void closeDevice() {
    if (deviceRenderer != null) deviceRenderer.close();
    deviceRenderer = null;
    deviceRendererKey = null;
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
