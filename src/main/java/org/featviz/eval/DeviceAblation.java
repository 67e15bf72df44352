package org.featviz.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.data.Dataset;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.OwnedBuffers;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.model.InputNormalization;
import org.featviz.plan.DeviceExecutor;
import org.featviz.plan.DevicePlan;

/**
 * {@link Ablation}'s scores computed on a device. Per chunk of images the device plan of the
 * network up to the layer (the prefix) runs once; per group of unit sets the values it hands on
 * (the {@link AblationSuffix} frontier) are copied on the device into one slice per set of the
 * batch of a second plan, the graph of the layers after the layer (the suffix), {@link
 * AblationKernels#maskUnits} replaces each slice's ablated units (masks uploaded once), the suffix
 * runs, and {@link AblationKernels#score} adds each set's correct predictions and losses into
 * accumulators on the device. Only those counts and sums come back, once. Scores equal the CPU
 * reference's where the device computes the forward as the CPU does (FP32); the caller sets the
 * math mode. The caller owns the device.
 *
 * <pre>{@code
 * List<Ablation.Score> s = DeviceAblation.run(device, graph, "relu2", sets, data, norm,
 *     Ablation.Replacement.ZERO, null, 10_000, 256, n -> {});
 * }</pre>
 */
public final class DeviceAblation {
  /**
   * Rows per suffix forward that batching sets aims at (16 sets of a 256-image chunk), unless the
   * frontier of so many rows would pass {@link #FRONTIER_BYTES}.
   */
  public static final int ROWS_PER_FORWARD = 4096;

  /** The most bytes the suffix's fed values of one forward may take. */
  public static final long FRONTIER_BYTES = 512L << 20;

  private DeviceAblation() {}

  /**
   * {@link Ablation#run}'s scores on {@code device}, sets per forward chosen from {@link
   * #ROWS_PER_FORWARD} and {@link #FRONTIER_BYTES}.
   */
  public static List<Ablation.Score> run(
      Device device,
      Graph graph,
      String layer,
      List<int[]> unitSets,
      Dataset data,
      InputNormalization norm,
      Ablation.Replacement replacement,
      float[] means,
      int images,
      int batch,
      IntConsumer onImages) {
    return run(
        device, graph, layer, unitSets, data, norm, replacement, means, images, batch, 0, onImages);
  }

  /**
   * The same with {@code setsPerForward} unit sets per suffix forward (0: chosen as above). The
   * scores do not depend on it.
   */
  public static List<Ablation.Score> run(
      Device device,
      Graph graph,
      String layer,
      List<int[]> unitSets,
      Dataset data,
      InputNormalization norm,
      Ablation.Replacement replacement,
      float[] means,
      int images,
      int batch,
      int setsPerForward,
      IntConsumer onImages) {
    if (setsPerForward < 0)
      throw new ModelException(
          "ablation: sets per forward must be positive, got " + setsPerForward);
    Ablation.Job job =
        Ablation.Job.of(
            graph,
            layer,
            unitSets,
            data,
            replacement,
            means,
            images,
            batch,
            Math.max(1, setsPerForward));
    int chunk = Math.min(batch, images);
    int perForward = setsPerForward > 0 ? setsPerForward : chosenSets(graph, job, chunk);
    int sets = job.distinct().size();
    try (OwnedBuffers owned = new OwnedBuffers(device);
        DeviceExecutor prefix = DeviceExecutor.forwardOnly(device, graph);
        Suffixes suffixes = new Suffixes(device, suffixGraph(graph, job))) {
      DeviceBuffer masks = owned.ints((long) sets * job.units());
      device.copyToDevice(job.masks(), masks);
      DeviceBuffer replace = owned.floats(job.units());
      device.copyToDevice(job.replace(), replace);
      DeviceBuffer labels = owned.ints(chunk);
      DeviceBuffer correct = owned.ints(sets);
      DeviceBuffer loss = owned.floats(2L * sets);
      DeviceBuffer scratch = owned.floats(2L * perForward * chunk);
      device.memsetZero(correct);
      device.memsetZero(loss);
      List<String> frontier = job.suffix().frontier();
      for (int from = 0; from < images; from += batch) {
        int to = Math.min(images, from + batch);
        int n = to - from;
        Tensor x = norm.apply(data.slice(from, to).images());
        DevicePlan p = prefix.plan(Map.of(job.input(), x.shape()), frontier);
        device.copyToDevice(x.data(), 0, p.inputBuffer(job.input()), 0, x.size());
        p.runForward();
        int[] chunkLabels = new int[n];
        for (int i = 0; i < n; i++) chunkLabels[i] = data.label(from + i);
        device.copyToDevice(chunkLabels, 0, labels, 0, n);
        // A frontier value that is not per image (no batch axis of n) cannot be tiled per set.
        boolean tileable = true;
        for (String v : frontier) tileable &= Ablation.perImage(p.shape(v), n);
        int group = tileable ? perForward : 1;
        Shape at = p.shape(layer);
        int positions = at.size(2, at.rank());
        for (int g = 0; g < sets; g += group) {
          int m = Math.min(group, sets - g);
          Map<String, Shape> shapes = new LinkedHashMap<>();
          for (String v : frontier) {
            Shape s = p.shape(v);
            shapes.put(v, m == 1 ? s : s.withDim(0, s.dim(0) * m));
          }
          DevicePlan sp = suffixes.plan(shapes, job.output());
          for (String v : frontier) {
            long bytes = (long) p.shape(v).size() * Float.BYTES;
            if (!sp.inputShapes().containsKey(v)) continue; // a value the scores do not need
            DeviceBuffer src = v.equals(job.input()) ? p.inputBuffer(v) : p.activationBuffer(v);
            DeviceBuffer dst = sp.inputBuffer(v);
            for (int j = 0; j < m; j++) device.copy(src, 0, dst, j * bytes, bytes);
          }
          if (sp.inputShapes().containsKey(layer)) {
            AblationKernels.maskUnits(
                device, sp.inputBuffer(layer), masks, replace, n, job.units(), positions, m, g);
          }
          sp.runForward();
          job.checkScores(sp.shape(job.output()), m * n);
          AblationKernels.score(
              device,
              sp.activationBuffer(job.output()),
              labels,
              correct,
              loss,
              scratch,
              n,
              job.classes(),
              m,
              g);
        }
        onImages.accept(n);
      }
      int[] c = device.copyToHostInts(correct, sets);
      long[] hits = new long[sets];
      for (int s = 0; s < sets; s++) hits[s] = c[s];
      return job.scores(hits, doubles(device, loss, sets));
    }
  }

