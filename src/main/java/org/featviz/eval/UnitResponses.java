package org.featviz.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;

/**
 * How every unit of some layers responds to each image of a dataset: one forward pass over the
 * images, keeping per unit and image the unit's activation (a conv channel's spatial mean). From
 * it: per-class means (class selectivity), the images a unit responds to most (dataset exemplars),
 * and where a value stands among the dataset's (the dataset percentile of a visualization's
 * activation). Memory: layers x units x images floats.
 *
 * <pre>{@code
 * UnitResponses r = UnitResponses.collect(cpu, graph, List.of("relu2"), data, norm, 10_000, 256, n -> {});
 * double[] perClass = r.classMeans("relu2", 5);
 * int[] exemplars = r.topImages("relu2", 5, 9);
 * }</pre>
 */
public final class UnitResponses implements DatasetResponses {
  private final Dataset data;
  private final int images;

  /** Per layer: [unit][image]. */
  private final Map<String, float[][]> responses;

  /** Per layer: [unit] the responses sorted ascending, made when first asked for. */
  private final Map<String, float[][]> sorted = new LinkedHashMap<>();

  private UnitResponses(Dataset data, int images, Map<String, float[][]> responses) {
    this.data = data;
    this.images = images;
    this.responses = responses;
  }

  /** Responses given directly: per layer [unit][image] over the first {@code images} of data. */
  static UnitResponses of(Dataset data, int images, Map<String, float[][]> responses) {
    return new UnitResponses(data, images, new LinkedHashMap<>(responses));
  }

  /**
   * Runs {@code graph} (prepared with {@code layers} among its values) over the first {@code
   * images} images of {@code data}, {@code batch} at a time, normalized by {@code norm}; {@code
   * onImages} is told how many images each finished batch held.
   */
  public static UnitResponses collect(
      ForwardBackend backend,
      Graph graph,
      List<String> layers,
      Dataset data,
      InputNormalization norm,
      int images,
      int batch,
      IntConsumer onImages) {
    DatasetInput.checkResponsesRun(data, images, batch, layers);
    String input = DatasetInput.check(graph, data, ": unit responses need images the model takes");
    Map<String, float[][]> responses = new LinkedHashMap<>();
    for (int from = 0; from < images; from += batch) {
      int to = Math.min(images, from + batch);
      Tensor x = norm.apply(data.slice(from, to).images());
      Map<String, Tensor> out = backend.forward(Map.of(input, x), layers);
      for (String layer : layers) {
        Tensor a = out.get(layer);
        Shape s = a.shape();
        DatasetInput.checkBatchShape(graph, layer, s, to - from);
        float[][] means = unitMeans(a);
        int units = s.dim(1);
        float[][] r = responses.computeIfAbsent(layer, l -> new float[units][images]);
        for (int b = 0; b < to - from; b++) {
          for (int u = 0; u < units; u++) r[u][from + b] = means[b][u];
        }
      }
      onImages.accept(to - from);
    }
    return new UnitResponses(data, images, responses);
  }

  /**
   * Each unit's response per image of a layer's activations {@code a} [N, U, ...spatial]: [N][U], a
   * channel as its spatial mean (summed in double, in position order), a dense unit as its value; a
   * layer without a unit axis is one unit.
   */
  public static float[][] unitMeans(Tensor a) {
    Shape s = a.shape();
    int n = s.dim(0);
    int units = s.rank() < 2 ? 1 : s.dim(1);
    int positions = s.rank() <= 2 ? 1 : s.size(2, s.rank());
    float[] d = a.data();
    float[][] means = new float[n][units];
    for (int b = 0; b < n; b++) {
      for (int u = 0; u < units; u++) {
        double sum = 0;
        int base = (b * units + u) * positions;
        for (int p = 0; p < positions; p++) sum += d[base + p];
        means[b][u] = (float) (sum / positions);
      }
    }
    return means;
  }

