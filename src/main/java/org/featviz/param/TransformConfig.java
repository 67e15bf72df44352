package org.featviz.param;

import java.util.ArrayList;
import java.util.List;
import org.featviz.ir.ModelException;

/**
 * The random augmentation applied to every image at every step (transformation robustness), with
 * Lucid's {@code standard_transforms} as defaults: pad 12 with the constant 0.5, jitter 8, random
 * scale from {1 + (i - 5) / 50 : i = 0..10}, random rotation from the integer degrees -10..10 with
 * 0 given five extra entries (Lucid's list {@code range(-10, 11) + 5 * [0]}, so 0 has probability
 * 6/26), jitter 4.
 *
 * <p>Each part is disabled by its neutral value: pad 0, jitter 0, an empty list of scales or of
 * angles. {@link Transforms} composes them into one affine resampling.
 *
 * @param pad width of the ring around the image that reads as {@code padValue} (0: none)
 * @param padValue the constant of the padding ring
 * @param firstJitter j1: a shift of o - floor(j1 / 2) pixels per axis, o uniform in {0..j1} (0:
 *     none)
 * @param scales zoom factors to draw from uniformly (empty: 1)
 * @param anglesDegrees rotations to draw from uniformly, repeated entries weigh more (empty: 0)
 * @param secondJitter j2, as j1, drawn after scale and rotation (0: none)
 */
public record TransformConfig(
    int pad,
    float padValue,
    int firstJitter,
    List<Double> scales,
    List<Integer> anglesDegrees,
    int secondJitter) {
  public static final int LUCID_PAD = 12;
  public static final float LUCID_PAD_VALUE = 0.5f;
  public static final int LUCID_FIRST_JITTER = 8;
  public static final int LUCID_SECOND_JITTER = 4;

  public TransformConfig {
    if (pad < 0 || firstJitter < 0 || secondJitter < 0) {
      throw new IllegalArgumentException(
          "pad and jitter must be >= 0, got pad "
              + pad
              + ", jitter "
              + firstJitter
              + " and "
              + secondJitter);
    }
    if (!Float.isFinite(padValue))
      throw new IllegalArgumentException("pad value must be finite: " + padValue);
    scales = List.copyOf(scales);
    anglesDegrees = List.copyOf(anglesDegrees);
    for (double s : scales) {
      if (!(s > 0) || !Double.isFinite(s))
        throw new IllegalArgumentException("scale must be positive: " + s);
    }
  }

  /** Lucid's standard transforms (see the class comment). */
  public static TransformConfig lucidDefaults() {
    return new TransformConfig(
        LUCID_PAD,
        LUCID_PAD_VALUE,
        LUCID_FIRST_JITTER,
        lucidScales(),
        lucidAngles(),
        LUCID_SECOND_JITTER);
  }

  /**
   * No augmentation: the transform is an exact copy (when the output size equals the image size).
   */
  public static TransformConfig none() {
    return new TransformConfig(0, LUCID_PAD_VALUE, 0, List.of(), List.of(), 0);
  }

  /**
   * Lucid's transforms scaled down for 28x28 inputs: pad 2, jitter 2, Lucid's scales, rotation
   * -5..5 degrees, jitter 1 (bench/peer_lucid.py mirrors it).
   */
  public static TransformConfig small() {
    return lucidDefaults()
        .withPad(2)
        .withFirstJitter(2)
        .withSecondJitter(1)
        .withAnglesDegrees(List.of(-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5));
  }

  /**
   * Images smaller than this (on their shorter side) get {@link #small()} by default, larger ones
   * Lucid's.
   */
  public static final int SMALL_BELOW = 64;

  /**
   * The default family for images of {@code height} x {@code width}: Lucid's pad 12 and jitter 8
   * are meant for 224-pixel images and would move a 28-pixel image by a third of its size, so
   * images under {@value #SMALL_BELOW} pixels get {@code small}.
   */
  public static String defaultFamily(int height, int width) {
    return Math.min(height, width) < SMALL_BELOW ? "small" : "lucid";
  }

  /** The families the command line names with --transforms: lucid, small or none. */
  public static TransformConfig named(String family) {
    return switch (family) {
      case "lucid" -> lucidDefaults();
      case "small" -> small();
      case "none" -> none();
      default ->
          throw new ModelException("transforms '" + family + "': expected lucid, small or none");
    };
  }

  /** {1 + (i - 5) / 50 : i = 0..10} = 0.90, 0.92, ..., 1.10. */
  public static List<Double> lucidScales() {
    List<Double> s = new ArrayList<>();
    for (int i = 0; i <= 10; i++) s.add(1 + (i - 5) / 50.0);
    return List.copyOf(s);
  }

  /** -10..10 degrees followed by five more zeros, as Lucid's list. */
  public static List<Integer> lucidAngles() {
    List<Integer> a = new ArrayList<>();
    for (int d = -10; d <= 10; d++) a.add(d);
    for (int i = 0; i < 5; i++) a.add(0);
    return List.copyOf(a);
  }

  public TransformConfig withPad(int pad) {
    return new TransformConfig(pad, padValue, firstJitter, scales, anglesDegrees, secondJitter);
  }

  public TransformConfig withPadValue(float padValue) {
    return new TransformConfig(pad, padValue, firstJitter, scales, anglesDegrees, secondJitter);
  }

  public TransformConfig withFirstJitter(int firstJitter) {
    return new TransformConfig(pad, padValue, firstJitter, scales, anglesDegrees, secondJitter);
  }

  public TransformConfig withAnglesDegrees(List<Integer> anglesDegrees) {
    return new TransformConfig(pad, padValue, firstJitter, scales, anglesDegrees, secondJitter);
  }

  public TransformConfig withSecondJitter(int secondJitter) {
    return new TransformConfig(pad, padValue, firstJitter, scales, anglesDegrees, secondJitter);
  }

  /**
   * A readable summary such as "pad 12 (0.5), jitter 8, scale 0.9..1.1, rotate -10..10, jitter 4".
   */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (pad > 0) parts.add("pad " + pad + " (" + padValue + ")");
    if (firstJitter > 0) parts.add("jitter " + firstJitter);
    if (!scales.isEmpty()) {
      parts.add(
          "scale "
              + scales.stream().mapToDouble(Double::doubleValue).min().getAsDouble()
              + ".."
              + scales.stream().mapToDouble(Double::doubleValue).max().getAsDouble());
    }
    if (!anglesDegrees.isEmpty()) {
      parts.add(
          "rotate "
              + anglesDegrees.stream().mapToInt(Integer::intValue).min().getAsInt()
              + ".."
              + anglesDegrees.stream().mapToInt(Integer::intValue).max().getAsInt());
    }
    if (secondJitter > 0) parts.add("jitter " + secondJitter);
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }
}
