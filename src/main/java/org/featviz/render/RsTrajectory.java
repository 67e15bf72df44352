package org.featviz.render;

import java.util.ArrayList;
import java.util.List;
import org.featviz.analysis.RepresentativeSubstitution;

/**
 * The Representative Substitution counts of a render's images as the steps go ({@link
 * RenderResult#rsTrajectory()}): both renderers add the counts of a recorded step, the CPU from its
 * host count ({@link RenderSteps#hostRs}), the device from its objective kernels.
 */
public final class RsTrajectory {
  private final List<List<RenderResult.RsPoint>> points = new ArrayList<>();

  public RsTrajectory(int batch) {
    for (int b = 0; b < batch; b++) points.add(new ArrayList<>());
  }

  /** The counts of every image at {@code step}; a null count (no unit, not finite) adds nothing. */
  public void add(int step, RepresentativeSubstitution[] counts) {
    if (counts.length != points.size()) {
      throw new IllegalArgumentException(
          counts.length + " RS counts for a batch of " + points.size());
    }
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] != null) points.get(b).add(new RenderResult.RsPoint(step, counts[b]));
    }
  }

  /** Image b's points in step order. */
  public List<RenderResult.RsPoint> of(int b) {
    return List.copyOf(points.get(b));
  }
}
