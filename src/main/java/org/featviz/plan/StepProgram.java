package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceException;
import org.featviz.ir.Graph;

/**
 * The program of a {@link DevicePlan}: the {@link Step}s that compute its targets, in forward order
 * (from {@link Lowering}), and the {@link BackwardWiring} that runs them backward to the gradient
 * inputs, on the plan's {@link Timeline}. It runs either direction; a device failure inside a step
 * is rethrown naming the step's node, op type and direction ({@link DeviceStepException}). It knows
 * nothing of memory: {@link PlanMemory} gives every value its buffer before anything runs.
 *
 * @param targets the targets' device values (initializer targets left out)
 * @param wiring the backward wiring, or null for a forward-only program (no gradient input is
 *     reachable)
 */
record StepProgram(
    Lowering.Result lowered, List<DeviceValue> targets, Timeline time, BackwardWiring wiring) {
  /**
   * Lowers {@code graph} for {@code targets} and wires the backward to {@code gradientInputs}
   * (graph inputs; none gives a forward-only program); convolutions and GEMMs go through {@code
   * mixed}.
   */
  static StepProgram lower(
      Graph graph, List<String> targets, List<String> gradientInputs, MixedPrecision mixed) {
    Lowering.Result lowered = Lowering.lower(graph, targets, mixed);
    Timeline time = new Timeline(lowered.steps().size());
    List<DeviceValue> targetValues = existing(lowered, targets);
    List<DeviceValue> gradientValues = existing(lowered, gradientInputs);
    BackwardWiring wiring =
        gradientValues.isEmpty()
            ? null
            : new BackwardWiring(
                lowered.steps(), gradientValues, targetValues, time, graph.opset());
    return new StepProgram(lowered, targetValues, time, wiring);
  }

  /** The device values of those names that have one (initializer targets have none). */
  private static List<DeviceValue> existing(Lowering.Result lowered, List<String> names) {
    List<DeviceValue> r = new ArrayList<>();
    for (String name : names) {
      DeviceValue v = lowered.values().get(name);
      if (v != null) r.add(v);
    }
    return r;
  }

  List<Step> steps() {
    return lowered.steps();
  }

  /**
   * The device value of a graph value, or null where the plan has none (unused, or an initializer
   * target).
   */
  DeviceValue value(String name) {
    return lowered.values().get(name);
  }

  /** The graph inputs the forward reads, in upload order. */
  List<DeviceValue> inputs() {
    return lowered.inputs();
  }

  /**
   * The gradient of graph value v after the backward, or null where none reaches it (it is zero).
   */
  DeviceValue writtenGradient(DeviceValue v) {
    return v == null || wiring == null ? null : wiring.writtenGradient(v);
  }

  /** Lets every step do its one-time preparation (cuDNN algorithm choice, workspace). */
  void prepare(Device device) {
    for (Step s : steps()) s.prepare(device);
  }

  void runForward(Device device) {
    for (Step s : steps()) {
      try {
        s.forward(device);
      } catch (DeviceException e) {
        throw named(s, "forward", e);
      }
    }
  }

  void runBackward(Device device) {
    if (wiring == null) return;
    for (Step s : wiring.backwardSteps()) {
      try {
        s.backward(device);
      } catch (DeviceException e) {
        throw named(s, "backward", e);
      }
    }
  }

  /**
   * A device failure inside a step, rethrown naming the step's node, op type and direction (once).
   */
  private static DeviceException named(Step s, String direction, DeviceException e) {
    return e instanceof DeviceStepException ? e : new DeviceStepException(s.node(), direction, e);
  }

  int backwardStepCount() {
    return wiring == null ? 0 : wiring.backwardSteps().size();
  }

  /** Steps that do the work of several graph nodes in one library call. */
  int fusedStepCount() {
    int n = 0;
    for (Step s : steps()) if (s.fused()) n++;
    return n;
  }

  /** One line per step, in forward order. */
  String listing() {
    StringBuilder b = new StringBuilder();
    int k = 0;
    for (Step s : steps()) b.append(String.format("%3d  %s%n", k++, s));
    return b.toString();
  }
}
