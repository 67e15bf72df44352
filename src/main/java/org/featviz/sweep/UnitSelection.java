package org.featviz.sweep;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.featviz.ir.ModelException;

/**
 * Which units of a layer to take: "all", a range "a-b" (inclusive), or a list "3,5,9" (ranges
 * allowed in it). A unit named more than once ("1,1" or "0-3,2") is taken once, where it first
 * appears.
 */
public record UnitSelection(String text) {
  public List<Integer> resolve(String layer, int units) {
    Set<Integer> r = new LinkedHashSet<>();
    if (text.equals("all")) {
      for (int u = 0; u < units; u++) r.add(u);
      return new ArrayList<>(r);
    }
    for (String part : text.split(",")) {
      String p = part.strip();
      try {
        int dash = p.indexOf('-', 1);
        int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
        int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).strip());
        if (from > to) throw new ModelException("units '" + text + "': range " + p + " is empty");
        for (int u = from; u <= to; u++) {
          if (u < 0 || u >= units) {
            throw new ModelException(
                "layer '"
                    + layer
                    + "' has "
                    + units
                    + " units (0.."
                    + (units - 1)
                    + "); unit "
                    + u
                    + " is out of range");
          }
          r.add(u);
        }
      } catch (NumberFormatException e) {
        throw new ModelException(
            "units '" + text + "': expected all, a-b, or a list such as 1,4,7-9");
      }
    }
    return new ArrayList<>(r);
  }
}
