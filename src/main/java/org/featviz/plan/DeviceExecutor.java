package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.featviz.device.Device;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;

/**
 * Runs a graph on a {@link Device} with the API of {@link org.featviz.cpu.CpuExecutor}, so the two
 * can be compared directly: {@link #forward} from fed inputs to target values, then {@link
 * #backward} from gradient seeds at those targets to the gradients of graph inputs. Behind it is a
 * {@link DevicePlan}, lowered for the fed shapes and the targets on first use and reused while they
 * stay the same; other shapes (another batch size) or targets lower a new plan and free the old one
 * (one plan, one set of buffers, at a time). Backward plans cover the gradient inputs given at
 * construction (all graph inputs by default).
 *
 * <pre>
 * try (DeviceExecutor exec = new DeviceExecutor(device, prepared)) {
 *   Map&lt;String, Tensor&gt; acts = exec.forward(Map.of("input", x), List.of("conv3"));
 *   Tensor grad = exec.backward(Map.of("conv3", seed), List.of("input")).get("input");
 * }
 * </pre>
 */
public final class DeviceExecutor implements AutoCloseable {
  private final Device device;
  private final Graph graph;
  private final List<String> gradientInputs;
  private DevicePlan plan;
  private Map<String, Shape> planShapes;
  private List<String> planTargets;
  private boolean closed;

  /** Forward and backward to every graph input. */
  public DeviceExecutor(Device device, Graph graph) {
    this(device, graph, graph.inputs().stream().map(ValueInfo::name).toList());
  }

  /**
   * Forward, and backward to the given graph inputs (none: forward only, nothing kept for a
   * backward).
   */
  public DeviceExecutor(Device device, Graph graph, Collection<String> gradientInputs) {
    this.device = device;
    this.graph = graph;
    this.gradientInputs = List.copyOf(new LinkedHashSet<>(gradientInputs));
  }

  /** An executor whose plans compute forward only. */
  public static DeviceExecutor forwardOnly(Device device, Graph graph) {
    return new DeviceExecutor(device, graph, List.of());
  }

  public Graph graph() {
    return graph;
  }

  /** The plan of the last forward (null before the first). */
  public DevicePlan plan() {
    return plan;
  }

  /** Computes {@code targets} (value names) from the fed inputs; returns them as host tensors. */
  public Map<String, Tensor> forward(Map<String, Tensor> feeds, Collection<String> targets) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (ValueInfo in : graph.inputs()) {
      Tensor t = feeds.get(in.name());
      if (t != null) shapes.put(in.name(), t.shape());
    }
    return plan(shapes, targets).forward(feeds);
  }

  /**
   * The plan for these input shapes and targets, lowered now or reused (the one {@link #forward}
   * would run), for callers that keep everything on the device: its {@code inputBuffer}, {@code
   * runForward}, {@code activationBuffer}, {@code seedBuffer}, {@code runBackward} and {@code
   * inputGradientBuffer} run a step without host round trips. The executor owns the plan: it stays
   * valid until another shape or target set replaces it, or the executor closes.
   */
  public DevicePlan plan(Map<String, Shape> inputShapes, Collection<String> targets) {
    if (closed) throw new IllegalStateException("device executor used after close");
    List<String> wanted = new ArrayList<>(new LinkedHashSet<>(targets));
    Map<String, Shape> shapes = new LinkedHashMap<>(inputShapes);
    if (plan == null || !shapes.equals(planShapes) || !wanted.equals(planTargets))
      replan(shapes, wanted);
    return plan;
  }

  /**
   * Back-propagates {@code seeds} (gradients with respect to targets of the last forward) and
   * returns the gradient with respect to each graph input in {@code wrt}, which must be among the
   * gradient inputs.
   */
  public Map<String, Tensor> backward(Map<String, Tensor> seeds, Collection<String> wrt) {
    if (closed) throw new IllegalStateException("device executor used after close");
    if (plan == null) throw new IllegalStateException("backward needs a forward first");
    for (String w : wrt) {
      if (!gradientInputs.contains(w)) {
        throw new IllegalArgumentException(
            "gradient of '"
                + w
                + "' was asked for, but this executor computes the"
                + " gradients of "
                + gradientInputs
                + " only");
      }
    }
    Map<String, Tensor> all = plan.backward(seeds);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String w : wrt) out.put(w, all.get(w));
    return out;
  }

  private void replan(Map<String, Shape> shapes, List<String> targets) {
    if (plan != null) plan.close();
    plan = null;
    Graph g = graph;
    Map<String, Shape> declared = new LinkedHashMap<>();
    for (ValueInfo in : graph.inputs()) {
      Shape s = graph.shapes().get(in.name());
      if (s != null) declared.put(in.name(), s);
    }
    boolean same = true;
    for (Map.Entry<String, Shape> e : shapes.entrySet())
      same &= e.getValue().equals(declared.get(e.getKey()));
    if (!same) {
      // Another batch size (or any other input shape): infer every shape again from the fed ones.
      Map<String, Shape> all = new LinkedHashMap<>(declared);
      all.putAll(shapes);
      g = ShapeInference.infer(graph, all);
    }
    List<String> grads = new ArrayList<>();
    for (String name : gradientInputs) if (g.shapes().containsKey(name)) grads.add(name);
    plan = DevicePlan.lower(device, g, targets, grads);
    planShapes = shapes;
    planTargets = targets;
  }

  /** Frees the current plan's buffers; idempotent. The device stays open (its owner closes it). */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (plan != null) plan.close();
  }
}