  /**
   * The responses along directions of a layer's unit space: a view in which {@code layer}'s "units"
   * are the directions, unit j's response to an image being the projection a . v_j of the image's
   * unit vector a (channel means) on {@code directions[j]} [U]. Class means, exemplars and
   * percentiles of a direction then come as a unit's do.
   */
  public UnitResponses along(String layer, float[][] directions) {
    float[][] r = layer(layer);
    float[][] projected = new float[directions.length][images];
    for (int j = 0; j < directions.length; j++) {
      float[] v = directions[j];
      if (v.length != r.length) {
        throw new ModelException(
            "direction "
                + j
                + " has "
                + v.length
                + " values; layer '"
                + layer
                + "' has "
                + r.length
                + " units");
      }
      for (int i = 0; i < images; i++) {
        double s = 0;
        for (int u = 0; u < r.length; u++) s += (double) v[u] * r[u][i];
        projected[j][i] = (float) s;
      }
    }
    Map<String, float[][]> one = new LinkedHashMap<>();
    one.put(layer, projected);
    return new UnitResponses(data, images, one);
  }

  /** The labelled images the responses are of (the first {@link #images()} of them). */
  public Dataset data() {
    return data;
  }

  @Override
  public int images() {
    return images;
  }

  @Override
  public int units(String layer) {
    return layer(layer).length;
  }

  /** The unit's response to each image [images] (a copy). */
  public float[] of(String layer, int unit) {
    return unit(layer, unit).clone();
  }

  /**
   * The unit's mean response per class [classes]; a class with no image among those run has NaN.
   */
  @Override
  public double[] classMeans(String layer, int unit) {
    float[] r = unit(layer, unit);
    int classes = data.classNames().size();
    double[] sum = new double[classes];
    int[] count = new int[classes];
    for (int i = 0; i < images; i++) {
      sum[data.label(i)] += r[i];
      count[data.label(i)]++;
    }
    double[] mean = new double[classes];
    for (int c = 0; c < classes; c++) mean[c] = count[c] == 0 ? Double.NaN : sum[c] / count[c];
    return mean;
  }

  /**
   * The indices of the {@code k} images the unit responds to most, most first (ties: lower index
   * first).
   */
  @Override
  public int[] topImages(String layer, int unit, int k) {
    float[] r = unit(layer, unit);
    Integer[] order = new Integer[images];
    for (int i = 0; i < images; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> r[a] != r[b] ? Float.compare(r[b], r[a]) : Integer.compare(a, b));
    int n = Math.min(k, images);
    int[] top = new int[n];
    for (int i = 0; i < n; i++) top[i] = order[i];
    return top;
  }

  @Override
  public float[] topValues(String layer, int unit, int k) {
    float[] r = unit(layer, unit);
    int[] top = topImages(layer, unit, k);
    float[] v = new float[top.length];
    for (int i = 0; i < top.length; i++) v[i] = r[top[i]];
    return v;
  }

  @Override
  public float[] unitMeans(String layer) {
    float[][] r = layer(layer);
    float[] m = new float[r.length];
    for (int u = 0; u < m.length; u++) {
      double sum = 0;
      for (float v : r[u]) sum += v;
      m[u] = (float) (sum / images);
    }
    return m;
  }

  /** The share of the dataset's images whose response is below {@code value}, in [0, 1]. */
  @Override
  public double percentile(String layer, int unit, double value) {
    float[] s =
        sorted
            .computeIfAbsent(
                layer,
                l -> {
                  float[][] all = layer(l);
                  float[][] copy = new float[all.length][];
                  for (int u = 0; u < all.length; u++) {
                    copy[u] = all[u].clone();
                    Arrays.sort(copy[u]);
                  }
                  return copy;
                })[checkUnit(layer, unit)];
    int lo = 0;
    int hi = s.length;
    while (lo < hi) { // the first index whose value is not below
      int mid = (lo + hi) >>> 1;
      if (s[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return (double) lo / s.length;
  }

  private float[][] layer(String layer) {
    float[][] r = responses.get(layer);
    if (r == null)
      throw new ModelException("unit responses: layer '" + layer + "' was not collected");
    return r;
  }

  private float[] unit(String layer, int unit) {
    return layer(layer)[checkUnit(layer, unit)];
  }

  private int checkUnit(String layer, int unit) {
    int units = layer(layer).length;
    if (unit < 0 || unit >= units) {
      throw new ModelException(
          "layer '" + layer + "' has " + units + " units; unit " + unit + " is out of range");
    }
    return unit;
  }
}
