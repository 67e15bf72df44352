package org.featviz.cuda;

import java.util.Map;

/**
 * Synchronous-launch mode, for finding which kernel or library step faulted: with it, {@link
 * CudaDevice} waits for its stream after every kernel launch, memset, device copy and cuBLAS/cuDNN
 * call, and a failure names that step ("kernel adam_step failed: ... CUDA_ERROR_ILLEGAL_ADDRESS").
 * Without it an asynchronous fault surfaces at some later synchronization, far from its cause.
 * Slower (one wait per step), so for debugging and first runs on a new GPU host, never for
 * benchmarks.
 *
 * <p>On with the environment variable {@value #ENV}{@code =1} (or true/yes) or the system property
 * {@value #PROPERTY}{@code =true}; the property wins where both are set. Read when a device opens.
 */
public final class SyncLaunch {
  public static final String ENV = "FEATVIZ_SYNC_LAUNCH";
  public static final String PROPERTY = "featviz.syncLaunch";

  private SyncLaunch() {}

  /** This process's setting. */
  public static boolean enabled() {
    return enabled(System.getenv(), System.getProperty(PROPERTY));
  }

  /** The setting from an environment and the property's value (null when unset). */
  static boolean enabled(Map<String, String> env, String property) {
    if (property != null && !property.isBlank()) return truthy(property);
    return truthy(env.get(ENV));
  }

  private static boolean truthy(String value) {
    if (value == null) return false;
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      default -> false;
    };
  }
}
