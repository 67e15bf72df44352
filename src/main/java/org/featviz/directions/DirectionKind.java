package org.featviz.directions;

import java.util.Locale;

/** The two populations compared: single units (basis vectors) and seeded random directions. */
public enum DirectionKind {
  BASIS,
  RANDOM;

  /** "basis" or "random", as the tables write it. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
