package org.featviz.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.featviz.data.Dataset;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.OwnedBuffers;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.plan.DeviceExecutor;
import org.featviz.plan.DevicePlan;

/**
 * {@link UnitResponses}' results computed on a device: a forward of the device plan per chunk of
 * images, then the kernels of {@link DatasetKernels} on the layer's activation buffer. The unit
 * means of every image stay on the device ([images, U] floats per layer, for the percentile
 * counts); only the class sums and counts, the unit totals and each unit's top-k come back to the
 * host. Values equal the CPU reference's where the device computes the forward as the CPU does
 * (FP32): class means and unit means are summed in the same order, top-k and percentiles compare
 * the same floats. Holds device memory until closed; the caller owns the device.
 */
public final class DeviceUnitResponses implements DatasetResponses, AutoCloseable {
  private record Layer(
      int units,
      DeviceBuffer means,
      double[] sums,
      double[] totals,
      float[] topValues,
      int[] top) {}

  private final Device device;
  private final OwnedBuffers owned;
  private final int images;
  private final int classes;
  private final int k;
  private final int[] classCounts;
  private final Map<String, Layer> layers = new LinkedHashMap<>();
  private DeviceBuffer queryUnit;
  private DeviceBuffer queryValue;
  private DeviceBuffer queryCount;

  private DeviceUnitResponses(Device device, int images, int classes, int k) {
    this.device = device;
    this.owned = new OwnedBuffers(device);
    this.images = images;
    this.classes = classes;
    this.k = k;
    this.classCounts = new int[classes];
  }

