package org.featviz.cpu;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Convolution weights in the layout a product wants (tap-major, flipped and transposed, or as they
 * are), in native memory, kept from call to call: a render runs the same frozen weights through the
 * same layers at every step, and rearranging them each time cost about a tenth of the Java time of
 * a fashion-cnn render step. An entry lives while its weight array does (weak keys, by identity)
 * and is used only while the array still holds the values it was made from (compared in full: a
 * sequential compare costs a fraction of the strided rearrangement), so weights changed in place
 * are never served stale.
 */
final class NativeWeights {
  private record Entry(float[] values, FloatPointer prepared) {}

  private static final Map<float[], Map<String, Entry>> CACHE =
      Collections.synchronizedMap(new WeakHashMap<>());

  private NativeWeights() {}

  /**
   * {@code w} laid out as {@code layout} makes it, in native memory: the kept copy where {@code w}
   * is unchanged since, else a new one. {@code form} names the layout and everything it depends on
   * (the same array in another layout is another entry). The pointer is shared: read it, never
   * close it.
   */
  static FloatPointer of(float[] w, String form, Supplier<float[]> layout) {
    Map<String, Entry> forms = CACHE.computeIfAbsent(w, k -> new ConcurrentHashMap<>());
    Entry e = forms.get(form);
    if (e != null && Arrays.equals(e.values(), w)) return e.prepared();
    Entry fresh = new Entry(w.clone(), new FloatPointer(layout.get()));
    forms.put(form, fresh);
    return fresh.prepared();
  }
}
