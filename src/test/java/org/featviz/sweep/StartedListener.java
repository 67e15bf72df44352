package org.featviz.sweep;

import java.util.List;

/** A sweep listener that records what {@link Sweep.Listener#started} is told: (total, done). */
final class StartedListener implements Sweep.Listener {
  private final List<int[]> calls;

  /** Appends {total, alreadyDone} to {@code calls} at every start. */
  StartedListener(List<int[]> calls) {
    this.calls = calls;
  }

  @Override
  public void started(int total, int alreadyDone) {
    calls.add(new int[] {total, alreadyDone});
  }
}