  /**
   * Runs {@code graph} on {@code device} over the first {@code images} images of {@code data},
   * {@code batch} at a time, normalized by {@code norm}, keeping each unit's {@code k} top images
   * (1..{@link DatasetKernels#MAX_K}); {@code onImages} is told how many images each batch held.
   */
  public static DeviceUnitResponses collect(
      Device device,
      Graph graph,
      List<String> layerNames,
      Dataset data,
      InputNormalization norm,
      int images,
      int batch,
      int k,
      IntConsumer onImages) {
    DatasetInput.checkResponsesRun(data, images, batch, layerNames);
    if (k < 1 || k > DatasetKernels.MAX_K)
      throw new ModelException(
          "unit responses: top-k must be in 1.." + DatasetKernels.MAX_K + ", got " + k);
    String input = DatasetInput.check(graph, data, ": unit responses need images the model takes");
    DeviceUnitResponses r = new DeviceUnitResponses(device, images, data.classNames().size(), k);
    try (DeviceExecutor exec = DeviceExecutor.forwardOnly(device, graph)) {
      r.run(exec, graph, input, layerNames, data, norm, batch, onImages);
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  private void run(
      DeviceExecutor exec,
      Graph graph,
      String input,
      List<String> layerNames,
      Dataset data,
      InputNormalization norm,
      int batch,
      IntConsumer onImages) {
    DeviceBuffer labels = owned.ints(Math.min(batch, images));
    DeviceBuffer counts = owned.ints(classes + 1L);
    device.memsetZero(counts);
    Map<String, DeviceBuffer[]> state = new LinkedHashMap<>();
    for (int from = 0; from < images; from += batch) {
      int to = Math.min(images, from + batch);
      int n = to - from;
      Dataset chunk = data.slice(from, to);
      Tensor x = norm.apply(chunk.images());
      DevicePlan plan = exec.plan(Map.of(input, x.shape()), layerNames);
      device.copyToDevice(x.data(), 0, plan.inputBuffer(input), 0, x.size());
      plan.runForward();
      int[] chunkLabels = new int[n];
      for (int b = 0; b < n; b++) chunkLabels[b] = chunk.label(b);
      device.copyToDevice(chunkLabels, 0, labels, 0, n);
      boolean countClasses = true;
      for (String layer : layerNames) {
        Shape s = plan.shape(layer);
        DatasetInput.checkBatchShape(graph, layer, s, n);
        int units = s.dim(1);
        int positions = s.rank() <= 2 ? 1 : s.size(2, s.rank());
        DeviceBuffer[] b = state.computeIfAbsent(layer, l -> allocate(units));
        DeviceBuffer acts = plan.activationBuffer(layer);
        DatasetKernels.unitMeans(device, acts, b[0], n, units, positions, from);
        // Only the first layer's launch counts the classes (they are the same for every layer).
        DatasetKernels.classSums(
            device,
            b[0],
            labels,
            b[1],
            b[2],
            countClasses ? counts : b[5],
            n,
            units,
            classes,
            from);
        countClasses = false;
        DatasetKernels.topkUpdate(device, b[0], b[3], b[4], n, units, k, from);
      }
      onImages.accept(n);
    }
    int[] c = device.copyToHostInts(counts, classes + 1);
    if (c[classes] != 0)
      throw new ModelException(
          data.name() + ": " + c[classes] + " labels outside 0.." + (classes - 1));
    System.arraycopy(c, 0, classCounts, 0, classes);
    for (Map.Entry<String, DeviceBuffer[]> e : state.entrySet()) {
      DeviceBuffer[] b = e.getValue();
      int units = (int) (b[2].bytes() / Double.BYTES);
      float[] topValues = new float[units * k];
      int[] top = new int[units * k];
      device.copyToHost(b[3], 0, topValues, 0, topValues.length);
      device.copyToHost(b[4], 0, top, 0, top.length);
      layers.put(
          e.getKey(),
          new Layer(
              units, b[0], doubles(b[1], units * classes), doubles(b[2], units), topValues, top));
    }
  }

  /** A layer's buffers: means, class sums, totals, top values, top images, a spare class count. */
  private DeviceBuffer[] allocate(int units) {
    DeviceBuffer means = owned.floats((long) images * units);
    DeviceBuffer sums = owned.floats(2L * units * classes);
    DeviceBuffer totals = owned.floats(2L * units);
    DeviceBuffer topValues = owned.floats((long) units * k);
    DeviceBuffer top = owned.ints((long) units * k);
    DeviceBuffer spare = owned.ints(classes + 1L);
    device.memsetZero(sums);
    device.memsetZero(totals);
    int[] empty = new int[units * k];
    Arrays.fill(empty, -1);
    device.copyToDevice(empty, 0, top, 0, empty.length);
    return new DeviceBuffer[] {means, sums, totals, topValues, top, spare};
  }

  /** Doubles read back as their two 32-bit halves (little-endian, as devices store them). */
  private double[] doubles(DeviceBuffer b, int count) {
    int[] words = new int[2 * count];
    device.copyToHost(b, 0, words, 0, words.length);
    double[] d = new double[count];
    for (int i = 0; i < count; i++) {
      long bits = (words[2 * i] & 0xffffffffL) | ((long) words[2 * i + 1] << 32);
      d[i] = Double.longBitsToDouble(bits);
    }
    return d;
  }

  @Override
  public int images() {
    return images;
  }

  @Override
  public int units(String layer) {
    return layer(layer).units();
  }

  @Override
  public double[] classMeans(String layer, int unit) {
    Layer l = layer(layer);
    checkUnit(layer, l, unit);
    double[] mean = new double[classes];
    for (int c = 0; c < classes; c++) {
      mean[c] = classCounts[c] == 0 ? Double.NaN : l.sums()[unit * classes + c] / classCounts[c];
    }
    return mean;
  }

  @Override
  public int[] topImages(String layer, int unit, int count) {
    Layer l = layer(layer);
    checkUnit(layer, l, unit);
    return Arrays.copyOfRange(l.top(), unit * k, unit * k + kept(count));
  }

  @Override
  public float[] topValues(String layer, int unit, int count) {
    Layer l = layer(layer);
    checkUnit(layer, l, unit);
    return Arrays.copyOfRange(l.topValues(), unit * k, unit * k + kept(count));
  }

  private int kept(int count) {
    if (count > k)
      throw new ModelException(
          "unit responses: " + count + " top images asked for, " + k + " were kept");
    return Math.min(count, images);
  }

  @Override
  public float[] unitMeans(String layer) {
    double[] totals = layer(layer).totals();
    float[] m = new float[totals.length];
    for (int u = 0; u < m.length; u++) m[u] = (float) (totals[u] / images);
    return m;
  }

  @Override
  public double percentile(String layer, int unit, double value) {
    return percentiles(layer, new int[] {unit}, new double[] {value})[0];
  }

  /**
   * The percentile of each (units[q], values[q]) in one count launch: the share of the images whose
   * response is below the value (compared as a float, as the responses are).
   */
  public double[] percentiles(String layer, int[] units, double[] values) {
    Layer l = layer(layer);
    for (int u : units) checkUnit(layer, l, u);
    if (values.length != units.length)
      throw new IllegalArgumentException(units.length + " units but " + values.length + " values");
    int q = units.length;
    if (queryUnit == null || queryUnit.bytes() < (long) q * Integer.BYTES) {
      queryUnit = owned.ints(q);
      queryValue = owned.floats(q);
      queryCount = owned.ints(q);
    }
    float[] v = new float[q];
    for (int i = 0; i < q; i++) v[i] = floatThreshold(values[i]);
    device.copyToDevice(units, 0, queryUnit, 0, q);
    device.copyToDevice(v, 0, queryValue, 0, q);
    DatasetKernels.countBelow(
        device, l.means(), queryUnit, queryValue, queryCount, images, l.units(), q);
    int[] below = device.copyToHostInts(queryCount, q);
    double[] out = new double[q];
    for (int i = 0; i < q; i++) out[i] = (double) below[i] / images;
    return out;
  }

  /**
   * The float t with x < t exactly where x < value for every float x: the smallest float not below
   * {@code value} (NaN stays NaN: nothing is below it).
   */
  static float floatThreshold(double value) {
    float f = (float) value;
    return (double) f < value ? Math.nextUp(f) : f;
  }

  private Layer layer(String layer) {
    Layer l = layers.get(layer);
    if (l == null)
      throw new ModelException("unit responses: layer '" + layer + "' was not collected");
    return l;
  }

  private static void checkUnit(String layer, Layer l, int unit) {
    if (unit < 0 || unit >= l.units())
      throw new ModelException(
          "layer '" + layer + "' has " + l.units() + " units; unit " + unit + " is out of range");
  }

  @Override
  public void close() {
    owned.close();
  }
}
