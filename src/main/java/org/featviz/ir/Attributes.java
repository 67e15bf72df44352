package org.featviz.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node's attributes, typed as ONNX declares them: int (long), float, string, ints (long[]),
 * floats (float[]), strings (String[]) and tensor. The getters take ONNX's attribute names and the
 * spec's defaults, and throw {@link ModelException} naming the node when an attribute has the wrong
 * type.
 */
public final class Attributes {
  private final Map<String, Object> values;

  public Attributes(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static Attributes empty() {
    return new Attributes(Map.of());
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public long getInt(String name, long fallback) {
    Object v = values.get(name);
    return v == null ? fallback : cast(name, v, Long.class);
  }

  public float getFloat(String name, float fallback) {
    Object v = values.get(name);
    if (v instanceof Long l) return l;
    return v == null ? fallback : cast(name, v, Float.class);
  }

  public String getString(String name, String fallback) {
    Object v = values.get(name);
    return v == null ? fallback : cast(name, v, String.class);
  }

  /** The ints attribute, or the fallback (which may be null) where absent. */
  public long[] getInts(String name, long[] fallback) {
    Object v = values.get(name);
    return v == null ? fallback : cast(name, v, long[].class).clone();
  }

  public float[] getFloats(String name, float[] fallback) {
    Object v = values.get(name);
    return v == null ? fallback : cast(name, v, float[].class).clone();
  }

  public Tensor getTensor(String name) {
    Object v = values.get(name);
    return v == null ? null : cast(name, v, Tensor.class);
  }

  private static <T> T cast(String name, Object v, Class<T> type) {
    if (!type.isInstance(v)) {
      throw new ModelException(
          "attribute '" + name + "' is " + describe(v.getClass()) + ", expected " + describe(type));
    }
    return type.cast(v);
  }

  private static String describe(Class<?> c) {
    if (c == Long.class) return "an int";
    if (c == Float.class) return "a float";
    if (c == String.class) return "a string";
    if (c == long[].class) return "ints";
    if (c == float[].class) return "floats";
    if (c == String[].class) return "strings";
    if (c == Tensor.class) return "a tensor";
    return c.getSimpleName();
  }

  @Override
  public String toString() {
    return values.keySet().toString();
  }
}
