package org.featviz.cuda.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What must be loaded before a CUDA library that is opened by absolute path from a folder the
 * dynamic loader does not search (a pip wheel's {@code nvidia/cudnn/lib}, say). cuDNN 9's {@code
 * libcudnn.so.9} opens its sub-libraries ({@code libcudnn_graph.so.9}, {@code _ops}, {@code _cnn},
 * {@code _adv}, the engines and the heuristic) with {@code dlopen} by soname at its first call, and
 * {@code libcublas.so.13} needs {@code libcublasLt.so.13}: from such a folder neither is found, and
 * the first cuDNN call fails with SUBLIBRARY_LOADING_FAILED. A library that is already loaded
 * satisfies a later {@code dlopen} or NEEDED entry of its soname, so they are loaded first, in
 * dependency order ({@code RTLD_GLOBAL}, by the forwarding library's constructor; see {@link
 * ForwardingLibrary}).
 *
 * <p>The plan, for a target {@code libX.so.N} in folder F:
 *
 * <ul>
 *   <li>the siblings: every {@code libX_NAME.so.N} and {@code libXLt.so.N} in F;
 *   <li>the NEEDED entries of the target and of those, read with {@link ElfSymbols}: a sibling, a
 *       library the loader finds anyway (left to it), or one found in F or the other CUDA folders
 *       (added, and its own NEEDED entries followed in turn); any other is listed as unresolved;
 *   <li>ordered so that each library comes after what it needs (ties: {@link #PREFERRED} order,
 *       then by name).
 * </ul>
 */
final class Preloads {
  /**
   * cuDNN 9's own order of its sub-libraries, which the NEEDED entries refine; unknown names sort
   * after these.
   */
  static final List<String> PREFERRED =
      List.of(
          "libcublasLt",
          "libcudnn_graph",
          "libcudnn_engines_precompiled",
          "libcudnn_engines_runtime_compiled",
          "libcudnn_heuristic",
          "libcudnn_ops",
          "libcudnn_cnn",
          "libcudnn_adv");

  private static final Pattern SONAME = Pattern.compile("(lib[A-Za-z0-9_+-]+)\\.so\\.(\\d+)");

  /**
   * What every Linux host has: never preloaded, never reported (a fake root in tests has none of
   * them).
   */
  private static final Pattern BASE_SYSTEM =
      Pattern.compile(
          "(ld-linux.*|libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\\+\\+|libz)\\.so(\\..*)?");

  /**
   * The libraries to load first, in order, and the NEEDED names that nothing provides (reported,
   * not fatal).
   */
  record Plan(List<Path> libraries, List<String> unresolved) {
    static final Plan NONE = new Plan(List.of(), List.of());

    boolean isEmpty() {
      return libraries.isEmpty();
    }

    /**
     * " after preloading 7 libraries from F (RTLD_GLOBAL): a, b, ...", plus the unresolved names;
     * "" if none.
     */
    String describe() {
      if (libraries.isEmpty() && unresolved.isEmpty()) return "";
      StringBuilder d = new StringBuilder();
      if (!libraries.isEmpty()) {
        d.append("; first preloads ")
            .append(libraries.size())
            .append(libraries.size() == 1 ? " library" : " libraries")
            .append(" (RTLD_GLOBAL): ")
            .append(String.join(", ", libraries.stream().map(Path::toString).toList()));
      }
      if (!unresolved.isEmpty())
        d.append("; needed but not found: ").append(String.join(", ", unresolved));
      return d.toString();
    }
  }

  private Preloads() {}

  /**
   * The plan for {@code target}.
   *
   * @param folders the CUDA folders to look for NEEDED libraries in (after the target's own folder)
   * @param loaderFinds whether the dynamic loader finds a soname by itself (then it is left to the
   *     loader)
   */
  static Plan plan(Path target, List<Path> folders, Function<String, Optional<Path>> loaderFinds) {
    Path folder = target.toAbsolutePath().getParent();
    Map<String, Path> chosen =
        new LinkedHashMap<>(); // soname -> file, everything that goes into the plan
    for (Path sibling : siblings(target)) chosen.put(sibling.getFileName().toString(), sibling);
    Map<String, List<String>> needs = new HashMap<>();
    List<String> unresolved = new ArrayList<>();
    List<Path> todo = new ArrayList<>(chosen.values());
    todo.add(target);
    List<Path> searched = new ArrayList<>();
    searched.add(folder);
    searched.addAll(folders);
    String targetName = target.getFileName().toString();
    while (!todo.isEmpty()) {
      Path library = todo.remove(todo.size() - 1);
      String name = library.getFileName().toString();
      if (needs.containsKey(name)) continue;
      List<String> needed = needed(library);
      List<String> inPlan = new ArrayList<>();
      for (String dependency : needed) {
        if (dependency.equals(targetName) || BASE_SYSTEM.matcher(dependency).matches()) continue;
        if (chosen.containsKey(dependency)) {
          inPlan.add(dependency);
        } else if (loaderFinds.apply(dependency).isEmpty()) {
          Optional<Path> found = SystemLibraries.findIn(searched, dependency);
          if (found.isPresent()) {
            chosen.put(dependency, found.get());
            inPlan.add(dependency);
            todo.add(found.get());
          } else if (!unresolved.contains(dependency)) {
            unresolved.add(dependency);
          }
        }
      }
      needs.put(name, inPlan);
    }
    List<String> order = new ArrayList<>();
    Set<String> visiting = new HashSet<>();
    List<String> roots = new ArrayList<>(chosen.keySet());
    roots.sort(Preloads::compare);
    for (String root : roots) visit(root, needs, order, visiting);
    return new Plan(order.stream().map(chosen::get).toList(), List.copyOf(unresolved));
  }

  /**
   * Depth first, dependencies before dependents; a cycle (which the loader would reject anyway) is
   * cut.
   */
  private static void visit(
      String name, Map<String, List<String>> needs, List<String> order, Set<String> visiting) {
    if (order.contains(name) || !visiting.add(name)) return;
    List<String> deps = new ArrayList<>(needs.getOrDefault(name, List.of()));
    deps.sort(Preloads::compare);
    for (String dep : deps) visit(dep, needs, order, visiting);
    order.add(name);
  }

  private static int compare(String a, String b) {
    int ra = rank(a);
    int rb = rank(b);
    return ra != rb ? Integer.compare(ra, rb) : a.compareTo(b);
  }

  private static int rank(String soname) {
    Matcher m = SONAME.matcher(soname);
    int i = m.matches() ? PREFERRED.indexOf(m.group(1)) : -1;
    return i < 0 ? PREFERRED.size() : i;
  }

  /**
   * The files beside {@code target} that belong to it: libX_NAME.so.N and libXLt.so.N for a target
   * libX.so.N.
   */
  static List<Path> siblings(Path target) {
    Matcher m = SONAME.matcher(target.getFileName().toString());
    Path folder = target.toAbsolutePath().getParent();
    if (!m.matches() || folder == null || !Files.isDirectory(folder)) return List.of();
    Pattern sibling =
        Pattern.compile(Pattern.quote(m.group(1)) + "(_[A-Za-z0-9_]+|Lt)\\.so\\." + m.group(2));
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(p -> sibling.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString(), Preloads::compare))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * A library's NEEDED entries; none where it cannot be read as ELF (then the loader will tell).
   */
  private static List<String> needed(Path library) {
    try {
      return ElfSymbols.read(library).needed();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
