package org.featviz.backend;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.featviz.ir.ModelException;

/**
 * Where featviz computes: the CPU backend (its convolutions and large matrix products on OpenBLAS
 * where it loads), the CPU on the plain Java reference kernels alone (CPU_REF, "cpu-ref": the
 * oracle, chosen for the whole process), a GPU through the device execution plan, the same plan on
 * the host emulator of the device (slow; for checking the GPU code without a GPU), or AUTO: the GPU
 * where one is usable, else the CPU, with a note in the log saying why.
 *
 * <pre>{@code
 * Model m = Model.builder(path).optBackend(Backend.parse("gpu")).open();  // DeviceUnavailableException without one
 * }</pre>
 */
public enum Backend {
  AUTO,
  CPU,
  CPU_REF,
  GPU,
  EMULATED;

  /** "auto, cpu, cpu-ref, gpu, emulated". */
  public static final String NAMES =
      Arrays.stream(values()).map(Backend::label).collect(Collectors.joining(", "));

  /** The lower-case name the command line and the outputs use ("cpu-ref" for CPU_REF). */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The backend of a name such as "gpu" (any case); a {@link ModelException} listing the names for
   * anything else.
   */
  public static Backend parse(String name) {
    for (Backend b : values()) if (b.label().equalsIgnoreCase(name.strip())) return b;
    throw new ModelException("unknown backend '" + name + "'; known: " + NAMES);
  }
}
