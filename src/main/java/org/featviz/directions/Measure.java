package org.featviz.directions;

import java.util.Locale;

/** The per-direction measures the two populations are compared on. */
public enum Measure {
  OBJECTIVE(false),
  COSINE(false),
  RS(false),
  PERCENTILE(true),
  PURITY(true),
  SELECTIVITY(true);

  private final boolean needsDataset;

  Measure(boolean needsDataset) {
    this.needsDataset = needsDataset;
  }

  /** Whether the measure comes from a dataset pass. */
  public boolean needsDataset() {
    return needsDataset;
  }

  /** The column name: "objective", "cosine", "rs", ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
