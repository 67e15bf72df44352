package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.ops.UnsupportedOpException;

/**
 * Wires the backward pass of a plan: which values need a gradient (those computed from the gradient
 * inputs), one gradient storage per storage that needs one (aliases share it, so a Reshape's
 * gradient costs nothing), and for each step, last step first, where its input gradients go and
 * whether each overwrites (the first contribution to that gradient, in backward order) or adds
 * (every later one). Gradients of targets are written first, at the start of the backward, by the
 * seeds (zeros where a target gets none). Records every gradient write and read on the {@link
 * Timeline}, the activations each backward step reads, so the buffer planner keeps them alive, and
 * each step's backward scratch.
 */
final class BackwardWiring {
  private final Map<Storage, Storage> gradients = new IdentityHashMap<>();
  private final Map<DeviceValue, DeviceValue> gradientValues = new IdentityHashMap<>();
  private final Set<Storage> needsGradient =
      java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Storage> written = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final List<Step> backwardSteps = new ArrayList<>();
  private final List<Storage> scratch = new ArrayList<>();

  /**
   * Target values whose gradient the seeds write, by gradient storage (aliased targets share one).
   */
  private final Map<Storage, List<DeviceValue>> seeded = new LinkedHashMap<>();

  private final int opset;

  /**
   * @param gradientInputs graph inputs whose gradients the backward computes
   * @param targets the values forward computes and backward may be seeded at
   */
  BackwardWiring(
      List<Step> steps,
      Collection<DeviceValue> gradientInputs,
      Collection<DeviceValue> targets,
      Timeline time,
      int opset) {
    this.opset = opset;
    for (DeviceValue v : gradientInputs) needsGradient.add(v.storage());
    for (Step step : steps) {
      for (DeviceValue in : step.inputs()) {
        if (needsGradient.contains(in.storage())) needsGradient.add(step.output().storage());
      }
    }
    Set<Storage> seenTargets = new HashSet<>();
    for (DeviceValue t : targets) {
      if (!needsGradient.contains(t.storage())) continue;
      Storage g = gradientValue(t).storage(); // the value sizes the storage
      seeded.computeIfAbsent(g, k -> new ArrayList<>()).add(t);
      if (seenTargets.add(g)) {
        g.use(time.readForward());
        written.add(g);
      }
    }
    for (int k = steps.size() - 1; k >= 0; k--) wire(steps.get(k), time.backward(k));
    for (DeviceValue v : gradientInputs) {
      Storage g = gradients.get(v.storage());
      if (g != null && written.contains(g)) gradientValue(v).storage().use(time.readBackward());
    }
  }

  private void wire(Step step, int t) {
    boolean any = false;
    for (DeviceValue in : step.inputs()) any |= needsGradient.contains(in.storage());
    if (!any) return;
    Storage outGrad = gradients.get(step.output().storage());
    if (outGrad == null || !written.contains(outGrad))
      return; // no gradient reaches the output: nothing to do
    step.wireOutputGradient(gradientValue(step.output()));
    outGrad.use(t);
    for (int i = 0; i < step.inputs().size(); i++) {
      DeviceValue in = step.input(i);
      if (!needsGradient.contains(in.storage())) continue;
      if (!step.differentiable(i)) {
        throw new UnsupportedOpException(
            step.node(),
            opset,
            "the device plan cannot compute the gradient of input "
                + i
                + " ('"
                + in.name()
                + "'), which the backward needs (it depends on a gradient input); weights are frozen,"
                + " so give such inputs as initializers or leave them out of the gradient inputs");
      }
      Storage g = gradientStorage(in.storage());
      step.wireInputGradient(i, gradientValue(in), written.contains(g));
      written.add(g);
      g.use(t);
    }
    for (DeviceValue saved : step.savedForBackward()) saved.storage().use(t);
    for (DeviceValue s : step.backwardScratch()) {
      s.storage().use(t);
      scratch.add(s.storage());
    }
    backwardSteps.add(step);
  }

  private Storage gradientStorage(Storage of) {
    return gradients.computeIfAbsent(of, k -> new Storage(false));
  }

  /** The gradient value of v (its own name and shape, its storage's gradient storage). */
  DeviceValue gradientValue(DeviceValue v) {
    return gradientValues.computeIfAbsent(
        v,
        k ->
            new DeviceValue(
                "d/" + k.name(),
                k.shape(),
                DeviceValue.Kind.GRADIENT,
                gradientStorage(k.storage())));
  }

  /** The gradient value of v if the backward writes it, else null (its gradient is zero). */
  DeviceValue writtenGradient(DeviceValue v) {
    Storage g = gradients.get(v.storage());
    return g != null && written.contains(g) ? gradientValue(v) : null;
  }

  /** Steps with a backward, in the order it runs (last forward step first). */
  List<Step> backwardSteps() {
    return backwardSteps;
  }

  /** Gradient storages the seeds write, each with the targets whose seeds sum into it. */
  Map<Storage, List<DeviceValue>> seeded() {
    return seeded;
  }

  /** The scratch storages of the steps with a backward, each live only at its step's backward. */
  List<Storage> scratchStorages() {
    return scratch;
  }

  /** Every gradient storage the backward writes. */
  Collection<Storage> gradientStorages() {
    List<Storage> r = new ArrayList<>();
    for (Storage g : gradients.values()) if (written.contains(g)) r.add(g);
    return r;
  }
}
