package org.featviz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The java executable the tests run on, for the tests that start another JVM like it. */
public final class ThisJvm {
  private ThisJvm() {}

  /** The path of this JVM's java launcher. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** java -cp (this JVM's class path), to which a caller adds options, a main class, arguments. */
  public static List<String> withClassPath() {
    return new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path")));
  }
}
