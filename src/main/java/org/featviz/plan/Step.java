package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * One step of a {@link DevicePlan}: device work for (part of) a graph node, forward and
 * input-gradient backward. A step reads its {@link #inputs()} (every device value its forward
 * reads, weights included, in the order its backward writes their gradients) and writes its {@link
 * #output()}. The planner wires the backward: the gradient of the output, and for each input that
 * needs one, the value its gradient goes to and whether to overwrite it (the first contribution) or
 * add to it (later ones, where a value feeds several steps). Steps allocate nothing when they run:
 * every buffer they touch is planned before.
 */
abstract class Step {
  private final Node node;
  private final List<DeviceValue> inputs;
  private final DeviceValue output;
  private final DeviceValue[] inputGrads;
  private final boolean[] accumulate;
  private DeviceValue outputGrad;

  Step(Node node, List<DeviceValue> inputs, DeviceValue output) {
    this.node = node;
    this.inputs = List.copyOf(inputs);
    this.output = output;
    this.inputGrads = new DeviceValue[inputs.size()];
    this.accumulate = new boolean[inputs.size()];
  }

  /** The values given, in order, with an absent optional input (null) left out. */
  static List<DeviceValue> present(DeviceValue... values) {
    List<DeviceValue> r = new ArrayList<>();
    for (DeviceValue v : values) if (v != null) r.add(v);
    return r;
  }

  Node node() {
    return node;
  }

  List<DeviceValue> inputs() {
    return inputs;
  }

  DeviceValue input(int i) {
    return inputs.get(i);
  }

  DeviceValue output() {
    return output;
  }

  /** The device memory of input i (the plan is allocated before a step runs). */
  DeviceBuffer inputBuffer(int i) {
    return inputs.get(i).buffer();
  }

  /** "x-shape -> y-shape" (input 0's and the output's), for the listings of reshaping steps. */
  String shapes() {
    return input(0).shape() + " -> " + output().shape();
  }

  /** The device memory of the output. */
  DeviceBuffer outputBuffer() {
    return output.buffer();
  }

  /** A short name of the step kind and what it does, for plan listings. */
  abstract String describe();

  abstract void forward(Device device);

  /**
   * Writes the gradient of every input that has one wired ({@link #gradIn}), in input order, from
   * {@link #gradOut()}; each overwrites or adds as {@link #accumulate} says.
   */
  abstract void backward(Device device);

  /**
   * Whether {@link #backward} can produce the gradient of input i. Data inputs only, by default
   * none.
   */
  boolean differentiable(int input) {
    return false;
  }

  /** The values (inputs or the output) that {@link #backward} reads, given the gradients wired. */
  List<DeviceValue> savedForBackward() {
    return List.of();
  }

  /**
   * Values the backward writes and reads within itself (an intermediate gradient), planned like any
   * other storage but live only while this step's backward runs. None by default.
   */
  List<DeviceValue> backwardScratch() {
    return List.of();
  }

  /** One-time work before the first run (cuDNN algorithm choice, workspace); nothing by default. */
  void prepare(Device device) {}

  /**
   * Bytes of 16-bit staging that this step's convolutions or GEMMs need in the BF16 and FP16 math
   * modes (see {@link MixedPrecision}): at least the largest of its library calls, forward or
   * backward. {@link PlanMemory} reserves the largest of a plan's steps on the device and counts
   * it; 0 by default.
   */
  long stagingBytes() {
    return 0;
  }

  /** Whether this step computes several graph nodes in one library call. */
  boolean fused() {
    return false;
  }

  // ---- Backward wiring, set by the planner
  // ----------------------------------------------------------------------

  void wireInputGradient(int input, DeviceValue grad, boolean accumulate) {
    inputGrads[input] = grad;
    this.accumulate[input] = accumulate;
  }

  void wireOutputGradient(DeviceValue grad) {
    outputGrad = grad;
  }

  /** Where input i's gradient goes, or null where none is wanted. */
  DeviceValue gradIn(int input) {
    return inputGrads[input];
  }

  /** Whether input i's gradient is added to the buffer (true) or overwrites it (false). */
  boolean accumulate(int input) {
    return accumulate[input];
  }

  /** cuDNN's beta for input i's gradient: 1 adds, 0 overwrites. */
  float beta(int input) {
    return accumulate[input] ? 1f : 0f;
  }

  DeviceValue gradOut() {
    return outputGrad;
  }

  @Override
  public String toString() {
    return describe() + " for " + node.describe();
  }
}