  /**
   * Sets per forward: {@link #ROWS_PER_FORWARD} rows, fewer where the frontier of so many would
   * pass {@link #FRONTIER_BYTES}; at least 1, at most the distinct sets.
   */
  private static int chosenSets(Graph graph, Ablation.Job job, int chunk) {
    long perImage = 0;
    for (String v : job.suffix().frontier()) {
      Shape s = graph.shape(v);
      perImage += (long) s.size(1, s.rank()) * Float.BYTES;
    }
    long byRows = ROWS_PER_FORWARD / chunk;
    long byBytes = FRONTIER_BYTES / Math.max(1, perImage * chunk);
    return (int) Math.max(1, Math.min(job.distinct().size(), Math.min(byRows, byBytes)));
  }

  /**
   * The graph of the layers after the ablated one: the suffix's nodes and the initializers they
   * read, its inputs the frontier values (at the prepared graph's shapes), its output the class
   * scores.
   */
  static Graph suffixGraph(Graph graph, Ablation.Job job) {
    List<String> frontier = job.suffix().frontier();
    List<Node> nodes = graph.nodesFeeding(List.of(job.output()), Set.copyOf(frontier));
    Set<String> read = new LinkedHashSet<>();
    for (Node n : nodes) read.addAll(n.inputs());
    Map<String, Tensor> initializers = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : graph.initializers().entrySet())
      if (read.contains(e.getKey())) initializers.put(e.getKey(), e.getValue());
    List<ValueInfo> inputs = new ArrayList<>();
    for (String v : frontier) inputs.add(ValueInfo.of(v, graph.shape(v)));
    return new Graph(
        graph.source(),
        graph.opset(),
        inputs,
        List.of(job.output()),
        nodes,
        initializers,
        graph.metadata(),
        graph.shapes());
  }

  /**
   * One forward-only executor of the suffix per batch shape (a full group of sets, the last group
   * of a chunk, the last chunk's): each keeps its plan, so alternating shapes lower none again.
   */
  private static final class Suffixes implements AutoCloseable {
    private final Device device;
    private final Graph graph;
    private final Map<Map<String, Shape>, DeviceExecutor> byShapes = new LinkedHashMap<>();

    Suffixes(Device device, Graph graph) {
      this.device = device;
      this.graph = graph;
    }

    DevicePlan plan(Map<String, Shape> shapes, String output) {
      DeviceExecutor exec =
          byShapes.computeIfAbsent(shapes, s -> DeviceExecutor.forwardOnly(device, graph));
      return exec.plan(shapes, List.of(output));
    }

    @Override
    public void close() {
      for (DeviceExecutor e : byShapes.values()) e.close();
    }
  }

  /** Doubles read back as their two 32-bit halves (little-endian, as devices store them). */
  private static double[] doubles(Device device, DeviceBuffer b, int count) {
    int[] words = device.copyToHostInts(b, 2 * count);
    double[] d = new double[count];
    for (int i = 0; i < count; i++) {
      long bits = (words[2 * i] & 0xffffffffL) | ((long) words[2 * i + 1] << 32);
      d[i] = Double.longBitsToDouble(bits);
    }
    return d;
  }
}
