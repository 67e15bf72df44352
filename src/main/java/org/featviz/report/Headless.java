package org.featviz.report;

/** Makes java.awt run without a display (servers, CI): images and text are drawn off screen. */
final class Headless {
  private Headless() {}

  static void ensure() {
    if (System.getProperty("java.awt.headless") == null)
      System.setProperty("java.awt.headless", "true");
  }
}
